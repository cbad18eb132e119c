// A stop as in a rolling restart (issue 17): /readyz says 503 at once; a WhatsApp message claimed
// but still waiting for its pace is given back to the queue, not held until the claim's lease lapses,
// so the stop is quick and the next instance (here, the restart) sends it; nothing is lost or doubled.
import { startWhatsAppApp } from '../support/whatsappApp';
import { FakeGraphApi } from '../support/fakeGraphApi';
import { createTempSqlite } from '../support/databases';
import { createServer } from '../../bot/runtime/server';
import { openDatabase, type Database } from '../../bot/db/client';
import { postWebhook, text } from '../support/whatsappWebhooks';

const WA = '33639981234';

async function until(what: string, check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('/readyz answers 503 "draining" once the instance is stopping, whatever the database says', async () => {
  const readiness = { draining: false };
  const db = { ping: async () => true } as unknown as Database;
  const server = createServer(db, { error() {}, debug() {} } as never, readiness);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${server.address().port}/readyz`;
    expect((await fetch(url)).status).toBe(200);
    readiness.draining = true;
    const res = await fetch(url);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'draining' });
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('a stop gives back the sends waiting for their pace: quick, and the restarted instance sends them', async () => {
  const graph = await FakeGraphApi.start();
  const db = await createTempSqlite();
  try {
    // One message at once per person, the next 20 s later: the second reply waits in the sender.
    const first = await startWhatsAppApp({
      graph,
      reuse: db,
      env: { WHATSAPP_MPS: '1000', WHATSAPP_SEND_LEASE_SECONDS: '120', SHUTDOWN_GRACE_SECONDS: '8' },
      tuning: { pairBurst: 1, pairIntervalMs: 20_000 },
    });
    // The language list goes at once; the answer to it comes within the 20 s: its reply waits.
    expect((await postWebhook(first.app.url, text({ waId: WA, name: 'Test' }, 'Bonjour'))).status).toBe(200);
    await until('the language list', async () => graph.sentTo(WA).length === 1);
    expect((await postWebhook(first.app.url, text({ waId: WA, name: 'Test' }, '1'))).status).toBe(200);
    const outbox = () =>
      first.app.db.prisma.message.findMany({
        where: { channel: 'whatsapp', direction: 'out', conversationId: WA },
        orderBy: { id: 'asc' },
      });
    await until('the first reply sent and the next one claimed', async () => {
      const rows = await outbox();
      return (
        graph.sentTo(WA).length === 1 &&
        rows.filter((r) => r.status === 'sent').length === 1 &&
        rows.some((r) => r.status === 'sending')
      );
    });
    const waiting = (await outbox()).filter((r) => r.status !== 'sent');
    expect(waiting.length).toBeGreaterThanOrEqual(1);

    const started = Date.now();
    const stopping = first.app.stop();
    expect(first.app.readiness.draining).toBe(true);
    await stopping;
    // far from the 20 s of the pace, and from the 8 s of grace
    expect(Date.now() - started).toBeLessThan(4000);
    const check = await openDatabase(db.url, { migrate: false });
    try {
      const rows = await check.prisma.message.findMany({
        where: { id: { in: waiting.map((r) => r.id) } },
        orderBy: { id: 'asc' },
      });
      // back in the queue, due now, unclaimed, the try not counted
      for (const row of rows) {
        expect(row.status).toBe('queued');
        expect(row.claimedUntil).toBeNull();
        expect(row.attempts).toBe(0);
        expect(row.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now());
      }
    } finally {
      await check.close();
    }
    expect(graph.sentTo(WA)).toHaveLength(1);

    // The next instance on the same database sends what was given back, once each.
    const second = await startWhatsAppApp({ graph, reuse: db, env: { WHATSAPP_MPS: '1000' } });
    try {
      await second.settled();
      expect(graph.sentTo(WA)).toHaveLength(1 + waiting.length);
      const ids = graph.sentTo(WA).map((m) => JSON.stringify(m.body));
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await second.close();
    }
  } finally {
    await graph.close();
    await db.drop();
  }
});
