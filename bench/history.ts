// What the queries asked at each message cost once people have a long history (issue 16): the
// benchmark's conversations are a few minutes old, a real database keeps months of messages. On a
// fresh SQLite file migrated by the project's runner, 1,000 people with H earlier messages each (half
// received, half sent), then rounds of: one new message of each of 100 people, each taken by the
// WhatsApp inbound store's claim, and the person's pending notifications read (as at each turn); a
// reply to each, taken by the outbox's claims 10 at a time. Prints the median and p95 in
// microseconds, for H = 0 and the H given.
// `npm run build && node dist/bench/history.js [H]` (default 300; 300,000 messages in all).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../bot/db/client';
import { sqliteConnectionOf } from '../bot/db/sqliteWrites';
import { PrismaStorage } from '../bot/turns/prismaStorage';
import { InboundStore } from '../bot/channels/whatsapp/inboundStore';
import { OutboxStore } from '../bot/channels/whatsapp/outboxStore';
import { StatusStore } from '../bot/channels/whatsapp/statusStore';
import { pendingNotifications } from '../bot/services/notifications';

const PEOPLE = 1000;
const ROUNDS = 10;
const PER_ROUND = 100;
const waId = (i: number) => `336${String(i).padStart(8, '0')}`;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Earlier messages, written straight into the file: what months of conversations leave. */
function fillHistory(db: Database, history: number): void {
  const connection = sqliteConnectionOf(db.prisma)!;
  const at = new Date(Date.now() - 90 * 86400_000).toISOString();
  const person = connection.prepare(
    `INSERT INTO "Beneficiary" ("id", "firstName", "phone", "status", "createdAt", "updatedAt")
      VALUES (?, 'Test', ?, 'active', ?, ?)`,
  );
  const insert = connection.prepare(
    `INSERT INTO "Message" ("direction", "channel", "conversationId", "beneficiaryId", "kind", "status", "payload",
        "createdAt", "updatedAt") VALUES (?, 'whatsapp', ?, ?, 'reply', ?, '{"type":"message","text":"..."}', ?, ?)`,
  );
  connection.transaction(() => {
    for (let i = 0; i < PEOPLE; i++) person.run(i + 1, `+${waId(i)}`, at, at);
    for (let k = 0; k < history; k++)
      for (let i = 0; i < PEOPLE; i++)
        insert.run(k % 2 ? 'out' : 'in', waId(i), i + 1, k % 2 ? 'sent' : 'received', at, at);
  })();
}

async function measure(history: number): Promise<Record<'inbound' | 'pending' | 'outbound', number[]>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-bench-claims-'));
  const db = await openDatabase(`file:${path.join(dir, 'claims.db')}`, { walCheckpoints: false });
  try {
    fillHistory(db, history);
    const statuses = new StatusStore(db);
    const outbox = new OutboxStore(db, statuses);
    const inbound = new InboundStore(db, new PrismaStorage(db), outbox, 30_000);
    const connection = sqliteConnectionOf(db.prisma)!;
    const newInbound = connection.prepare(
      `INSERT INTO "Message" ("direction", "channel", "conversationId", "kind", "status", "payload",
          "createdAt", "updatedAt") VALUES ('in', 'whatsapp', ?, 'reply', 'queued', ?, ?, ?) RETURNING "id"`,
    );
    const settle = connection.prepare(`UPDATE "Message" SET "status" = 'received' WHERE "id" = ?`);
    const sent = connection.prepare(
      `UPDATE "Message" SET "status" = 'sent' WHERE "direction" = 'out' AND "status" = 'sending'`,
    );
    const times = { inbound: [] as number[], pending: [] as number[], outbound: [] as number[] };
    for (let round = 0; round < ROUNDS + 1; round++) {
      const warm = round === 0; // (the first round is not counted: statements compiled, pages read)
      const who = Array.from({ length: PER_ROUND }, (_, k) => (round * PER_ROUND + k) % PEOPLE);
      const now = new Date().toISOString();
      for (const i of who) {
        const event = { userKey: waId(i), text: 'oui' };
        const [{ id }] = newInbound.all(waId(i), JSON.stringify({ event }), now, now) as { id: number }[];
        const start = process.hrtime.bigint();
        const claimed = await inbound.claimInbound(Number(id));
        if (!warm) times.inbound.push(Number(process.hrtime.bigint() - start) / 1000);
        if (!claimed) throw new Error('an inbound message was not claimed');
        settle.run(id);
        const read = process.hrtime.bigint();
        await pendingNotifications(db.prisma, i + 1, new Date());
        if (!warm) times.pending.push(Number(process.hrtime.bigint() - read) / 1000);
      }
      await outbox.enqueue(
        undefined,
        who.map((i) => ({
          to: waId(i),
          kind: 'reply',
          payload: { type: 'message', text: 'Merci.' },
          nextAttemptAt: new Date(),
        })),
      );
      for (let left = who.length; left > 0;) {
        const start = process.hrtime.bigint();
        const claimed = await outbox.claimOutbound(10, 30_000);
        if (!warm) times.outbound.push(Number(process.hrtime.bigint() - start) / 1000);
        if (!claimed.length) throw new Error('due replies were not claimed');
        left -= claimed.length;
        sent.run();
      }
    }
    return times;
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const history = Number(process.argv[2] ?? 300);
  if (!Number.isInteger(history) || history < 0) throw new Error('usage: history.js [earlier messages a person]');
  for (const h of [0, history]) {
    const { inbound, pending, outbound } = await measure(h);
    const line = (name: string, t: number[]) => {
      const s = [...t].sort((a, b) => a - b);
      return `${name} median ${Math.round(quantile(s, 0.5))} µs, p95 ${Math.round(quantile(s, 0.95))} µs (${s.length})`;
    };
    console.log(
      `${(PEOPLE * h).toLocaleString('en')} earlier messages (${h} a person): ` +
        `${line('inbound claim', inbound)}; ${line('pending notifications', pending)}; ` +
        `${line('outbox claim of 10', outbound)}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
