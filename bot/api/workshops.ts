// Workshops and their sessions: any member of staff lists them with their upcoming sessions (seats
// and who is booked how many); coordinators and admins add and change workshops, add sessions,
// change a session's place or seats (never below the people already booked) or cancel it. Cancelling tells each
// booked or waiting person's CIP (an alert on their case) and, before the session starts, the
// person themselves (a notification in their language, unless they said stop). After a session,
// staff mark who came (POST /api/cip/sessions/:id/attendance): attended or no_show.
import { z } from 'zod';
import { isUniqueViolation } from '../db/client';
import { appendCaseEvent } from '../services/caseEvents';
import { queueNotification } from '../services/notifications';
import { ANY_STAFF, MANAGERS, apiError, conflict, invalid, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { about, all, audited, byId, byStaff, fieldsOf, given, updates } from './handlers';
import { caseScope } from './scope';
import { ageGroup, dateTime, flag, id, int, list, record, someOf, text, textOrNull, timestamp } from './schemas';

export const workshopCategory = z.enum([
  'codes_soft_skills',
  'paperwork',
  'job_search',
  'company_visit',
  'digital',
  'culture_sport',
]);
const sessionStatus = z.enum(['scheduled', 'cancelled']);

/** When and where a session is, and its seats: how many, how many taken. */
export const sessionSlot = {
  startsAt: timestamp,
  endsAt: timestamp,
  place: z.string(),
  capacity: int,
  bookedCount: int,
};

export const session = record({
  workshopId: int,
  ...sessionSlot,
  seatsLeft: int,
  waitlistedCount: int,
  audience: z.string(),
  status: z.string(),
});

export const workshop = record({
  code: z.string(),
  title: z.string(),
  category: z.string(),
  description: textOrNull,
  durationMinutes: int,
  active: z.boolean(),
});

const workshopWithSessions = workshop.extend({
  sessions: z.array(session).describe('sessions that have not started, soonest first'),
});

const workshopBody = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/, 'must be lower snake case, e.g. cv_workshop')
    .max(60)
    .describe('stable key, also the translation key of the title (workshops.titles.<code>)'),
  title: z.string().trim().min(1, 'must not be empty').max(200).describe('the French title'),
  category: workshopCategory,
  description: text(2000).nullable().optional(),
  durationMinutes: z
    .number()
    .int()
    .min(15)
    .max(24 * 60),
});

// The code stays as created: it is the translation key of the title in the chat's languages.
const workshopChanges = someOf(workshopBody.omit({ code: true }).extend({ active: z.boolean() }).shape);

const place = z.string().trim().min(1, 'must not be empty').max(300);
const capacity = z.number().int().min(1).max(500);
const sessionBody = z
  .object({ startsAt: dateTime, endsAt: dateTime, place, capacity, audience: ageGroup })
  .refine((v) => v.endsAt > v.startsAt, { path: ['endsAt'], message: 'must be after startsAt' });
const sessionChanges = someOf({ place, capacity, status: sessionStatus });

type SessionRow = { id: number; capacity: number; bookedCount: number };
/** A workshop's sessions that have not started, soonest first. */
const upcoming = (now: Date) => ({
  sessions: { where: { startsAt: { gt: now } }, orderBy: [{ startsAt: 'asc' as const }, { id: 'asc' as const }] },
});

