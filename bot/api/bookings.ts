// Bookings of workshop sessions by staff, for the cases in their scope: the same rules as a booking
// by chat (bot/services/workshops.ts: seats, waiting list, age group), recorded as made by the
// member of staff (source "cip"). A session's list shows a CIP only the people in their scope.
import { z } from 'zod';
import { book, cancelBooking } from '../services/workshops';
import { ANY_STAFF, conflict, notFound, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { about, all, byId, byStaff, given, idsOf, inScopeById } from './handlers';
import { caseInScope, caseScope } from './scope';
import { id, idParams, int, list, personRef, record, timestamp } from './schemas';

export const booking = record({
  sessionId: int,
  beneficiaryId: int,
  /** booked | waitlisted | cancelled | attended | no_show */
  status: z.string(),
  /** chat | broadcast | cip */
  source: z.string(),
  waitlistedAt: timestamp.nullable(),
  cancelledAt: timestamp.nullable(),
});

const listedBooking = booking.extend({ beneficiary: personRef });
const made = booking.extend({
  position: int.nullable().describe('place on the waiting list (1: next to get a seat)'),
  seatsLeft: int,
});
const cancelled = booking.extend({ promoted: z.boolean().describe('the freed seat went to the first person waiting') });

const bookBody = z.object({
  beneficiaryId: id,
  waitlistIfFull: z.boolean().default(true),
  /** book a session of the other age group (a CIP's decision) */
  ignoreAgeGroup: z.boolean().default(false),
});
const bookingStatus = z.enum(['booked', 'waitlisted', 'cancelled', 'attended', 'no_show']);

/** The refusals of a booking that are a plain 409: the service's outcome -> the reason the API gives. */
const CONFLICTS = {
  cancelled: 'session.cancelled',
  started: 'session.started',
  full: 'booking.full',
  already_booked: 'booking.hasSeat',
  already_waitlisted: 'booking.waitlisted',
} as const;

export function bookingRoutes(api: Api, { db: { prisma } }: ApiDeps): void {
  const anyStaff = routesFor(api, 'bookings', ANY_STAFF);
  const aSession = byId('Session', (id) => prisma.workshopSession.findUnique({ where: { id } }));
  const aBooking = inScopeById('Booking', (where) => prisma.booking.findFirst({ where }));

  anyStaff.get(
    '/api/cip/sessions/:id/bookings',
    "A session's bookings and waiting list (a CIP sees the people in their scope)",
    { record: aSession, query: z.object({ status: bookingStatus.optional() }), response: list(listedBooking) },
    async (ctx, { found: session, query }) => {
      const items = await prisma.booking.findMany({
        where: {
          sessionId: session.id,
          beneficiary: caseScope(ctx.staff),
          ...given(query, ['status']),
        },
        include: { beneficiary: { select: { id: true, firstName: true, lastName: true } } },
        // Seats first, then the waiting list in the order it gets seats.
        orderBy: [{ status: 'asc' }, { waitlistedAt: 'asc' }, { id: 'asc' }],
      });
      await ctx.audit({ action: 'read', resource: 'booking', detail: { sessionId: session.id, ...idsOf(items) } });
      return all(items);
    },
  );

  anyStaff.post(
    '/api/cip/sessions/:id/bookings',
    'Book a seat for a person (or a place on the waiting list when full)',
    { params: idParams, body: bookBody, response: made, status: 201 },
    async (ctx, { params, body }) => {
      const person = await caseInScope(prisma, ctx.staff, body.beneficiaryId);
      if (person.status === 'archived' || person.status === 'erased') throw conflict(`case.${person.status}`);
      const outcome = await book(prisma, person.id, params.id, ctx.now, {
        actor: byStaff(ctx),
        source: 'cip',
        waitlistIfFull: body.waitlistIfFull,
        ignoreAgeGroup: body.ignoreAgeGroup,
      });
      if (outcome.status !== 'booked' && outcome.status !== 'waitlisted') {
        if (outcome.status === 'not_found') throw notFound('Session');
        if (outcome.status === 'not_eligible') {
          const { audience } = await prisma.workshopSession.findUniqueOrThrow({ where: { id: params.id } });
          if (!person.birthYear) throw conflict('booking.birthYearUnknown');
          throw conflict(audience === 'under25' ? 'booking.under25Only' : 'booking.over25Only');
        }
        throw conflict(CONFLICTS[outcome.status]);
      }
      const row = await prisma.booking.findUniqueOrThrow({ where: { id: outcome.bookingId } });
      await ctx.audit({
        action: 'create',
        resource: 'booking',
        ...about(row),
        detail: { sessionId: params.id, status: outcome.status },
      });
      return {
        ...row,
        position: outcome.status === 'waitlisted' ? outcome.position : null,
        seatsLeft: outcome.session.seatsLeft,
      };
    },
  );

  anyStaff.del(
    '/api/cip/bookings/:id',
    'Cancel a booking or a place on the waiting list (a freed seat goes to the first person waiting)',
    { record: aBooking, response: cancelled },
    async (ctx, { found }) => {
      // The promotion, if any, queued its own notification to the person who got the seat.
      const outcome = await cancelBooking(prisma, found.beneficiaryId, found.id, ctx.now, byStaff(ctx));
      if (outcome.status !== 'cancelled') {
        if (outcome.status === 'not_found') throw notFound('Booking');
        if (outcome.status === 'started') throw conflict('booking.sessionStarted');
        throw conflict(
          ['attended', 'no_show'].includes(found.status)
            ? `booking.closed.${found.status}`
            : 'booking.cancelledAlready',
        );
      }
      const row = await prisma.booking.findUniqueOrThrow({ where: { id: found.id } });
      await ctx.audit({
        action: 'update',
        resource: 'booking',
        ...about(row),
        detail: { cancelled: true, was: found.status },
      });
      return { ...row, promoted: outcome.promotedBeneficiaryId !== undefined };
    },
  );
}
