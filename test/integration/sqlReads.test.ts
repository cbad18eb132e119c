// The hot reads in SQL of our own (bot/db/sqlReads.ts), on both databases: they give what Prisma's
// queries gave (rows, order, exact UTC times), through the
// database's own reader or, for a transaction's client, through Prisma's raw queries; and on
// SQLite the reader is a connection of its own that sees only what is committed.
import { utcTimestamp } from '../../bot/db/postgresStatements';
import { sqlReader } from '../../bot/db/sqlReads';
import { eligibleSessions, overlappingShift, sessionsByIds, upcomingBookings } from '../../bot/services/workshops';
import { openQuestion } from '../../bot/services/questions';
import { personById } from '../../bot/services/people';
import { testDatabases, useDatabase } from '../support/databases';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const at = (iso: string) => new Date(iso);

describe.each(testDatabases())('on $name', (kind) => {
  const db = useDatabase(kind);

  async function fixture() {
    const me = await db.prisma.beneficiary.create({ data: { firstName: 'Reader', language: 'fr' } });
    const workshop = await db.prisma.workshop.create({
      data: { code: `w${Math.random().toString(36).slice(2, 8)}`, title: 'Atelier', category: 'digital' },
    });
    const session = (startsAt: string, status = 'scheduled') =>
      db.prisma.workshopSession.create({
        data: {
          workshopId: workshop.id,
          startsAt: at(startsAt),
          endsAt: new Date(at(startsAt).getTime() + 7_200_000),
          place: 'Blois',
          capacity: 8,
          bookedCount: 3,
          status,
        },
      });
    const [later, sooner, past, cancelled] = [
      await session('2026-03-05T13:30:00.123Z'),
      await session('2026-03-03T08:15:00.000Z'),
      await session('2026-03-01T08:00:00.000Z'),
      await session('2026-03-04T08:00:00.000Z', 'cancelled'),
    ];
    for (const [s, status] of [
      [later, 'waitlisted'],
      [sooner, 'booked'],
      [past, 'booked'],
      [cancelled, 'booked'],
    ] as const)
      await db.prisma.booking.create({ data: { sessionId: s.id, beneficiaryId: me.id, status } });
    return { me, workshop, later, sooner };
  }

  test('upcoming bookings and sessions by id: the rows Prisma gave, soonest first, times exact', async () => {
    const { me, workshop, later, sooner } = await fixture();
    const mine = await upcomingBookings(db.prisma, me.id, NOW);
    expect(mine.map((b) => [b.session.id, b.status])).toEqual([
      [sooner.id, 'booked'],
      [later.id, 'waitlisted'],
    ]);
    expect(mine[1].session).toEqual({
      id: later.id,
      workshopCode: workshop.code,
      title: 'Atelier',
      startsAt: at('2026-03-05T13:30:00.123Z'),
      endsAt: at('2026-03-05T15:30:00.123Z'),
      place: 'Blois',
      capacity: 8,
      seatsLeft: 5,
    });
    expect((await upcomingBookings(db.prisma, me.id, NOW, at('2026-03-04T00:00:00Z'))).length).toBe(1);
    const byId = await sessionsByIds(db.prisma, [later.id, sooner.id, 999_999]);
    expect([...byId.keys()].sort()).toEqual([later.id, sooner.id].sort());
    expect(byId.get(later.id)).toEqual(mine[1].session);
    // A transaction's client runs the same SQL through Prisma's raw queries, with the same answer.
    const inTx = await db.prisma.$transaction((tx) => upcomingBookings(tx as typeof db.prisma, me.id, NOW));
    expect(inTx).toEqual(mine);
  });

  test("the sessions a person may book: the rows Prisma's query gave, page by page", async () => {
    const { me, workshop } = await fixture();
    const other = await db.prisma.beneficiary.create({ data: { firstName: 'Other', language: 'fr' } });
    const closed = await db.prisma.workshop.create({
      data: { code: `c${Math.random().toString(36).slice(2, 8)}`, title: 'Fermé', category: 'digital', active: false },
    });
    const make = (workshopId: number, startsAt: string, audience = 'over25', status = 'scheduled') =>
      db.prisma.workshopSession.create({
        data: {
          workshopId,
          startsAt: at(startsAt),
          endsAt: at(startsAt),
          place: 'Tours',
          capacity: 2,
          audience,
          status,
        },
      });
    const open = [
      await make(workshop.id, '2026-03-06T09:00:00.000Z'),
      await make(workshop.id, '2026-03-06T09:00:00.000Z'), // same time: by id
      await make(workshop.id, '2026-03-02T09:00:00.001Z'),
      await make(workshop.id, '2026-03-09T10:00:00.000Z'),
    ];
    await make(workshop.id, '2026-03-07T09:00:00.000Z', 'under25');
    await make(workshop.id, '2026-03-08T09:00:00.000Z', 'over25', 'cancelled');
    await make(closed.id, '2026-03-08T09:00:00.000Z');
    await make(workshop.id, '2026-03-02T09:00:00.000Z'); // starts now: not upcoming
    // Booked by someone else, or cancelled by them: still theirs to book.
    await db.prisma.booking.create({ data: { sessionId: open[0]!.id, beneficiaryId: other.id, status: 'booked' } });
    await db.prisma.booking.create({ data: { sessionId: open[3]!.id, beneficiaryId: me.id, status: 'cancelled' } });
    const prismas = async (skip: number, take: number) =>
      (
        await db.prisma.workshopSession.findMany({
          where: {
            status: 'scheduled',
            startsAt: { gt: NOW },
            audience: 'over25',
            workshop: { active: true },
            bookings: { none: { beneficiaryId: me.id, status: { in: ['booked', 'waitlisted'] } } },
          },
          orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
          skip,
          take,
        })
      ).map((r) => r.id);
    const all = await eligibleSessions(db.prisma, me.id, 'over25', NOW, { skip: 0, take: 50 });
    expect(all.sessions.map((x) => x.id)).toEqual(await prismas(0, 50));
    expect(all.more).toBe(false);
    for (const s of open) expect(all.sessions.map((x) => x.id)).toContain(s.id);
    expect(all.sessions.find((x) => x.id === open[2]!.id)).toMatchObject({
      workshopCode: workshop.code,
      startsAt: at('2026-03-02T09:00:00.001Z'),
      seatsLeft: 2,
    });
    const page = await eligibleSessions(db.prisma, me.id, 'over25', NOW, { skip: 1, take: 2 });
    expect(page.sessions.map((x) => x.id)).toEqual(await prismas(1, 2));
    expect(page.more).toBe(true);
  });

  test('a person by id: the fields Prisma gave, dates exact, none for an unknown id', async () => {
    const created = await db.prisma.beneficiary.create({
      data: { firstName: 'Amal', phone: '+33639980101', language: 'ar', birthYear: 1990, consentAt: NOW },
    });
    expect(await personById(db.prisma, created.id)).toEqual({
      id: created.id,
      firstName: 'Amal',
      phone: '+33639980101',
      language: 'ar',
      birthYear: 1990,
      status: created.status,
      consentAt: NOW,
      optedOutAt: null,
    });
    expect(await personById(db.prisma, 999_999)).toBeUndefined();
  });

  test('a shift at the same time as a session: the soonest not declined, of this person, overlapping', async () => {
    const { me, sooner } = await fixture(); // sooner: 2026-03-03, 08:15 to 10:15
    const other = await db.prisma.beneficiary.create({ data: { firstName: 'Other' } });
    const structure = await db.prisma.structure.create({ data: { name: 'Atelier Vélo', kind: 'siae' } });
    const placementOf = (beneficiaryId: number) =>
      db.prisma.placement.create({
        data: {
          beneficiaryId,
          structureId: structure.id,
          kind: 'sas_iae',
          startDate: at('2026-03-01T00:00:00Z'),
          endDate: at('2026-03-31T00:00:00Z'),
        },
      });
    const [mine, theirs] = [await placementOf(me.id), await placementOf(other.id)];
    const shift = (placementId: number, beneficiaryId: number, from: string, to: string, confirmation = 'pending') =>
      db.prisma.shift.create({
        data: { placementId, beneficiaryId, startsAt: at(from), endsAt: at(to), confirmation },
      });
    expect(await overlappingShift(db.prisma, me.id, sooner.id)).toBeUndefined();
    // touching the session's start or end is no overlap; another person's shift is not theirs
    await shift(mine.id, me.id, '2026-03-03T06:15:00.000Z', '2026-03-03T08:15:00.000Z');
    await shift(mine.id, me.id, '2026-03-03T10:15:00.000Z', '2026-03-03T12:00:00.000Z');
    await shift(theirs.id, other.id, '2026-03-03T08:00:00.000Z', '2026-03-03T12:00:00.000Z');
    await shift(mine.id, me.id, '2026-03-03T07:00:00.000Z', '2026-03-03T09:00:00.000Z', 'declined');
    expect(await overlappingShift(db.prisma, me.id, sooner.id)).toBeUndefined();

    const later = await shift(mine.id, me.id, '2026-03-03T09:00:00.000Z', '2026-03-03T11:00:00.000Z', 'confirmed');
    const soonest = await shift(mine.id, me.id, '2026-03-03T08:14:59.999Z', '2026-03-03T08:15:00.001Z');
    expect(await overlappingShift(db.prisma, me.id, sooner.id)).toEqual({
      shiftId: soonest.id,
      structure: 'Atelier Vélo',
      startsAt: soonest.startsAt,
      endsAt: soonest.endsAt,
    });
    await db.prisma.shift.update({ where: { id: soonest.id }, data: { confirmation: 'declined' } });
    expect(await overlappingShift(db.prisma, me.id, sooner.id)).toMatchObject({ shiftId: later.id });
    expect(await overlappingShift(db.prisma, me.id, 999_999)).toBeUndefined();
  });

  test('the open question: the latest sent and unanswered, not expired; none once answered', async () => {
    const { me } = await fixture();
    const message = (status: string, sentAt?: Date) =>
      db.prisma.message.create({
        data: {
          direction: 'out',
          channel: 'whatsapp',
          beneficiaryId: me.id,
          kind: 'checkin',
          status,
          sentAt,
          payload: {},
        },
      });
    const ask = async (status: string, sentAt: Date | undefined, expiresAt?: Date) => {
      const m = await message(status, sentAt);
      return db.prisma.proactiveQuestion.create({
        data: { beneficiaryId: me.id, kind: 'checkin', refId: 7, messageId: m.id, expiresAt },
      });
    };
    const asked = await ask('sent', at('2026-03-02T08:00:00.000Z'));
    await ask('queued', undefined); // not sent yet
    await ask('delivered', at('2026-03-02T08:30:00.000Z'), at('2026-03-02T08:45:00.000Z')); // expired
    const open = await openQuestion(db.prisma, { beneficiaryId: me.id }, at('2026-03-01T00:00:00Z'), NOW);
    expect(open).toMatchObject({ id: asked.id, kind: 'checkin', refId: 7, sentAt: at('2026-03-02T08:00:00.000Z') });
    // written after the person's previous message? no: it belongs to the conversation
    expect(await openQuestion(db.prisma, { beneficiaryId: me.id }, at('2026-03-02T08:10:00Z'), NOW)).toBeUndefined();
    await db.prisma.proactiveQuestion.update({ where: { id: asked.id }, data: { answeredAt: NOW } });
    expect(await openQuestion(db.prisma, { beneficiaryId: me.id }, undefined, NOW)).toBeUndefined();
  });
});

