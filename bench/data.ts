// The bench database: the demo data (sessions of 8 and 12 seats, which fill up: the waiting list
// gets used), plus a session of 1,000 seats a day for each age group over the next six days, so
// that every person finds sessions to book. What people book (the soonest sessions) starts within
// the 14 days of the agenda.
import type { Db } from '../bot/db/client';
import { addLocalDays, zonedTime } from '../bot/services/time';
import { seedDemoData } from '../prisma/seed';

const TIME_ZONE = 'Europe/Paris'; // the bot's default (appTimezone)

export async function seedBench(db: Db, now = new Date()): Promise<void> {
  await seedDemoData(db, { now, timeZone: TIME_ZONE });
  const workshops = await db.workshop.findMany({ orderBy: { id: 'asc' } });
  const sessions = workshops.flatMap((workshop, i) => {
    const day = addLocalDays(now, i + 1, TIME_ZONE);
    return (['over25', 'under25'] as const).map((audience, j) => {
      const startsAt = zonedTime(day.year, day.month, day.day, 10 + 4 * j, 0, TIME_ZONE);
      const endsAt = new Date(startsAt.getTime() + workshop.durationMinutes * 60_000);
      return {
        workshopId: workshop.id,
        startsAt,
        endsAt,
        place: 'Passerelle, 3 rue des Écoles, Blois',
        capacity: 1000,
        audience,
      };
    });
  });
  await db.workshopSession.createMany({ data: sessions });
}
