// MessageLog, the record of every inbound and outbound message, on a real database: concurrent
// turns' rows are written together, and a message delivered twice (its provider id already
// stored) neither fails the other rows of its batch nor is stored twice.
import { sqliteRowWriter } from '../../bot/db/sqliteWrites';
import { MessageLog, type MessageRecord } from '../../bot/services/messageLog';
import { testDatabases, useDatabase } from '../support/databases';

describe.each(testDatabases())('MessageLog on $name', (kind) => {
  const db = useDatabase(kind);
  beforeEach(async () => {
    await db.prisma.message.deleteMany();
  });

  const row = (n: number, extra: Partial<MessageRecord> = {}): MessageRecord => ({
    direction: n % 2 ? 'in' : 'out',
    channel: 'webchat',
    conversationId: `conv-${n % 7}`,
    providerId: `wamid.${n}`,
    kind: 'reply',
    status: n % 2 ? 'received' : 'sent',
    payload: { type: 'message', text: `message ${n}`, locale: 'fa', suggestedActions: { actions: [{ value: '1' }] } },
    ...extra,
  });

  test('100 concurrent record() calls all land, each row whole', async () => {
    const log = new MessageLog(db);
    const rows = Array.from({ length: 100 }, (_, n) => row(n));
    const results = await Promise.all(rows.map((r) => log.record(r)));
    expect(results).toEqual(rows.map(() => null));

    const stored = await db.prisma.message.findMany({ orderBy: { id: 'asc' } });
    expect(stored).toHaveLength(100);
    expect(stored.map((m) => m.providerId).sort()).toEqual(rows.map((r) => r.providerId).sort());
    const byProvider = new Map(stored.map((m) => [m.providerId, m]));
    for (const r of rows) {
      expect(byProvider.get(r.providerId!)).toMatchObject({
        direction: r.direction,
        channel: 'webchat',
        conversationId: r.conversationId,
        status: r.status,
        kind: 'reply',
        payload: r.payload,
        attempts: 0,
      });
    }
  });

  test('a provider id already stored does not fail the other rows of its batch, and is not stored twice', async () => {
    const log = new MessageLog(db);
    await log.record(row(5, { payload: { text: 'first delivery' } }));

    // the same message delivered again, among new ones, in one batch
    const batch = [row(1), row(2), row(5, { payload: { text: 'second delivery' } }), row(3), row(4)];
    const results = await Promise.allSettled(batch.map((r) => log.record(r)));
    expect(results.map((r) => r.status)).toEqual(batch.map(() => 'fulfilled'));

    const stored = await db.prisma.message.findMany({ orderBy: { providerId: 'asc' } });
    expect(stored.map((m) => m.providerId)).toEqual(['wamid.1', 'wamid.2', 'wamid.3', 'wamid.4', 'wamid.5']);
    expect(stored.find((m) => m.providerId === 'wamid.5')!.payload).toEqual({ text: 'first delivery' });
  });

  test('a message delivered twice within one batch is stored once; rows without provider id all kept', async () => {
    const log = new MessageLog(db);
    const batch = [
      row(10),
      row(10, { payload: { text: 'duplicate' } }),
      row(11, { providerId: null }),
      row(12, { providerId: null }),
      row(13),
    ];
    await Promise.all(batch.map((r) => log.record(r)));
    const stored = await db.prisma.message.findMany();
    expect(stored).toHaveLength(4);
    expect(stored.filter((m) => m.providerId === 'wamid.10')).toHaveLength(1);
    expect(stored.filter((m) => m.providerId === null)).toHaveLength(2);
  });

  test('drain() resolves once everything recorded so far is written', async () => {
    const log = new MessageLog(db);
    for (let n = 0; n < 30; n++) void log.record(row(100 + n));
    await log.drain();
    expect(await db.prisma.message.count()).toBe(30);
  });

  test('an error other than a duplicate fails the rows of the batch instead of being swallowed', async () => {
    const log = new MessageLog(db);
    const bad = { ...row(200), beneficiaryId: 999999 }; // no such person: a foreign key violation
    const results = await Promise.allSettled([log.record(row(201)), log.record(bad)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await db.prisma.message.count()).toBe(0);
    // the failed batch left no transaction open: the next one is written, and other queries run
    await log.record(row(202));
    expect(await db.prisma.message.count()).toBe(1);
  });

  test('SQLite writes the rows on its connection itself (one INSERT a row), PostgreSQL one statement a batch', () => {
    expect(sqliteRowWriter(db.prisma) !== undefined).toBe(kind.name === 'sqlite');
  });
});