test("PostgreSQL's timestamps (without time zone) are read as UTC, not as the process's local time", () => {
  // (node-postgres' own parser reads them as local time: 18:30 UTC in New York for this one)
  expect(utcTimestamp('2026-03-05 13:30:00.123').toISOString()).toBe('2026-03-05T13:30:00.123Z');
});

test('on SQLite the reader is a connection of its own: a transaction still open is not seen', async () => {
  const [sqlite] = testDatabases();
  const tmp = await sqlite.create();
  const { openDatabase } = await import('../../bot/db/client');
  const database = await openDatabase(tmp.url);
  try {
    const count = async () =>
      Number(
        (await sqlReader(database.prisma).rows<{ n: number }>('SELECT COUNT(*) AS n FROM "Beneficiary"', []))[0].n,
      );
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const insertedYet = new Promise<void>((r) => (inserted = r));
    const tx = database.prisma.$transaction(async (t) => {
      await t.beneficiary.create({ data: { firstName: 'Pending' } });
      inserted();
      await held;
    });
    await insertedYet;
    expect(await count()).toBe(0); // the reader does not wait behind the transaction, nor see into it
    release();
    await tx;
    expect(await count()).toBe(1); // committed: seen
  } finally {
    await database.close();
    await tmp.drop();
  }
});
