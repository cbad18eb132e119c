// GET /api/cip/stats: the statistics of a period for the dashboard (see services/stats.ts for what
// each figure counts). A CIP sees the figures of the people they follow; coordinators and admins
// everyone's, or one CIP's (cipId), or the people placed at one structure (structureId).
import { z } from 'zod';
import { computeStats } from '../services/stats';
import { ANY_STAFF, apiError, type Api, type ApiContext, type ApiDeps } from './http';
import { given } from './handlers';
import { routesFor } from './routes';
import { day, id } from './schemas';

export const statsQuery = z.object({
  from: day.optional().describe('first day (default: 1 January of the year of `to`)'),
  to: day.optional().describe('last day, included (default: today, UTC)'),
  cipId: id.optional().describe('only the people this CIP follows (a CIP: themselves only)'),
  structureId: id.optional().describe('only the people with a placement at this structure'),
});

export type StatsQuery = z.infer<typeof statsQuery>;

/**
 * The period and scope of a stats or export request: 400 when the period ends before it starts, 403 for a CIP asking
 * for another's people.
 */
export function statsFilter(ctx: ApiContext, query: StatsQuery) {
  const to = query.to ?? new Date(`${ctx.now.toISOString().slice(0, 10)}T00:00:00.000Z`);
  const from = query.from ?? new Date(Date.UTC(to.getUTCFullYear(), 0, 1));
  if (to < from)
    throw apiError(
      400,
      'ValidationError',
      'stats.period',
      { from, to },
      { fields: [{ path: 'query.to', message: 'must not be before from' }] },
    );
  if (ctx.staff.role === 'cip' && query.cipId !== undefined && query.cipId !== ctx.staff.id)
    throw apiError(403, 'Forbidden', 'stats.otherCip');
  const cipId = ctx.staff.role === 'cip' ? ctx.staff.id : query.cipId;
  return {
    from,
    to,
    ...(cipId !== undefined && { cipId }),
    ...given(query, ['structureId']),
  };
}

export function statsRoutes(api: Api, { db }: ApiDeps): void {
  const anyStaff = routesFor(api, 'statistics', ANY_STAFF);
  anyStaff.get(
    '/api/cip/stats',
    'Statistics of a period: caseload, exits, durations, sas IAE, workshops, immersions, blockers, ' +
      'POEC cohorts, reach',
    { query: statsQuery, response: z.record(z.string(), z.unknown()) },
    async (ctx, { query }) => {
      const filter = statsFilter(ctx, query);
      const stats = await computeStats(db, filter, ctx.now);
      await ctx.audit({
        action: 'read',
        resource: 'stats',
        detail: { filters: { from: stats.period.from, to: stats.period.to, ...stats.filters } },
      });
      return stats;
    },
  );
}
