// A case's workshop bookings and immersion check-ins, for the person's page: newest first, in
// one's scope, audited like the other reads of a case.
import { z } from 'zod';
import { ANY_STAFF, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { ofCase } from './handlers';
import { idParams, int, list, textOrNull, timestamp } from './schemas';
import { listedSession } from './sessionList';

const booking = z.object({
  id: int,
  status: z.string(),
  source: z.string(),
  createdAt: timestamp,
  session: listedSession.pick({ id: true, startsAt: true, place: true, status: true, title: true }),
});
const checkIn = z.object({
  id: int,
  day: z.string(),
  status: z.string(),
  note: textOrNull,
  answeredAt: timestamp.nullable(),
  structure: z.string(),
});

export function caseActivityRoutes(api: Api, { db: { prisma } }: ApiDeps): void {
  /** A person's workshop bookings, newest session first, with their session's title. */
  async function bookingsOf(beneficiaryId: number) {
    const rows = await prisma.booking.findMany({
      where: { beneficiaryId },
      include: { session: { include: { workshop: { select: { title: true } } } } },
      orderBy: { session: { startsAt: 'desc' } },
      take: 200,
    });
    return rows.map((r) => ({
      id: r.id,
      status: r.status,
      source: r.source,
      createdAt: r.createdAt,
      session: {
        id: r.session.id,
        startsAt: r.session.startsAt,
        place: r.session.place,
        status: r.session.status,
        title: r.session.workshop.title,
      },
    }));
  }

  /** A person's immersion check-ins, newest first, with their structure's name. */
  async function checkInsOf(beneficiaryId: number) {
    const rows = await prisma.checkIn.findMany({
      where: { beneficiaryId },
      include: { placement: { select: { structure: { select: { name: true } } } } },
      orderBy: [{ day: 'desc' }, { id: 'desc' }],
      take: 200,
    });
    return rows.map((r) => ({
      id: r.id,
      day: r.day,
      status: r.status,
      note: r.note,
      answeredAt: r.answeredAt,
      structure: r.placement.structure.name,
    }));
  }

  routesFor(api, 'bookings', ANY_STAFF).get(
    '/api/cip/beneficiaries/:id/bookings',
    "A person's workshop bookings, newest session first",
    { params: idParams, response: list(booking) },
    ofCase(prisma, 'booking', bookingsOf),
  );
  routesFor(api, 'placements', ANY_STAFF).get(
    '/api/cip/beneficiaries/:id/checkins',
    "A person's immersion check-ins, newest first",
    { params: idParams, response: list(checkIn) },
    ofCase(prisma, 'checkin', checkInsOf),
  );
}
