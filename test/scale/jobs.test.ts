// The scheduled jobs on three instances of the app on one PostgreSQL database (issue 17): every
// instance runs the same jobs at the same moment (their cron fires together), twice; each person
// gets one check-in and one reminder, each recorded once.
import { postgresKind } from '../support/databases';
import { paris, startProactiveApp, type ProactiveApp, type TestPerson } from '../support/proactiveApp';
import { textOf } from '../support/whatsappApp';

const pg = process.env.PASSERELLE_TEST_PG === '1' ? test : test.skip;
const HOUR = 3600_000;

pg('three instances run the check-ins and the reminders at once, twice: each person gets each once', async () => {
  const first = await startProactiveApp({}, paris(3, 17), { kind: postgresKind });
  const apps: ProactiveApp[] = [first];
  try {
    apps.push(
      await startProactiveApp({}, undefined, { of: first }),
      await startProactiveApp({}, undefined, { of: first }),
    );
    const db = first.h.app.db.prisma;
    const farm = await db.structure.create({ data: { name: 'Ferme', kind: 'company', city: 'Blois' } });
    const workshop = await db.workshopSession.create({
      data: {
        workshopId: (await db.workshop.findFirstOrThrow({ where: { code: 'paperwork' } })).id,
        startsAt: paris(4, 10),
        endsAt: new Date(paris(4, 10).getTime() + 2 * HOUR),
        place: 'Passerelle, Blois',
        capacity: 20,
        audience: 'over25',
        bookedCount: 12,
      },
    });
    const people: TestPerson[] = [];
    for (const language of ['fr', 'ar', 'fa', 'ps', 'ti', 'ru', 'uk', 'en', 'fr', 'ar', 'fa', 'ps'] as const) {
      const p = await first.person(language, { wrote: true });
      await first.placement(p, { structureId: farm.id, from: 2, to: 6 });
      await db.booking.create({
        data: { beneficiaryId: p.id, sessionId: workshop.id, status: 'booked', source: 'chat' },
      });
      people.push(p);
    }
    const everywhere = async (job: string) => {
      for (let round = 0; round < 2; round++) await Promise.all(apps.map((a) => a.run(job)));
      await Promise.all(apps.map((a) => a.drained()));
    };

    await everywhere('checkins');
    first.clock.now = paris(3, 18);
    await everywhere('reminders');

    const graph = first.h.graph;
    for (const p of people) {
      const got = graph.sentTo(p.waId).map(textOf);
      expect(got).toHaveLength(2); // the check-in, then the reminder
    }
    expect(graph.sent).toHaveLength(24);
    expect(await db.checkIn.count()).toBe(12);
    expect(await db.message.count({ where: { kind: 'checkin', direction: 'out' } })).toBe(12);
    expect(await db.message.count({ where: { kind: 'reminder', direction: 'out' } })).toBe(12);
  } finally {
    for (const a of apps.reverse()) await a.close();
  }
});
