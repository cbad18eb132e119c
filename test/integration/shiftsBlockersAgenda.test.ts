// The shift, blocker and agenda services on a real database of each provider: blocker references
// (format, uniqueness under collisions and in parallel), which blockers are open, the 24-hour
// boundary of a late decline, and the agenda's order with immersion days.
import crypto from 'node:crypto';
import { agenda } from '../../bot/services/agenda';
import { openBlockers, reportBlocker } from '../../bot/services/blockers';
import { confirmShift, declineShift, upcomingShifts } from '../../bot/services/shifts';
import { zonedTime } from '../../bot/services/time';
import { alertsAndPayloads } from '../support/caseEvents';
import { testDatabases, useDatabase } from '../support/databases';

const TZ = 'Europe/Paris';
const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Monday 3 March 2025, 9:00 in Paris */
const NOW = zonedTime(2025, 3, 3, 9, 0, TZ);
const at = (day: number, hour: number, minute = 0) => zonedTime(2025, 3, day, hour, minute, TZ);

describe.each(testDatabases())('shifts, blockers and agenda on $name', (kind) => {
  const db = useDatabase(kind);
  let seq = 0;
  afterEach(() => jest.restoreAllMocks());

  const newPerson = () => db.prisma.beneficiary.create({ data: { firstName: `P${++seq}`, status: 'active' } });
  const self = (id: number) => ({ type: 'beneficiary' as const, id });
  const shiftOf = (placementId: number, beneficiaryId: number, startsAt: Date, endsAt: Date) =>
    db.prisma.shift.create({ data: { placementId, beneficiaryId, startsAt, endsAt } });

  async function placementFor(
    beneficiaryId: number,
    kind = 'sas_iae',
    dates = { startDate: at(1, 0), endDate: at(31, 0) },
    status = 'active',
  ) {
    const structure = await db.prisma.structure.create({
      data: { name: `Structure ${++seq}`, kind: kind === 'immersion' ? 'company' : 'siae' },
    });
    return db.prisma.placement.create({
      data: { beneficiaryId, structureId: structure.id, kind, status, ...dates },
      include: { structure: true },
    });
  }

  describe('blocker references', () => {
    test('are "B-" and four digits, unique, and written with their event in one go', async () => {
      const p = await newPerson();
      const views = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          reportBlocker(
            db.prisma,
            p.id,
            { category: 'money', urgency: i % 2 ? 'week' : 'today', description: `n${i}` },
            self(p.id),
          ),
        ),
      );
      const refs = views.map((v) => v.reference);
      for (const r of refs) expect(r).toMatch(/^B-\d{4}$/);
      expect(new Set(refs).size).toBe(25);
      const events = await db.prisma.caseEvent.findMany({ where: { beneficiaryId: p.id, type: 'blocker_reported' } });
      expect(events).toHaveLength(25);
      expect(events.filter((e) => e.attention)).toHaveLength(13); // the "today" ones
      expect(new Set(events.map((e) => (e.payload as { reference: string }).reference))).toEqual(new Set(refs));
    });

    test('a reference already taken is drawn again; after eight misses a fifth digit is added', async () => {
      // (the references this test draws, freed first: the test above drew 25 at random)
      await db.prisma.blocker.deleteMany({ where: { reference: { in: ['B-4821', 'B-4822', 'B-48210'] } } });
      const p = await newPerson();
      await reportBlocker(db.prisma, p.id, { category: 'housing', urgency: 'later' }, self(p.id)).then(
        async (first) => {
          await db.prisma.blocker.update({ where: { id: first.id }, data: { reference: 'B-4821' } });
        },
      );
      const draws = jest.spyOn(crypto, 'randomInt') as unknown as jest.SpyInstance<number, [number, number]>;
      draws.mockReturnValueOnce(4821).mockReturnValueOnce(4821).mockReturnValueOnce(4822);
      const second = await reportBlocker(db.prisma, p.id, { category: 'housing', urgency: 'later' }, self(p.id));
      expect(second.reference).toBe('B-4822');
      expect(draws).toHaveBeenCalledTimes(3);

      draws.mockReset();
      draws.mockImplementation((min: number) => (min === 1000 ? 4821 : 48210));
      const third = await reportBlocker(db.prisma, p.id, { category: 'papers', urgency: 'week' }, self(p.id));
      expect(third.reference).toBe('B-48210');
      expect(draws.mock.calls.filter(([min]) => min === 1000)).toHaveLength(8);
      // the failed attempts left nothing behind
      expect(await db.prisma.blocker.count({ where: { beneficiaryId: p.id } })).toBe(3);
      expect(await db.prisma.caseEvent.count({ where: { beneficiaryId: p.id, type: 'blocker_reported' } })).toBe(3);
    });

    test('a reference another writer took after the check: nothing written with it, another drawn', async () => {
      const [p, other] = [await newPerson(), await newPerson()];
      const taken = new Set((await db.prisma.blocker.findMany()).map((b) => b.reference));
      const [first, second] = [7300, 7301, 7302, 7303, 7304].filter((n) => !taken.has(`B-${n}`));
      // The other writer's blocker arrives just before ours is inserted (in our transaction, so
      // that SQLite's single connection lets it in): the unique reference makes our INSERT do nothing.
      let raced = false;
      const racing = new Proxy(db.prisma, {
        get(target, prop) {
          const value = Reflect.get(target, prop) as unknown;
          if (prop !== '$transaction') return typeof value === 'function' ? value.bind(target) : value;
          return (work: (tx: typeof db.prisma) => Promise<unknown>) =>
            db.prisma.$transaction((tx) =>
              work(
                new Proxy(tx, {
                  get(t, q) {
                    const v = Reflect.get(t, q) as unknown;
                    if (q !== '$queryRawUnsafe' || raced) return typeof v === 'function' ? v.bind(t) : v;
                    return async (sql: string, ...args: unknown[]) => {
                      if (sql.includes('INSERT INTO "Blocker"')) {
                        raced = true;
                        await tx.blocker.create({
                          data: {
                            reference: `B-${first}`,
                            beneficiaryId: other.id,
                            category: 'money',
                            urgency: 'week',
                          },
                        });
                      }
                      return tx.$queryRawUnsafe(sql, ...args);
                    };
                  },
                }) as typeof db.prisma,
              ),
            );
        },
      });
      const draws = jest.spyOn(crypto, 'randomInt') as unknown as jest.SpyInstance<number, [number, number]>;
      draws.mockReturnValueOnce(first!).mockReturnValueOnce(second!);
      const mine = await reportBlocker(racing, p.id, { category: 'housing', urgency: 'today' }, self(p.id));
      expect(raced).toBe(true);
      expect(mine).toMatchObject({ reference: `B-${second}`, category: 'housing', urgency: 'today', status: 'open' });
      expect(await db.prisma.blocker.findMany({ where: { beneficiaryId: p.id }, select: { reference: true } })).toEqual(
        [{ reference: `B-${second}` }],
      );
      const events = await db.prisma.caseEvent.findMany({ where: { beneficiaryId: p.id, type: 'blocker_reported' } });
      expect(events.map((e) => (e.payload as { reference: string }).reference)).toEqual([`B-${second}`]);
      expect(events[0]!.attention).toBe(true);
    });

    test('a voice note is kept on the blocker and said in the event', async () => {
      const p = await newPerson();
      const voice = { contentType: 'audio/ogg', url: 'https://media.example.org/1.ogg' };
      const v = await reportBlocker(
        db.prisma,
        p.id,
        { category: 'childcare', urgency: 'today', attachments: [voice] },
        self(p.id),
      );
      await expect(db.prisma.blocker.findUniqueOrThrow({ where: { id: v.id } })).resolves.toMatchObject({
        attachments: [voice],
        description: null,
        status: 'open',
      });
      await expect(db.prisma.caseEvent.findFirstOrThrow({ where: { beneficiaryId: p.id } })).resolves.toMatchObject({
        attention: true,
        payload: { voiceNote: true, category: 'childcare', urgency: 'today' },
      });
    });
  });

  test("openBlockers: open and in progress, newest first, only the person's own", async () => {
    const [p, other] = [await newPerson(), await newPerson()];
    const base = Date.UTC(2025, 2, 1);
    const row = (beneficiaryId: number, status: string, minutes: number) => ({
      reference: `B-T${++seq}`,
      beneficiaryId,
      category: 'transport',
      urgency: 'week',
      status,
      createdAt: new Date(base + minutes * 60_000),
    });
    await db.prisma.blocker.createMany({
      data: [
        row(p.id, 'open', 1),
        row(p.id, 'resolved', 2),
        row(p.id, 'in_progress', 3),
        row(p.id, 'closed_by_mistake', 4),
        row(other.id, 'open', 5),
      ],
    });
    const open = await openBlockers(db.prisma, p.id);
    expect(open.map((b) => b.status)).toEqual(['in_progress', 'open']);
    expect(open.every((b) => b.reference.startsWith('B-T'))).toBe(true);
    expect(await openBlockers(db.prisma, (await newPerson()).id)).toEqual([]);
  });

  describe('answering a shift', () => {
    test('a decline exactly 24 h before is not late; a minute less is, and is an alert', async () => {
      const p = await newPerson();
      const pl = await placementFor(p.id);
      const start = at(4, 9);
      const s1 = await shiftOf(pl.id, p.id, start, new Date(start.getTime() + 4 * HOUR));
      const s2 = await shiftOf(pl.id, p.id, start, new Date(start.getTime() + 4 * HOUR));

      expect(await declineShift(db.prisma, p.id, s1.id, 'sick', new Date(start.getTime() - DAY), self(p.id))).toEqual({
        status: 'declined',
        late: false,
      });
      const oneMinuteLess = new Date(start.getTime() - DAY + 60_000);
      expect(await declineShift(db.prisma, p.id, s2.id, 'transport', oneMinuteLess, self(p.id))).toEqual({
        status: 'declined',
        late: true,
      });

      expect(await alertsAndPayloads(db.prisma, p.id, 'shift_declined', 'late', 'reason')).toEqual([
        [false, false, 'sick'],
        [true, true, 'transport'],
      ]);
      await expect(db.prisma.shift.findUniqueOrThrow({ where: { id: s2.id } })).resolves.toMatchObject({
        confirmation: 'declined',
        declineReason: 'transport',
        respondedAt: oneMinuteLess,
      });
    });

    test("a started shift, someone else's, or a cancelled placement's cannot be answered (nor listed)", async () => {
      const [p, other] = [await newPerson(), await newPerson()];
      const pl = await placementFor(p.id);
      const cancelled = await placementFor(p.id, 'sas_iae', { startDate: at(1, 0), endDate: at(31, 0) }, 'cancelled');
      const mk = (placementId: number, start: Date) =>
        shiftOf(placementId, p.id, start, new Date(start.getTime() + HOUR));
      const started = await mk(pl.id, at(3, 9));
      const ofCancelled = await mk(cancelled.id, at(5, 9));
      const fine = await mk(pl.id, at(5, 14));

      expect(await confirmShift(db.prisma, p.id, started.id, NOW, self(p.id))).toEqual({ status: 'started' });
      expect(await confirmShift(db.prisma, other.id, fine.id, NOW, self(other.id))).toEqual({ status: 'not_found' });
      expect(await confirmShift(db.prisma, p.id, ofCancelled.id, NOW, self(p.id))).toEqual({ status: 'not_found' });
      expect(await db.prisma.caseEvent.count({ where: { beneficiaryId: { in: [p.id, other.id] } } })).toBe(0);
      expect((await upcomingShifts(db.prisma, p.id, NOW)).map((s) => s.id)).toEqual([fine.id]);

      expect(await confirmShift(db.prisma, p.id, fine.id, NOW, self(p.id))).toEqual({ status: 'confirmed' });
      await expect(db.prisma.caseEvent.findFirstOrThrow({ where: { beneficiaryId: p.id } })).resolves.toMatchObject({
        type: 'shift_confirmed',
        attention: false,
      });
    });
  });

  describe('agenda', () => {
    test('bookings, shifts, immersion days in time order; weekends and shift days have no immersion line', async () => {
      const p = await newPerson();
      const sas = await placementFor(p.id);
      // Thursday 6 to Tuesday 18 March (past the 14 days from Monday 3, 9:00)
      const imm = await placementFor(
        p.id,
        'immersion',
        { startDate: new Date('2025-03-06T00:00:00Z'), endDate: new Date('2025-03-18T00:00:00Z') },
        'planned',
      );
      await shiftOf(sas.id, p.id, at(7, 8), at(7, 12));
      await shiftOf(sas.id, p.id, at(4, 13), at(4, 17));
      const workshop = await db.prisma.workshop.create({
        data: { code: `w${++seq}`, category: 'digital', title: 'Numérique' },
      });
      const session = await db.prisma.workshopSession.create({
        data: { workshopId: workshop.id, startsAt: at(6, 14), endsAt: at(6, 16), place: 'Blois', capacity: 5 },
      });
      await db.prisma.booking.create({ data: { sessionId: session.id, beneficiaryId: p.id, status: 'booked' } });

      const items = await agenda(db.prisma, p.id, NOW, TZ);
      const summary = items.map((i) => `${i.kind} ${i.startsAt.toISOString()}`);
      expect(summary).toEqual([
        `shift ${at(4, 13).toISOString()}`,
        `immersion ${at(6, 0).toISOString()}`,
        `workshop ${at(6, 14).toISOString()}`,
        // Friday 7 has a shift: no immersion line; Saturday 8 and Sunday 9 are skipped
        `shift ${at(7, 8).toISOString()}`,
        ...[10, 11, 12, 13, 14, 17].map((d) => `immersion ${at(d, 0).toISOString()}`),
        // Monday 17, 0:00 is before the end of the window (Monday 17, 9:00); Tuesday 18 is after it
      ]);
      expect(items.find((i) => i.kind === 'immersion')).toMatchObject({ structure: imm.structure.name });
    });

    test('an immersion that ends today is still shown today, whatever the hour', async () => {
      const p = await newPerson();
      // Monday 3 March, stored as the local midnight and as the UTC midnight
      await placementFor(p.id, 'immersion', { startDate: at(1, 0), endDate: at(3, 0) }, 'active');
      await placementFor(
        p.id,
        'immersion',
        { startDate: new Date('2025-02-24T00:00:00Z'), endDate: new Date('2025-03-03T00:00:00Z') },
        'active',
      );
      const evening = at(3, 18);
      const items = await agenda(db.prisma, p.id, evening, TZ);
      expect(items.map((i) => [i.kind, i.startsAt.toISOString()])).toEqual([
        ['immersion', at(3, 0).toISOString()],
        ['immersion', at(3, 0).toISOString()],
      ]);
      // and gone the next day
      expect(await agenda(db.prisma, p.id, at(4, 8), TZ)).toEqual([]);
    });
  });
});
