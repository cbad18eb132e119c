// "What needs me today", the staff dashboard's first page (and a script's morning check): in the
// caller's scope, the alerts not acknowledged yet by kind, the pending cases to validate, the people
// without news for 14 days, today's and tomorrow's workshop sessions and shifts, the immersions in
// progress. One audit row lists the people shown.
import { z } from 'zod';
import { ANY_STAFF, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { caseScope } from './scope';
import { int, personRef, timestamp } from './schemas';
import { listedSession } from './sessionList';

const DAY_MS = 24 * 3600_000;
/** People who have not written, nor been written to, for this many days are "without news". */
export const QUIET_DAYS = 14;

export function todayRoutes(api: Api, { db: { prisma } }: ApiDeps): void {
  const anyStaff = routesFor(api, 'alerts', ANY_STAFF);
  anyStaff.get(
    '/api/cip/today',
    'What needs me today: alerts by kind, pending cases, people without news for 14 days, ' +
      'sessions and shifts of today and tomorrow, immersions in progress',
    {
      response: z.object({
        alerts: z.array(z.object({ type: z.string(), count: int })),
        pending: z.array(personRef.extend({ createdAt: timestamp })),
        quiet: z.array(personRef.extend({ lastNews: timestamp })),
        sessions: z.array(
          listedSession.pick({ id: true, title: true, startsAt: true, place: true, bookedCount: true, capacity: true }),
        ),
        shifts: z.array(
          z.object({
            id: int,
            startsAt: timestamp,
            endsAt: timestamp,
            structure: z.string(),
            confirmation: z.string(),
            person: personRef,
          }),
        ),
        immersions: z.array(
          z.object({
            id: int,
            startDate: timestamp,
            endDate: timestamp,
            structure: z.string(),
            person: personRef,
          }),
        ),
      }),
    },
    async (ctx) => {
      const scope = caseScope(ctx.staff);
      const now = ctx.now;
      const startOfDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
      const dayAfterTomorrow = new Date(startOfDay.getTime() + 2 * DAY_MS);
      const quietSince = new Date(now.getTime() - QUIET_DAYS * DAY_MS);
      const pick = { id: true, firstName: true, lastName: true } as const;
      const mine = { AND: [scope, { status: 'active' }] };
      const [alerts, pending, quietCases, sessions, shifts, immersions] = await Promise.all([
        prisma.caseEvent.groupBy({
          by: ['type'],
          where: { attention: true, acknowledgedAt: null, beneficiary: scope },
          _count: { _all: true },
        }),
        prisma.beneficiary.findMany({
          where: { AND: [scope, { status: 'pending' }] },
          select: { ...pick, createdAt: true },
          orderBy: { createdAt: 'asc' },
          take: 50,
        }),
        // Without news: no message either way since quietSince (and the case older than that).
        prisma.beneficiary.findMany({
          where: {
            AND: [mine, { createdAt: { lt: quietSince } }, { messages: { none: { createdAt: { gte: quietSince } } } }],
          },
          select: {
            ...pick,
            createdAt: true,
            messages: { select: { createdAt: true }, orderBy: { createdAt: 'desc' }, take: 1 },
          },
          orderBy: { id: 'asc' },
          take: 50,
        }),
        prisma.workshopSession.findMany({
          where: { startsAt: { gte: startOfDay, lt: dayAfterTomorrow }, status: { not: 'cancelled' } },
          include: { workshop: { select: { title: true } } },
          orderBy: { startsAt: 'asc' },
        }),
        prisma.shift.findMany({
          where: { startsAt: { gte: startOfDay, lt: dayAfterTomorrow }, beneficiary: mine },
          include: { placement: { select: { structure: { select: { name: true } } } }, beneficiary: { select: pick } },
          orderBy: { startsAt: 'asc' },
          take: 100,
        }),
        prisma.placement.findMany({
          where: {
            kind: 'immersion',
            status: { not: 'cancelled' },
            startDate: { lte: now },
            endDate: { gte: startOfDay },
            beneficiary: mine,
          },
          include: { structure: { select: { name: true } }, beneficiary: { select: pick } },
          orderBy: { startDate: 'asc' },
          take: 100,
        }),
      ]);
      const quiet = quietCases.map(({ messages, createdAt, ...p }) => ({
        ...p,
        lastNews: messages[0]?.createdAt ?? createdAt,
      }));
      const shown = new Set(
        [...pending, ...quiet, ...shifts.map((s) => s.beneficiary), ...immersions.map((i) => i.beneficiary)].map(
          (p) => p.id,
        ),
      );
      await ctx.audit({ action: 'read', resource: 'today', detail: { ids: [...shown] } });
      return {
        alerts: alerts.map((a) => ({ type: a.type, count: a._count._all })).sort((a, b) => b.count - a.count),
        pending,
        quiet,
        sessions: sessions.map((s) => ({
          id: s.id,
          title: s.workshop.title,
          startsAt: s.startsAt,
          place: s.place,
          bookedCount: s.bookedCount,
          capacity: s.capacity,
        })),
        shifts: shifts.map((s) => ({
          id: s.id,
          startsAt: s.startsAt,
          endsAt: s.endsAt,
          structure: s.placement.structure.name,
          confirmation: s.confirmation,
          person: s.beneficiary,
        })),
        immersions: immersions.map((i) => ({
          id: i.id,
          startDate: i.startDate,
          endDate: i.endDate,
          structure: i.structure.name,
          person: i.beneficiary,
        })),
      };
    },
  );
}