export function workshopRoutes(api: Api, { db: { prisma } }: ApiDeps): void {
  const anyStaff = routesFor(api, 'workshops', ANY_STAFF);
  const managers = routesFor(api, 'workshops', MANAGERS);
  const aWorkshop = byId('Workshop', (id) => prisma.workshop.findUnique({ where: { id } }));
  const withUpcoming = byId('Workshop', (id, ctx) =>
    prisma.workshop.findUnique({ where: { id }, include: upcoming(ctx.now) }),
  );
  const aSession = byId('Session', (id) =>
    prisma.workshopSession.findUnique({ where: { id }, include: { workshop: true } }),
  );

  /** Sessions with their seats left and the length of their waiting lists. */
  async function sessionViews<S extends SessionRow>(rows: S[]) {
    const waiting = await prisma.booking.groupBy({
      by: ['sessionId'],
      where: { sessionId: { in: rows.map((s) => s.id) }, status: 'waitlisted' },
      _count: { _all: true },
    });
    const counts = new Map(waiting.map((w) => [w.sessionId, w._count._all]));
    return rows.map((s) => ({
      ...s,
      seatsLeft: Math.max(0, s.capacity - s.bookedCount),
      waitlistedCount: counts.get(s.id) ?? 0,
    }));
  }

  anyStaff.get(
    '/api/cip/workshops',
    'Workshops with their upcoming sessions',
    {
      query: z.object({ category: workshopCategory.optional(), active: flag.optional() }),
      response: list(workshopWithSessions),
    },
    async (ctx, { query }) => {
      const rows = await prisma.workshop.findMany({
        where: {
          ...given(query, ['category', 'active']),
        },
        include: upcoming(ctx.now),
        orderBy: { id: 'asc' },
      });
      const sessions = new Map((await sessionViews(rows.flatMap((w) => w.sessions))).map((s) => [s.id, s]));
      return {
        items: rows.map((w) => ({ ...w, sessions: w.sessions.map((s) => sessions.get(s.id)!) })),
        total: rows.length,
      };
    },
  );

  managers.post(
    '/api/cip/workshops',
    'Add a workshop',
    { body: workshopBody, response: workshop, status: 201 },
    async (ctx, { body }) => {
      const created = await prisma.workshop.create({ data: body }).catch((err: unknown) => {
        if (isUniqueViolation(err)) throw conflict('workshop.codeTaken', { code: body.code });
        throw err;
      });
      return audited(ctx, 'create', 'workshop', created);
    },
  );

  anyStaff.get(
    '/api/cip/workshops/:id',
    'A workshop with its upcoming sessions',
    { record: withUpcoming, response: workshopWithSessions },
    async (ctx, { found }) => ({ ...found, sessions: await sessionViews(found.sessions) }),
  );

  managers.patch(
    '/api/cip/workshops/:id',
    "Change a workshop's title, category, description, duration, or make it (in)active (its code stays)",
    { record: aWorkshop, body: workshopChanges, response: workshop },
    updates('workshop', (id, data) => prisma.workshop.update({ where: { id }, data })),
  );

  managers.post(
    '/api/cip/workshops/:id/sessions',
    'Add a session of a workshop',
    { record: aWorkshop, body: sessionBody, response: session, status: 201 },
    async (ctx, { found, body }) => {
      if (!found.active) throw conflict('workshop.inactive');
      if (body.startsAt <= ctx.now) throw invalid([{ path: 'startsAt', message: 'must be in the future' }]);
      const created = await prisma.workshopSession.create({ data: { ...body, workshopId: found.id } });
      await ctx.audit({ action: 'create', resource: 'session', ...about(created), detail: { workshopId: found.id } });
      return (await sessionViews([created]))[0];
    },
  );

  managers.patch(
    '/api/cip/sessions/:id',
    "Change a session's place or seats, cancel it or schedule it again",
    { record: aSession, body: sessionChanges, response: session },
    async (ctx, { found: before, body }) => {
      const updated = await prisma.$transaction(async (tx) => {
        if (body.capacity !== undefined) {
          // In one statement with the seat count, so that a booking at the same moment cannot slip in.
          const { count } = await tx.workshopSession.updateMany({
            where: { id: before.id, bookedCount: { lte: body.capacity } },
            data: { capacity: body.capacity },
          });
          if (count !== 1) {
            const { bookedCount } = await tx.workshopSession.findUniqueOrThrow({ where: { id: before.id } });
            throw conflict('session.capacityBelowBooked', { booked: bookedCount });
          }
        }
        const s = await tx.workshopSession.update({
          where: { id: before.id },
          data: { ...(body.place && { place: body.place }), ...(body.status && { status: body.status }) },
        });
        if (body.status === 'cancelled' && before.status !== 'cancelled') {
          const affected = await tx.booking.findMany({
            where: { sessionId: before.id, status: { in: ['booked', 'waitlisted'] } },
          });
          for (const b of affected) {
            await appendCaseEvent(tx, {
              beneficiaryId: b.beneficiaryId,
              type: 'session_cancelled',
              actor: byStaff(ctx),
              payload: {
                bookingId: b.id,
                sessionId: before.id,
                workshop: before.workshop.code,
                startsAt: before.startsAt.toISOString(),
                was: b.status,
              },
              // Their CIP hears of it, and sees that the person was told (below) or not.
              attention: true,
            });
          }
          // The people are told, if the session was still to come and they did not say stop.
          if (before.startsAt > ctx.now) {
            const reachable = await tx.beneficiary.findMany({
              where: {
                id: { in: affected.map((b) => b.beneficiaryId) },
                optedOutAt: null,
                status: { in: ['pending', 'active'] },
              },
              select: { id: true },
            });
            for (const { id: beneficiaryId } of reachable) {
              await queueNotification(
                tx,
                beneficiaryId,
                ctx.now,
                {
                  key: 'notifications.sessionCancelled',
                  session: {
                    id: before.id,
                    workshopCode: before.workshop.code,
                    title: before.workshop.title,
                    startsAt: before.startsAt.toISOString(),
                    place: before.place,
                  },
                },
                { dedupeKey: `session_cancelled:${before.id}:${beneficiaryId}` },
              );
            }
          }
        }
        return s;
      });
      await ctx.audit({ action: 'update', resource: 'session', ...about(updated), detail: fieldsOf(body) });
      return (await sessionViews([updated]))[0];
    },
  );

  const attendanceBody = z.object({
    attendance: z
      .array(z.object({ beneficiaryId: id, status: z.enum(['attended', 'no_show']) }))
      .min(1, 'mark at least one person')
      .max(500)
      .refine((marks) => new Set(marks.map((m) => m.beneficiaryId)).size === marks.length, 'one mark per person'),
  });
  const marked = z.object({
    bookingId: int,
    beneficiaryId: int,
    status: z.string(),
    from: z.string(),
  });

  anyStaff.post(
    '/api/cip/sessions/:id/attendance',
    'Mark who came to a session, once it has ended: attended or no_show (a CIP marks the people in their scope)',
    {
      record: aSession,
      body: attendanceBody,
      response: list(marked),
      errors: { 404: 'No such session', 409: 'The session is cancelled or has not ended yet' },
    },
    async (ctx, { found: session, body }) => {
      if (session.status === 'cancelled') throw conflict('session.cancelled');
      if (session.endsAt > ctx.now) throw conflict('session.notEnded', { endsAt: session.endsAt });
      const ids = body.attendance.map((m) => m.beneficiaryId);
      // Only seats (booked, or marked already: a mark can be corrected), of people in one's scope.
      const seats = await prisma.booking.findMany({
        where: {
          sessionId: session.id,
          beneficiaryId: { in: ids },
          status: { in: ['booked', 'attended', 'no_show'] },
          beneficiary: caseScope(ctx.staff),
        },
      });
      const byPerson = new Map(seats.map((b) => [b.beneficiaryId, b]));
      const missing = body.attendance.flatMap((m, i) =>
        byPerson.has(m.beneficiaryId) ? [] : [{ i, beneficiaryId: m.beneficiaryId }],
      );
      if (missing.length) {
        const first = missing[0];
        throw apiError(
          400,
          'ValidationError',
          'session.notBooked',
          { beneficiaryId: first.beneficiaryId },
          {
            fields: missing.map((m) => ({
              path: `attendance.${m.i}.beneficiaryId`,
              message: 'has no seat on this session',
            })),
          },
        );
      }
      const items = await prisma.$transaction(async (tx) => {
        const out: { bookingId: number; beneficiaryId: number; status: string; from: string }[] = [];
        for (const mark of body.attendance) {
          const seat = byPerson.get(mark.beneficiaryId)!;
          // Conditional on the status read: a booking cancelled meanwhile is not marked.
          const { count } = await tx.booking.updateMany({
            where: { id: seat.id, status: seat.status },
            data: { status: mark.status },
          });
          if (count !== 1) throw conflict('booking.changedMeanwhile');
          out.push({ bookingId: seat.id, beneficiaryId: seat.beneficiaryId, status: mark.status, from: seat.status });
          if (seat.status === mark.status) continue;
          await appendCaseEvent(tx, {
            beneficiaryId: seat.beneficiaryId,
            type: 'workshop_attendance',
            actor: byStaff(ctx),
            payload: {
              bookingId: seat.id,
              sessionId: session.id,
              workshop: session.workshop.code,
              startsAt: session.startsAt.toISOString(),
              status: mark.status,
              from: seat.status,
            },
            // A missed workshop is worth a word from the CIP.
            attention: mark.status === 'no_show',
          });
        }
        return out;
      });
      await ctx.audit({
        action: 'update',
        resource: 'session',
        ...about(session),
        detail: { attendance: items.map((m) => ({ bookingId: m.bookingId, status: m.status })) },
      });
      return all(items);
    },
  );
}
