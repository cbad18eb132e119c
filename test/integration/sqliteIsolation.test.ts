// SQLite has one connection per process: a write made while another request's transaction is open
// must not become part of that transaction (and vanish with its rollback).
import { urgentLane } from '../../bot/db/serialized';
import { sqliteKind, useDatabase } from '../support/databases';

const db = useDatabase(sqliteKind);

test('a write outside a transaction survives the rollback of a transaction open at the same time', async () => {
  const me = await db.prisma.beneficiary.create({ data: { firstName: 'A' } });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const failing = db.prisma
    .$transaction(async (tx) => {
      await tx.caseEvent.create({ data: { beneficiaryId: me.id, type: 'inside', actorType: 'system' } });
      await held;
      throw new Error('rolled back');
    })
    .catch((e: Error) => e.message);
  await new Promise((r) => setTimeout(r, 20));
  // (Prisma's queries are lazy: then() starts this one now, while the transaction is open)
  const outside = db.prisma.caseEvent
    .create({ data: { beneficiaryId: me.id, type: 'outside', actorType: 'system' } })
    .then((e) => e);
  await new Promise((r) => setTimeout(r, 20));
  release();
  expect(await failing).toBe('rolled back');
  await outside;
  expect((await db.prisma.caseEvent.findMany()).map((e) => e.type)).toEqual(['outside']);
});

test('raw statements wait for an open transaction too, and transactions run one after the other', async () => {
  const order: string[] = [];
  const first = db.prisma.$transaction(async (tx) => {
    order.push('first start');
    await tx.$executeRawUnsafe('SELECT 1');
    await new Promise((r) => setTimeout(r, 30));
    order.push('first end');
  });
  const second = db.prisma.$transaction(async () => {
    order.push('second');
  });
  const raw = db.prisma.$queryRawUnsafe('SELECT 1').then(() => order.push('raw'));
  await Promise.all([first, second, raw]);
  expect(order.indexOf('first end')).toBeLessThan(order.indexOf('second'));
  expect(order.indexOf('first end')).toBeLessThan(order.indexOf('raw'));
});

test(
  'the urgent lane (a webhook stored before its 200) goes before the queued statements, never inside a ' +
    'transaction',
  async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const open = db.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SELECT 1');
      await held;
      order.push('transaction end');
    });
    await new Promise((r) => setTimeout(r, 10));
    const queued = [1, 2, 3].map((n) => db.prisma.$queryRawUnsafe('SELECT 1').then(() => order.push(`queued ${n}`)));
    const urgent = urgentLane(db.prisma)
      .$queryRawUnsafe('SELECT 1')
      .then(() => order.push('urgent'));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]); // the transaction still holds the connection
    release();
    await Promise.all([open, urgent, ...queued]);
    expect(order).toEqual(['transaction end', 'urgent', 'queued 1', 'queued 2', 'queued 3']);
  },
);
