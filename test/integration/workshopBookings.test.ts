// Workshop bookings under concurrency, on SQLite and PostgreSQL: many people (each through their
// own database client, like several server instances) take the last seats of a session at the
// same moment, and cancellations free seats for the waiting list at the same moment.
import { book, cancelBooking, type BookingOutcome, type CancelOutcome } from '../../bot/services/workshops';
import { testDatabases, useInstances } from '../support/databases';
import { countPrismaTransactions } from '../support/prismaTransactions';
import { newWorkshopSession } from '../support/workshopFixture';

const INSTANCES = 20;
const NOW = new Date('2026-03-02T08:00:00Z');
const self = (id: number) => ({ type: 'beneficiary' as const, id });

describe.each(testDatabases())('workshop bookings at the same moment on $name', (kind) => {
  const instances = useInstances(kind, INSTANCES);
  let seq = 0;

  const prisma = () => instances[0].prisma;

  async function session(capacity: number) {
    return newWorkshopSession(prisma(), `race_${++seq}`, new Date(NOW.getTime() + 24 * 3600_000), capacity);
  }

  async function people(n: number) {
    const out: number[] = [];
    for (let i = 0; i < n; i++)
      out.push(
        (await prisma().beneficiary.create({ data: { firstName: `P${++seq}`, birthYear: 1980, status: 'active' } })).id,
      );
    return out;
  }

  /** The session's counter, its rows and its events, as the database holds them now. */
  async function stateOf(sessionId: number) {
    const s = await prisma().workshopSession.findUniqueOrThrow({ where: { id: sessionId } });
    const rows = await prisma().booking.findMany({ where: { sessionId }, orderBy: { id: 'asc' } });
    const events = await prisma().caseEvent.findMany({ orderBy: { id: 'asc' } });
    const ofSession = events.filter((e) => (e.payload as { sessionId?: number } | null)?.sessionId === sessionId);
    const count = (type: string) => ofSession.filter((e) => e.type === type).length;
    return {
      bookedCount: s.bookedCount,
      booked: rows.filter((r) => r.status === 'booked').map((r) => r.beneficiaryId),
      waitlisted: rows.filter((r) => r.status === 'waitlisted').map((r) => r.beneficiaryId),
      rows,
      count,
    };
  }

  const statuses = (outcomes: { status: string }[]) =>
    outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o.status]: (acc[o.status] ?? 0) + 1 }), {});

  test(`${INSTANCES} people, 3 seats left: exactly 3 get one, the others are told it is full`, async () => {
    const s = await session(3);
    const ids = await people(INSTANCES);
    const outcomes = await Promise.all(
      ids.map((id, i) => book(instances[i].prisma, id, s.id, NOW, { actor: self(id) })),
    );

    expect(statuses(outcomes)).toEqual({ booked: 3, full: INSTANCES - 3 });
    const state = await stateOf(s.id);
    expect(state.bookedCount).toBe(3);
    expect(state.booked.sort()).toEqual(ids.filter((_, i) => outcomes[i].status === 'booked').sort());
    expect(state.rows).toHaveLength(3); // "full" leaves no row behind
    expect(state.count('workshop_booked')).toBe(3);
  });

  test("a booking and a cancellation hold SQLite's writer for their statements only, not for Prisma's", async () => {
    const s = await session(1);
    const [a, b] = await people(2);
    const client = prisma();
    // (SQLite only: PostgreSQL keeps Prisma's transaction)
    const transactions = kind.name === 'sqlite' ? countPrismaTransactions(client) : undefined;
    try {
      expect((await book(client, a, s.id, NOW, { actor: self(a) })).status).toBe('booked');
      expect((await book(client, b, s.id, NOW, { actor: self(b), waitlistIfFull: true })).status).toBe('waitlisted');
      const { id } = await client.booking.findFirstOrThrow({ where: { sessionId: s.id, beneficiaryId: a } });
      expect(await cancelBooking(client, a, id, NOW, self(a))).toMatchObject({ promotedBeneficiaryId: b });
      // on the connection itself (bot/db/sqlTransaction.ts)
      if (transactions) expect(transactions.opened()).toBe(0);
    } finally {
      transactions?.restore();
    }
    const state = await stateOf(s.id);
    expect(state).toMatchObject({ bookedCount: 1, booked: [b], waitlisted: [] });
    expect([
      state.count('workshop_booked'),
      state.count('workshop_cancelled'),
      state.count('waitlist_promoted'),
    ]).toEqual([1, 1, 1]);
  });

  test('one seat, two people at once: exactly one gets it', async () => {
    for (let round = 0; round < 5; round++) {
      const s = await session(1);
      const [a, b] = await people(2);
      const outcomes = await Promise.all([
        book(instances[2 * round].prisma, a, s.id, NOW, { actor: self(a) }),
        book(instances[2 * round + 1].prisma, b, s.id, NOW, { actor: self(b) }),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['booked', 'full']);
      expect((await stateOf(s.id)).bookedCount).toBe(1);
    }
  });

  test('with the waiting list: the others wait, each at their own place in line', async () => {
    const s = await session(3);
    const ids = await people(INSTANCES);
    const outcomes = await Promise.all(
      ids.map((id, i) => book(instances[i].prisma, id, s.id, NOW, { actor: self(id), waitlistIfFull: true })),
    );

    expect(statuses(outcomes)).toEqual({ booked: 3, waitlisted: INSTANCES - 3 });
    const positions = outcomes.flatMap((o) => (o.status === 'waitlisted' ? [o.position] : [])).sort((x, y) => x - y);
    expect(positions).toEqual(Array.from({ length: INSTANCES - 3 }, (_, i) => i + 1));
    const state = await stateOf(s.id);
    expect(state.bookedCount).toBe(3);
    expect(state.booked).toHaveLength(3);
    expect(state.waitlisted).toHaveLength(INSTANCES - 3);
    expect(state.count('workshop_booked')).toBe(3);
    expect(state.count('workshop_waitlisted')).toBe(INSTANCES - 3);
  });

  test('the same person five times at once: one booking, one event', async () => {
    const s = await session(10);
    const [id] = await people(1);
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, (_, i) => book(instances[i].prisma, id, s.id, NOW, { actor: self(id) })),
    );

    expect(statuses(outcomes)).toEqual({ booked: 1, already_booked: 4 });
    const state = await stateOf(s.id);
    expect(state.bookedCount).toBe(1);
    expect(state.rows).toHaveLength(1);
    expect(state.count('workshop_booked')).toBe(1);
  });

  test('cancellations at the same moment: each freed seat goes once to the next in line, who is told', async () => {
    const s = await session(3);
    const [a1, a2, a3] = await people(3);
    const waiting = await people(5);
    for (const id of [a1, a2, a3])
      expect((await book(prisma(), id, s.id, NOW, { actor: self(id) })).status).toBe('booked');
    // in line one after the other
    const places: number[] = [];
    for (const [i, id] of waiting.entries()) {
      const o = await book(prisma(), id, s.id, new Date(NOW.getTime() + i), { actor: self(id), waitlistIfFull: true });
      places.push((o as Extract<BookingOutcome, { status: 'waitlisted' }>).bookingId);
    }
    const bookingOf = async (id: number) =>
      (await prisma().booking.findFirstOrThrow({ where: { sessionId: s.id, beneficiaryId: id } })).id;
    const later = new Date(NOW.getTime() + 60_000);

    // a1 cancels twice (two taps, two instances), a2 and a3 cancel, and the first in line leaves the
    // waiting list: all at once.
    const calls: [number, number][] = [
      [a1, await bookingOf(a1)],
      [a1, await bookingOf(a1)],
      [a2, await bookingOf(a2)],
      [a3, await bookingOf(a3)],
      [waiting[0], places[0]],
    ];
    const outcomes: CancelOutcome[] = await Promise.all(
      calls.map(([who, bookingId], i) => cancelBooking(instances[i + 5].prisma, who, bookingId, later, self(who))),
    );

    expect(outcomes.filter((o) => o.status === 'already_cancelled')).toHaveLength(1);
    const state = await stateOf(s.id);
    // No free seat while people wait, and the counter matches the rows.
    expect(state.bookedCount).toBe(3);
    expect(state.booked).toHaveLength(3);
    // The seats went to the next ones in line, whatever the order of the race: waiting[0] left.
    expect(state.booked.sort()).toEqual(waiting.slice(1, 4).sort());
    expect(state.waitlisted).toEqual([waiting[4]]);
    const promoted = outcomes.flatMap((o) =>
      o.status === 'cancelled' && o.promotedBeneficiaryId ? [o.promotedBeneficiaryId] : [],
    );
    // waiting[0] may have been promoted before leaving: then their cancellation promoted the next one.
    expect(promoted.filter((id) => id !== waiting[0]).sort()).toEqual(waiting.slice(1, 4).sort());
    expect(state.count('workshop_cancelled')).toBe(4);
    expect(state.count('waitlist_promoted')).toBe(promoted.length);
    // Each promoted person has one notification waiting to be sent.
    const notices = await prisma().message.findMany({
      where: { kind: 'notification', beneficiaryId: { in: waiting } },
    });
    expect(notices.map((m) => m.beneficiaryId).sort()).toEqual([...promoted].sort());
    expect(
      notices.every(
        (m) => m.status === 'queued' && (m.payload as { key: string }).key === 'notifications.waitlistPromoted',
      ),
    ).toBe(true);
  });
});
