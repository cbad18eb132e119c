// Placements (the steps of a journey) of the cases in one's scope: record one, change its dates,
// status, tutor or notes, list a person's. The rules (SIAE seats, the 4 months of sas IAE, the
// tutor's structure) live in bot/services/placements.ts; a refusal is a 409 with its reason.
import { z } from 'zod';
import {
  PLACEMENT_KINDS,
  PLACEMENT_STATUSES,
  PlacementRefused,
  createPlacement,
  updatePlacement,
} from '../services/placements';
import { ANY_STAFF, conflict, invalid, notFound, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { about, audited, byStaff, fieldsOf, given, inScopeById, ofCase } from './handlers';
import { caseInScope } from './scope';
import { day, id, idParams, int, list, record, ref, someOf, text, textOrNull, timestamp } from './schemas';

export const placementKind = z.enum(PLACEMENT_KINDS);
export const placementStatus = z.enum(PLACEMENT_STATUSES);

export const placement = record({
  beneficiaryId: int,
  structureId: int,
  tutorId: int.nullable(),
  kind: z.string(),
  /** the first day (midnight UTC) */
  startDate: timestamp,
  /** the last day, included (midnight UTC) */
  endDate: timestamp,
  status: z.string(),
  notes: textOrNull,
}).extend({ structure: ref.extend({ kind: z.string() }) });

const createBody = z
  .object({
    beneficiaryId: id,
    structureId: id,
    tutorId: id.nullable().optional(),
    kind: placementKind,
    startDate: day,
    endDate: day.describe('the last day, included'),
    status: placementStatus.default('planned'),
    notes: text(2000).nullable().optional(),
  })
  .refine((v) => v.endDate > v.startDate, { path: ['endDate'], message: 'must be after startDate' });

const updateBody = someOf({
  startDate: day,
  endDate: day,
  status: placementStatus,
  tutorId: id.nullable(),
  notes: text(2000).nullable(),
}).refine((v) => !v.startDate || !v.endDate || v.endDate > v.startDate, {
  path: ['endDate'],
  message: 'must be after startDate',
});

/** A refusal of the placement rules as the API says it: 404 for a missing record, 409 for a rule. */
export function asApiError(err: unknown): never {
  if (!(err instanceof PlacementRefused)) throw err;
  switch (err.reason) {
    case 'dates':
      throw invalid([{ path: err.field ?? '', message: err.message }]);
    case 'beneficiary_not_found':
      throw notFound('Beneficiary');
    case 'structure_not_found':
      throw notFound('Structure');
    case 'placement_not_found':
      throw notFound('Placement');
    case 'shift_not_found':
      throw notFound('Shift');
    case 'case_archived':
      throw conflict(err.params.status === 'erased' ? 'case.erased' : 'placement.case_archived');
    case 'structure_kind':
      throw conflict(`placement.structure_kind.${err.params.kind}`, err.params);
    case 'capacity':
      throw conflict(err.params.placed === 1 ? 'placement.capacityOne' : 'placement.capacity', err.params);
    case 'placement_closed':
      throw conflict(`placement.placement_closed.${err.params.status}`, err.params);
    default:
      throw conflict(`placement.${err.reason}`, err.params);
  }
}

const withStructure = { structure: { select: { id: true, name: true, kind: true } } } as const;

export function placementRoutes(api: Api, { db, db: { prisma } }: ApiDeps): void {
  const anyStaff = routesFor(api, 'placements', ANY_STAFF);
  /** The placement of this id, with its structure, if its case is in the member's scope. */
  const aPlacement = inScopeById('Placement', (where) => prisma.placement.findFirst({ where, include: withStructure }));

  anyStaff.post(
    '/api/cip/placements',
    'Place a person (the SIAE seat and 4-month sas IAE rules apply)',
    { body: createBody, response: placement, status: 201 },
    async (ctx, { body }) => {
      await caseInScope(prisma, ctx.staff, body.beneficiaryId);
      const created = await createPlacement(db, body, byStaff(ctx)).catch(asApiError);
      await ctx.audit({ action: 'create', resource: 'placement', ...about(created) });
      return prisma.placement.findUniqueOrThrow({ where: { id: created.id }, include: withStructure });
    },
  );

  anyStaff.get(
    '/api/cip/placements/:id',
    'A placement',
    { record: aPlacement, response: placement },
    async (ctx, { found }) => audited(ctx, 'read', 'placement', found),
  );

  anyStaff.patch(
    '/api/cip/placements/:id',
    "Change a placement's dates, status, tutor or notes",
    { record: aPlacement, body: updateBody, response: placement },
    async (ctx, { found, body }) => {
      const updated = await updatePlacement(db, found.id, body, byStaff(ctx)).catch(asApiError);
      await ctx.audit({ action: 'update', resource: 'placement', ...about(updated), detail: fieldsOf(body) });
      return prisma.placement.findUniqueOrThrow({ where: { id: updated.id }, include: withStructure });
    },
  );

  anyStaff.get(
    '/api/cip/beneficiaries/:id/placements',
    "A person's placements, earliest first",
    { params: idParams, query: z.object({ status: placementStatus.optional() }), response: list(placement) },
    ofCase(prisma, 'placement', (beneficiaryId, query) =>
      prisma.placement.findMany({
        where: { beneficiaryId, ...given(query, ['status']) },
        orderBy: [{ startDate: 'asc' }, { id: 'asc' }],
        include: withStructure,
      }),
    ),
  );
}
