// Alerts: the CaseEvents flagged for the CIP's attention (an urgent problem, a late decline, a
// message for the CIP, a check-in asking for help...), of the cases in one's scope; and their
// acknowledgement, which says who saw it and when.
import { z } from 'zod';
import { ANY_STAFF, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { about, given, idsOf, inScopeById, page } from './handlers';
import { caseEvent } from './beneficiaries';
import { caseScope } from './scope';
import { flag, id, int, list, paging } from './schemas';
import { eraseLink } from './erasure';

const alert = caseEvent.extend({
  beneficiaryId: int.nullable(),
  acknowledgedById: int.nullable(),
});
/** An erasure request's alert: where to carry it out, or that it is done. */
const erasureAlert = alert.extend({
  erasure: z
    .object({ done: z.boolean(), erase: z.object({ method: z.literal('POST'), href: z.string() }).optional() })
    .optional(),
});

/** Erasure requests say whether they are done, and link to the erasure while they are not. */
async function withErasure<T extends { type: string; beneficiaryId: number | null }>(
  prisma: ApiDeps['db']['prisma'],
  items: T[],
) {
  const ids = [
    ...new Set(
      items.filter((a) => a.type === 'erasure_requested' && a.beneficiaryId !== null).map((a) => a.beneficiaryId!),
    ),
  ];
  const erased = new Set(
    (
      await prisma.beneficiary.findMany({ where: { id: { in: ids }, erasedAt: { not: null } }, select: { id: true } })
    ).map((b) => b.id),
  );
  return items.map((a) =>
    a.type === 'erasure_requested' && a.beneficiaryId !== null
      ? {
          ...a,
          erasure: erased.has(a.beneficiaryId) ? { done: true } : { done: false, erase: eraseLink(a.beneficiaryId) },
        }
      : a,
  );
}

export function alertRoutes(api: Api, { db: { prisma } }: ApiDeps): void {
  const anyStaff = routesFor(api, 'alerts', ANY_STAFF);
  const anAlert = inScopeById('Alert', (where) => prisma.caseEvent.findFirst({ where: { ...where, attention: true } }));
  anyStaff.get(
    '/api/cip/alerts',
    'Alerts of the cases in my scope, newest first (not acknowledged ones unless told)',
    {
      query: z.object({ acknowledged: flag.default(false), beneficiaryId: id.optional(), ...paging }),
      response: list(erasureAlert),
    },
    async (ctx, { query }) => {
      const where = {
        attention: true,
        acknowledgedAt: query.acknowledged ? { not: null } : null,
        ...given(query, ['beneficiaryId']),
        beneficiary: caseScope(ctx.staff),
      };
      const { items, total } = await page(query, (window) => [
        prisma.caseEvent.findMany({ where, orderBy: { id: 'desc' }, ...window }),
        prisma.caseEvent.count({ where }),
      ]);
      await ctx.audit({ action: 'read', resource: 'alert', detail: idsOf(items) });
      return { items: await withErasure(prisma, items), total };
    },
  );

  anyStaff.post(
    '/api/cip/alerts/:id/acknowledge',
    'Acknowledge an alert',
    { record: anAlert, response: alert },
    async (ctx, { found }) => {
      const updated = found.acknowledgedAt
        ? found
        : await prisma.caseEvent.update({
            where: { id: found.id },
            data: { acknowledgedAt: ctx.now, acknowledgedById: ctx.staff.id },
          });
      await ctx.audit({ action: 'update', resource: 'alert', ...about(found) });
      return updated;
    },
  );
}
