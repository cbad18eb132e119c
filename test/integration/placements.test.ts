// The placement rules on SQLite and PostgreSQL, through the service: the last seats of an SIAE
// taken by many CIPs at the same moment (each through their own database client, like several
// server instances), one person placed twice at once past the 4 months, and the day arithmetic
// of the 4-month rule.
import {
  PlacementRefused,
  addMonths,
  createPlacement,
  updatePlacement,
  type NewPlacement,
} from '../../bot/services/placements';
import { testDatabases, useInstances } from '../support/databases';

const INSTANCES = 12;
const staff = { type: 'staff' as const, id: 1 };
const day = (d: string) => new Date(`${d}T00:00:00.000Z`);

test('4 calendar months from a day: the same day, or the last of a shorter month', () => {
  expect(addMonths(day('2026-01-15'), 4)).toEqual(day('2026-05-15'));
  expect(addMonths(day('2026-10-31'), 4)).toEqual(day('2027-02-28'));
  expect(addMonths(day('2027-10-31'), 4)).toEqual(day('2028-02-29'));
  expect(addMonths(day('2026-09-30'), 4)).toEqual(day('2027-01-30'));
});

describe.each(testDatabases())('placements at the same moment on $name', (kind) => {
  const instances = useInstances(kind, INSTANCES);
  let seq = 0;

  const prisma = () => instances[0].prisma;
  const siae = (capacity?: number) =>
    prisma().structure.create({ data: { name: `SIAE ${++seq}`, kind: 'siae', ...(capacity && { capacity }) } });
  const person = () => prisma().beneficiary.create({ data: { firstName: `P${++seq}`, status: 'active' } });
  const sas = (beneficiaryId: number, structureId: number, startDate: string, endDate: string): NewPlacement => ({
    beneficiaryId,
    structureId,
    kind: 'sas_iae',
    startDate: day(startDate),
    endDate: day(endDate),
  });

  /** What each call ended with: created, or the reason of its refusal. */
  const settle = (calls: Promise<unknown>[]) =>
    Promise.all(
      calls.map((c) =>
        c.then(
          () => 'created',
          (err: unknown) => {
            if (err instanceof PlacementRefused) return err.reason;
            throw err;
          },
        ),
      ),
    );
  const tally = (outcomes: string[]) =>
    outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});

  test(`${INSTANCES} CIPs place ${INSTANCES} people in one SIAE (2 seats) at once: exactly 2 get in`, async () => {
    const s = await siae();
    const people = await Promise.all(Array.from({ length: INSTANCES }, person));
    const outcomes = await settle(
      people.map((p, i) => createPlacement(instances[i], sas(p.id, s.id, '2026-03-01', '2026-04-30'), staff)),
    );

    expect(tally(outcomes)).toEqual({ created: 2, capacity: INSTANCES - 2 });
    const rows = await prisma().placement.findMany({ where: { structureId: s.id } });
    expect(rows).toHaveLength(2);
    const events = await prisma().caseEvent.findMany({
      where: { type: 'placement_created', beneficiaryId: { in: people.map((p) => p.id) } },
    });
    expect(events.map((e) => e.beneficiaryId).sort()).toEqual(rows.map((r) => r.beneficiaryId).sort());
  });

  test('one seat left, two at once, five times: one gets it each time', async () => {
    for (let round = 0; round < 5; round++) {
      const s = await siae();
      const [first, a, b] = [await person(), await person(), await person()];
      await createPlacement(instances[0], sas(first.id, s.id, '2026-03-01', '2026-04-30'), staff);
      const outcomes = await settle([
        createPlacement(instances[2 * round + 1], sas(a.id, s.id, '2026-04-01', '2026-05-31'), staff),
        createPlacement(instances[2 * round + 2], sas(b.id, s.id, '2026-04-15', '2026-06-15'), staff),
      ]);
      expect(outcomes.sort()).toEqual(['capacity', 'created']);
      expect(await prisma().placement.count({ where: { structureId: s.id } })).toBe(2);
    }
  });

  test('an edit and a new placement racing for the last seat: one wins', async () => {
    const s = await siae();
    const [a, b, c] = [await person(), await person(), await person()];
    await createPlacement(instances[0], sas(a.id, s.id, '2026-03-01', '2026-03-31'), staff);
    const moved = await createPlacement(instances[0], sas(b.id, s.id, '2026-05-01', '2026-05-31'), staff);
    // b moves to March while c is placed in March: both would make three.
    const outcomes = await settle([
      updatePlacement(instances[1], moved.id, { startDate: day('2026-03-10'), endDate: day('2026-04-10') }, staff),
      createPlacement(instances[2], sas(c.id, s.id, '2026-03-15', '2026-03-31'), staff),
    ]);
    expect(outcomes.sort()).toEqual(['capacity', 'created']);
  });

  test('one person placed at two SIAE at once, 3 months each: only one of them stays', async () => {
    const [s1, s2] = [await siae(), await siae()];
    const p = await person();
    const outcomes = await settle([
      createPlacement(instances[3], sas(p.id, s1.id, '2026-01-01', '2026-03-31'), staff),
      createPlacement(instances[4], sas(p.id, s2.id, '2026-04-01', '2026-06-30'), staff),
    ]);
    expect(outcomes.sort()).toEqual(['created', 'sas_duration']);
    expect(await prisma().placement.count({ where: { beneficiaryId: p.id } })).toBe(1);
  });

  test('the 4 months: up to the same day 4 months on, gaps not counted, cancelled steps not counted', async () => {
    const [s1, s2, s3] = [await siae(), await siae(), await siae()];
    const p = await person();
    const first = await createPlacement(instances[0], sas(p.id, s1.id, '2026-01-15', '2026-02-28'), staff);
    // 45 + 30 days, a gap in March: 75 of the 121 days to 2026-05-15.
    await createPlacement(instances[0], sas(p.id, s2.id, '2026-04-01', '2026-04-30'), staff);
    // 46 more days would make 121: exactly the 4 months.
    const third = await createPlacement(instances[0], sas(p.id, s3.id, '2026-06-01', '2026-07-16'), staff);
    await expect(updatePlacement(instances[0], third.id, { endDate: day('2026-07-17') }, staff)).rejects.toMatchObject({
      reason: 'sas_duration',
    });
    // Cancelling the first step frees its days.
    await updatePlacement(instances[0], first.id, { status: 'cancelled' }, staff);
    await updatePlacement(instances[0], third.id, { endDate: day('2026-08-31') }, staff);
    // ...and bringing it back is checked again.
    await expect(updatePlacement(instances[0], first.id, { status: 'planned' }, staff)).rejects.toMatchObject({
      reason: 'sas_duration',
    });
    // Other kinds of placement do not count.
    const company = await prisma().structure.create({ data: { name: `Company ${++seq}`, kind: 'company' } });
    await createPlacement(
      instances[0],
      {
        beneficiaryId: p.id,
        structureId: company.id,
        kind: 'immersion',
        startDate: day('2026-09-01'),
        endDate: day('2027-03-31'),
      },
      staff,
    );
  });

  test('the seats count people on the same days: one leaving before another comes frees the seat between', async () => {
    const s = await siae();
    const [a, b, c, d] = [await person(), await person(), await person(), await person()];
    await createPlacement(instances[0], sas(a.id, s.id, '2026-01-01', '2026-01-31'), staff);
    await createPlacement(instances[0], sas(b.id, s.id, '2026-03-01', '2026-03-31'), staff);
    // c overlaps a and b, but never both on one day: two at most.
    await createPlacement(instances[0], sas(c.id, s.id, '2026-01-15', '2026-03-15'), staff);
    // d on 2026-01-20 would be the third (a and c).
    await expect(
      createPlacement(instances[0], sas(d.id, s.id, '2026-01-20', '2026-02-10'), staff),
    ).rejects.toMatchObject({ reason: 'capacity', message: expect.stringContaining('2026-01-20') });
    // In February only c is there.
    await createPlacement(instances[0], sas(d.id, s.id, '2026-02-01', '2026-02-28'), staff);
  });
});
