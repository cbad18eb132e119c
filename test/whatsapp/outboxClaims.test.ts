// Claims of the WhatsApp outbox by several instances at once (one connection each, several claims
// in flight on each): a queued message is claimed by one of them only, so it is sent once.
import { openDatabase, type Database } from '../../bot/db/client';
import { OutboxStore } from '../../bot/channels/whatsapp/outboxStore';
import { StatusStore } from '../../bot/channels/whatsapp/statusStore';
import { testDatabases, useDatabase } from '../support/databases';

describe.each(testDatabases())('outbox claims on $name', (kind) => {
  const db = useDatabase(kind);

  test('four claimers, four claims in flight each: every queued message claimed exactly once', async () => {
    const people = 60;
    const perPerson = 4;
    const due = new Date(Date.now() - 1000);
    await db.prisma.message.createMany({
      data: Array.from({ length: people * perPerson }, (_, i) => ({
        direction: 'out',
        channel: 'whatsapp',
        conversationId: `3360000${String(i % people).padStart(4, '0')}`,
        kind: 'reply',
        status: 'queued',
        payload: { text: `message ${i}` },
        nextAttemptAt: due,
      })),
    });
    const instances: Database[] = await Promise.all([1, 2, 3, 4].map(() => openDatabase(db.url)));
    try {
      const claimed: number[] = [];
      const claimer = async (store: OutboxStore) => {
        // Claims until nothing is left; each claimed row is marked sent, which lets the person's next one go.
        for (let idle = 0; idle < 3;) {
          const rows = await store.claimOutbound(5, 60_000);
          if (!rows.length) {
            idle++;
            await new Promise((r) => setTimeout(r, 20));
            continue;
          }
          idle = 0;
          claimed.push(...rows.map((r) => r.id));
          await db.prisma.message.updateMany({
            where: { id: { in: rows.map((r) => r.id) } },
            data: { status: 'sent', sentAt: new Date() },
          });
        }
      };
      await Promise.all(
        instances.flatMap((instance) => {
          const store = new OutboxStore(instance, new StatusStore(instance));
          return [1, 2, 3, 4].map(() => claimer(store));
        }),
      );
      const twice = claimed.filter((id, i) => claimed.indexOf(id) !== i);
      expect(twice).toEqual([]);
      expect(claimed).toHaveLength(people * perPerson);
      const rows = await db.prisma.message.findMany({ where: { direction: 'out' }, select: { attempts: true } });
      expect(rows.every((r) => r.attempts === 1)).toBe(true);
    } finally {
      await Promise.all(instances.map((i) => i.close()));
    }
  });
});
