// The demo data (prisma/seed.ts) on a real, freshly migrated database of each provider.
import type { Database } from '../../bot/db/client';
import { DEMO_CIP_EMAIL, isEmpty, seedDemoData } from '../../prisma/seed';
import { testDatabases, useDatabase } from '../support/databases';

const DAY = 86_400_000;
const CATEGORIES = ['codes_soft_skills', 'company_visit', 'culture_sport', 'digital', 'job_search', 'paperwork'];

/** Wall-clock parts of an instant in Paris, computed here independently of bot/services/time.ts. */
function paris(date: Date) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return { weekday: parts.weekday as string, time: `${parts.hour}:${parts.minute}` };
}

async function counts(db: Database) {
  const p = db.prisma;
  const [structures, contacts, staff, workshops, sessions] = await Promise.all([
    p.structure.count(),
    p.contact.count(),
    p.staffUser.count(),
    p.workshop.count(),
    p.workshopSession.count(),
  ]);
  return { structures, contacts, staff, workshops, sessions };
}

describe.each(testDatabases())('demo data on $name', (kind) => {
  // A fresh database for each test.
  const db = useDatabase(kind, 'each');

  test('an empty database gets the demo structures, CIP and workshops; a second run adds nothing', async () => {
    const now = new Date();
    expect(await isEmpty(db.prisma)).toBe(true);

    const summary = await seedDemoData(db.prisma);
    expect(await isEmpty(db.prisma)).toBe(false);
    const after = await counts(db);
    expect(summary).toEqual(after);

    // three SIAE with room for 2 refugees each, in the three sectors
    const structures = await db.prisma.structure.findMany({ include: { contacts: true }, orderBy: { id: 'asc' } });
    const siae = structures.filter((s) => s.kind === 'siae');
    expect(siae).toHaveLength(3);
    expect(siae.every((s) => s.capacity === 2 && s.active)).toBe(true);
    const sectors = siae.map((s) => s.sector!.toLowerCase());
    expect(sectors.some((s) => /maraîchage/.test(s))).toBe(true);
    expect(sectors.some((s) => /seconde main|ressourcerie/.test(s))).toBe(true);
    expect(sectors.some((s) => /nettoyage/.test(s))).toBe(true);
    // a restaurant and a farm
    const companies = structures.filter((s) => s.kind !== 'siae');
    expect(companies).toHaveLength(2);
    expect(companies.map((s) => s.sector).sort()).toEqual(['Agriculture', 'Restauration']);
    expect(structures).toHaveLength(5);
    // each with a contact who can confirm attendance
    for (const s of structures) {
      expect(s.contacts).toHaveLength(1);
      // the range France reserves for fiction (06 39 98 xx xx): a demo contact is never a real person
      expect(s.contacts[0].phone).toMatch(/^\+3363998\d{4}$/);
      expect(s.contacts[0].role).toBe(s.kind === 'siae' ? 'supervisor' : 'tutor');
    }

    // one CIP account
    const staff = await db.prisma.staffUser.findMany();
    expect(staff).toHaveLength(1);
    expect(staff[0]).toMatchObject({ email: DEMO_CIP_EMAIL, role: 'cip', active: true, passwordHash: null });

    // six workshops, one per category, each with upcoming sessions
    const workshops = await db.prisma.workshop.findMany({ include: { sessions: true } });
    expect(workshops).toHaveLength(6);
    expect(workshops.map((w) => w.category).sort()).toEqual(CATEGORIES);
    expect(new Set(workshops.map((w) => w.code)).size).toBe(6);
    const sessions = workshops.flatMap((w) => w.sessions.map((s) => ({ ...s, workshop: w })));
    expect(sessions.length).toBe(after.sessions);
    for (const w of workshops) expect(w.sessions.length).toBeGreaterThan(0);

    for (const s of sessions) {
      // in the future, within the next three weeks
      expect(s.startsAt.getTime()).toBeGreaterThan(now.getTime());
      expect(s.startsAt.getTime()).toBeLessThan(now.getTime() + 21 * DAY);
      // on a weekday, at a working hour, in Paris
      const local = paris(s.startsAt);
      expect(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']).toContain(local.weekday);
      expect(['09:30', '14:00']).toContain(local.time);
      expect(s.endsAt.getTime() - s.startsAt.getTime()).toBe(s.workshop.durationMinutes * 60_000);
      expect(s).toMatchObject({ status: 'scheduled', bookedCount: 0 });
      expect(['over25', 'under25']).toContain(s.audience);
      expect(s.capacity).toBeGreaterThan(0);
    }
    // some sessions are for under-25s (held at the Mission Locale)
    const under25 = sessions.filter((s) => s.audience === 'under25');
    expect(under25.length).toBeGreaterThan(0);
    expect(sessions.some((s) => s.audience === 'over25')).toBe(true);
    expect(under25.every((s) => /Mission Locale/.test(s.place))).toBe(true);

    // a second run adds nothing
    await expect(seedDemoData(db.prisma)).resolves.toEqual({
      structures: 0,
      contacts: 0,
      staff: 0,
      workshops: 0,
      sessions: 0,
    });
    expect(await counts(db)).toEqual(after);
    expect(await isEmpty(db.prisma)).toBe(false);
  });

  test.each([
    ['a Friday evening', '2026-03-27T21:30:00Z'], // the weekend after it changes to summer time
    ['a Saturday', '2026-10-17T10:00:00Z'], // three weeks that cross the change to winter time
    ['Monday 00:30 in Paris (still Sunday in UTC)', '2026-12-27T23:30:00Z'], // three weeks over the new year
  ])('sessions stay on weekdays, at 09:30 or 14:00 Paris time, within three weeks, from %s', async (_label, iso) => {
    const now = new Date(iso);
    await seedDemoData(db.prisma, { now, timeZone: 'Europe/Paris' });
    const sessions = await db.prisma.workshopSession.findMany();
    expect(sessions.length).toBeGreaterThanOrEqual(6);
    for (const s of sessions) {
      const local = paris(s.startsAt);
      expect(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']).toContain(local.weekday);
      expect(['09:30', '14:00']).toContain(local.time);
      expect(s.startsAt.getTime()).toBeGreaterThan(now.getTime());
      expect(s.startsAt.getTime()).toBeLessThan(now.getTime() + 21 * DAY);
    }
    // run again at the same moment: nothing new
    await expect(seedDemoData(db.prisma, { now })).resolves.toMatchObject({ sessions: 0, workshops: 0, structures: 0 });
    expect(await db.prisma.workshopSession.count()).toBe(sessions.length);
  });
});
