// A small fixed data set of 2025 for the statistics and exports tests: eight people of two CIPs,
// four structures, placements, workshop sessions and bookings, check-ins, blockers and messages,
// written straight into the database with the dates each figure depends on. The expected figures
// are worked out by hand in test/api/stats.test.ts.
import type { Db } from '../../bot/db/client';

const d = (s: string) => new Date(s.length === 10 ? `${s}T00:00:00.000Z` : s);

export interface StatsFixture {
  people: Record<'p1' | 'p2' | 'p3' | 'p4' | 'p5' | 'p6' | 'p7' | 'p8', number>;
  structures: Record<'jardins' | 'recyclerie' | 'boulangerie' | 'afpa', number>;
}

export async function loadStatsFixture(prisma: Db, cipA: number, cipB: number, now: Date): Promise<StatsFixture> {
  const person = async (data: Record<string, unknown>) =>
    (await prisma.beneficiary.create({ data: { status: 'active', protectionStatus: 'refugee', ...data } as never })).id;
  const people = {
    p1: await person({
      firstName: 'Amina',
      lastName: 'Diallo',
      cipId: cipA,
      language: 'fr',
      birthYear: 2003,
      entryDate: d('2024-11-10'),
      stage: 'exited',
      exitDate: d('2025-03-10'),
      exitOutcome: 'durable',
      exitDetail: 'cdi',
      phone: '+33639980101',
    }),
    p2: await person({
      firstName: 'Karim',
      cipId: cipA,
      language: 'ar',
      birthYear: 1990,
      protectionStatus: 'subsidiary',
      entryDate: d('2025-02-01'),
      stage: 'exited',
      exitDate: d('2025-06-11'),
      exitOutcome: 'transition',
      exitDetail: 'cdd_short',
    }),
    p3: await person({
      firstName: 'Samir; "le grand"',
      cipId: cipA,
      language: 'ar',
      birthYear: 1975,
      entryDate: d('2025-03-01'),
      stage: 'exited',
      exitDate: d('2025-09-15'),
      exitOutcome: 'other',
      exitDetail: 'looking',
    }),
    p4: await person({
      firstName: 'Farid',
      cipId: cipA,
      language: 'fa',
      birthYear: null,
      protectionStatus: null,
      entryDate: d('2025-05-01'),
      stage: 'sas_iae',
    }),
    p5: await person({
      firstName: 'Gul',
      cipId: cipB,
      language: 'ps',
      birthYear: 2001,
      entryDate: d('2025-01-15'),
      stage: 'exited',
      exitDate: d('2025-04-15'),
      exitOutcome: 'positive',
      exitDetail: 'training',
    }),
    p6: await person({
      firstName: 'Olena',
      cipId: cipB,
      language: 'fr',
      birthYear: 1985,
      entryDate: d('2024-06-01'),
      stage: 'siae',
    }),
    p7: await person({
      firstName: 'Ivan',
      cipId: cipB,
      language: 'uk',
      birthYear: 1995,
      entryDate: d('2025-02-01'),
      status: 'archived',
      archivedAt: d('2025-08-01'),
    }),
    p8: await person({ firstName: 'Tesfay', cipId: cipA, language: 'fr', birthYear: 2000, entryDate: d('2026-01-10') }),
  };
  const structure = async (name: string, kind: string, capacity: number | null = null) =>
    (await prisma.structure.create({ data: { name, kind, capacity } })).id;
  const structures = {
    jardins: await structure('Jardins de Cocagne', 'siae', 2),
    recyclerie: await structure('Recyclerie', 'siae'),
    boulangerie: await structure('Boulangerie Martin', 'company'),
    afpa: await structure('AFPA', 'training'),
  };
  const placement = async (
    beneficiaryId: number,
    structureId: number,
    kind: string,
    start: string,
    end: string,
    status: string,
  ) =>
    (
      await prisma.placement.create({
        data: { beneficiaryId, structureId, kind, startDate: d(start), endDate: d(end), status },
      })
    ).id;
  const { p1, p2, p3, p4, p5, p6, p7 } = people;
  const { jardins, recyclerie, boulangerie, afpa } = structures;
  await placement(p1, afpa, 'poec', '2024-12-01', '2025-02-28', 'ended');
  await placement(p1, boulangerie, 'job', '2025-03-11', '2026-03-10', 'active');
  await placement(p2, afpa, 'poec', '2025-02-03', '2025-02-28', 'ended');
  await placement(p2, recyclerie, 'sas_iae', '2025-04-01', '2025-05-01', 'cancelled');
  await placement(p2, boulangerie, 'work_study', '2025-06-15', '2026-06-14', 'active');
  await placement(p3, recyclerie, 'sas_iae', '2025-03-10', '2025-05-31', 'ended');
  await placement(p4, jardins, 'sas_iae', '2025-06-02', '2025-09-30', 'ended');
  const immersion4 = await placement(p4, boulangerie, 'immersion', '2025-10-06', '2025-10-10', 'ended');
  await placement(p5, afpa, 'poec', '2025-02-03', '2025-02-28', 'ended');
  await placement(p6, afpa, 'poec', '2025-09-01', '2025-10-31', 'ended');
  await placement(p6, jardins, 'sas_iae', '2025-11-01', '2026-02-28', 'active');
  const immersion6 = await placement(p6, boulangerie, 'immersion', '2025-12-29', '2026-01-02', 'ended');
  await placement(p6, boulangerie, 'work_study', '2026-01-05', '2026-12-31', 'planned');

  const workshop = await prisma.workshop.create({
    data: { code: 'cv_workshop_2025', title: 'Atelier CV', category: 'job_search' },
  });
  const session = async (day: string, status = 'scheduled') =>
    (
      await prisma.workshopSession.create({
        data: {
          workshopId: workshop.id,
          startsAt: d(`${day}T09:00:00.000Z`),
          endsAt: d(`${day}T11:00:00.000Z`),
          place: 'Salle 1',
          capacity: 10,
          status,
        },
      })
    ).id;
  const booking = (sessionId: number, beneficiaryId: number, status: string) =>
    prisma.booking.create({ data: { sessionId, beneficiaryId, status, source: 'cip' } });
  const se1 = await session('2025-03-05');
  await booking(se1, p2, 'attended');
  await booking(se1, p3, 'no_show');
  await booking(se1, p6, 'attended');
  await booking(se1, p4, 'waitlisted');
  await booking(se1, p1, 'cancelled');
  const se2 = await session('2025-04-10', 'cancelled');
  await booking(se2, p5, 'booked');
  const se3 = await session('2025-06-20');
  await booking(se3, p1, 'attended');
  await booking(se3, p5, 'booked');
  await booking(se3, p4, 'booked');
  await booking(se3, p7, 'waitlisted');
  const se4 = await session('2026-02-01');
  await booking(se4, p4, 'booked');

  const checkIn = (placementId: number, beneficiaryId: number, day: string, status: string) =>
    prisma.checkIn.create({ data: { placementId, beneficiaryId, day, status } });
  await checkIn(immersion4, p4, '2025-10-06', 'good');
  await checkIn(immersion4, p4, '2025-10-07', 'difficult');
  await checkIn(immersion4, p4, '2025-10-08', 'needs_help');
  await checkIn(immersion4, p4, '2025-10-09', 'no_reply');
  await checkIn(immersion4, p4, '2025-10-10', 'sent');
  await checkIn(immersion6, p6, '2025-12-31', 'good');
  await checkIn(immersion6, p6, '2026-01-02', 'good');

  let ref = 0;
  const blocker = (beneficiaryId: number, category: string, createdAt: Date, status: string, resolvedAt?: Date) =>
    prisma.blocker.create({
      data: {
        reference: `B-9${String(++ref).padStart(3, '0')}`,
        beneficiaryId,
        category,
        urgency: 'week',
        status,
        createdAt,
        resolvedAt: resolvedAt ?? null,
      },
    });
  await blocker(p1, 'housing', d('2025-02-01T10:00:00.000Z'), 'resolved', d('2025-02-11T10:00:00.000Z'));
  await blocker(p2, 'housing', d('2025-03-01T00:00:00.000Z'), 'resolved', d('2025-03-05T00:00:00.000Z'));
  await blocker(p3, 'papers', d('2025-04-01T08:00:00.000Z'), 'open');
  await blocker(p6, 'papers', d('2025-05-01T00:00:00.000Z'), 'resolved', d('2025-05-21T00:00:00.000Z'));
  await blocker(p4, 'transport', d('2024-12-20T00:00:00.000Z'), 'in_progress');
  await blocker(p5, 'housing', d('2025-12-30T00:00:00.000Z'), 'resolved', d('2026-01-05T00:00:00.000Z'));
  await blocker(p4, 'health', new Date(now.getTime() - 2 * 24 * 3600_000), 'open');

  const message = (beneficiaryId: number, channel: string, direction: string, status: string, at: string) =>
    prisma.message.create({
      data: {
        beneficiaryId,
        channel,
        direction,
        status,
        payload: { type: 'message', text: 'bonjour' },
        createdAt: d(at),
      },
    });
  await message(p1, 'whatsapp', 'in', 'received', '2025-02-01T09:00:00.000Z');
  await message(p1, 'webchat', 'out', 'sent', '2025-03-01T09:00:00.000Z');
  await message(p2, 'whatsapp', 'out', 'sent', '2025-05-01T09:00:00.000Z');
  await message(p3, 'whatsapp', 'out', 'failed', '2025-05-01T09:00:00.000Z');
  await message(p5, 'webchat', 'in', 'received', '2025-06-01T09:00:00.000Z');
  await message(p6, 'whatsapp', 'out', 'delivered', '2024-12-01T09:00:00.000Z');
  return { people, structures };
}
