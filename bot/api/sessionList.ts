// GET /api/cip/sessions?from=&to=: the workshop sessions of a period (past ones too: to mark who
// came), with their workshop's title and seats. No personal data.
import { z } from 'zod';
import { ANY_STAFF, invalid, notFound, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { day, idParams, int, list } from './schemas';
import { all } from './handlers';
import { sessionSlot } from './workshops';

const DAY_MS = 24 * 3600_000;
/** A session as the lists show it: with its workshop's code and title. */
export const listedSession = z.object({
  id: int,
  workshopId: int,
  workshopCode: z.string(),
  title: z.string(),
  ...sessionSlot,
  status: z.string(),
  audience: z.string(),
});

export function sessionListRoutes(api: Api, { db }: ApiDeps): void {
  const anyStaff = routesFor(api, 'workshops', ANY_STAFF);
  anyStaff.get(
    '/api/cip/sessions',
    'Workshop sessions from one day to another (both included; default: the last 14 days and the next 14)',
    { query: z.object({ from: day.optional(), to: day.optional() }), response: list(listedSession) },
    async (ctx, { query }) => {
      const today = new Date(Date.UTC(ctx.now.getUTCFullYear(), ctx.now.getUTCMonth(), ctx.now.getUTCDate()));
      const from = query.from ?? new Date(today.getTime() - 14 * DAY_MS);
      const to = query.to ?? new Date(today.getTime() + 14 * DAY_MS);
      if (to < from) throw invalid([{ path: 'query.to', message: 'must not be before from' }], 'query');
      if (to.getTime() - from.getTime() > 366 * DAY_MS)
        throw invalid([{ path: 'query.to', message: 'at most a year' }], 'query');
      const rows = await db.prisma.workshopSession.findMany({
        where: { startsAt: { gte: from, lt: new Date(to.getTime() + DAY_MS) } },
        include: { workshop: { select: { title: true, code: true } } },
        orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
      });
      const items = rows.map(({ workshop, createdAt: _c, updatedAt: _u, ...s }) => ({
        ...s,
        title: workshop.title,
        workshopCode: workshop.code,
      }));
      return all(items);
    },
  );

  anyStaff.get(
    '/api/cip/sessions/:id',
    'A workshop session',
    { params: idParams, response: listedSession },
    async (_ctx, { params }) => {
      const found = await db.prisma.workshopSession.findUnique({
        where: { id: params.id },
        include: { workshop: { select: { title: true, code: true } } },
      });
      if (!found) throw notFound('Session');
      const { workshop, createdAt: _c, updatedAt: _u, ...s } = found;
      return { ...s, title: workshop.title, workshopCode: workshop.code };
    },
  );
}
