// Workshop sessions written straight into the database, for tests that book them.
import type { Db } from '../../bot/db/client';

/** A two-hour session of an existing workshop, from startsAt, in Blois unless `extra` says another place. */
export function sessionOf(
  prisma: Db,
  workshopId: number,
  startsAt: Date,
  capacity: number,
  extra: { audience?: 'under25' | 'over25'; place?: string } = {},
) {
  return prisma.workshopSession.create({
    data: {
      workshopId,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 2 * 3600_000),
      place: 'Blois',
      capacity,
      ...extra,
    },
  });
}

/** A new workshop (of this code) with one session, as sessionOf() makes it. */
export async function newWorkshopSession(prisma: Db, code: string, startsAt: Date, capacity: number) {
  const workshop = await prisma.workshop.create({ data: { code, title: 'Atelier', category: 'digital' } });
  return sessionOf(prisma, workshop.id, startsAt, capacity);
}
