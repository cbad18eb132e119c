// Beneficiaries (the cases) for staff: list and find, create, update, validate a pending case
// (opened by the person on the chat), archive; and a case's timeline of CaseEvents. Every read or
// change writes an AuditEvent; every change a CaseEvent on the case's timeline.
import { z } from 'zod';
import { isUniqueViolation, type Prisma } from '../db/client';
import { appendCaseEvent } from '../services/caseEvents';
import { ANY_STAFF, apiError, conflict, notFound, type Api, type ApiContext, type ApiDeps } from './http';
import { routesFor } from './routes';
import { aboutCase, byStaff, fieldsOf, given, page, shownPage } from './handlers';
import { caseInScope, caseScope } from './scope';
import {
  caseStatus,
  day,
  frenchLevel,
  id,
  idParams,
  int,
  language,
  list,
  name,
  paging,
  personFields,
  protectionStatus,
  reads,
  record,
  someOf,
  stage,
  text,
  textOrNull,
  timestamp,
} from './schemas';

export const beneficiary = record({
  firstName: textOrNull,
  lastName: textOrNull,
  phone: textOrNull,
  language,
  birthYear: int.nullable(),
  protectionStatus: textOrNull,
  frenchLevel: textOrNull,
  reads: textOrNull,
  /** listen | read: what the person chose (null: their reading decides who hears the bot) */
  voiceMode: textOrNull,
  stage: z.string(),
  status: z.string(),
  cipId: int.nullable(),
  consentAt: timestamp.nullable(),
  optedOutAt: timestamp.nullable(),
  /** when the person entered the platform's follow-up */
  entryDate: timestamp,
  /** the exit (POST .../exit): day, IAE reporting category and its detail */
  exitDate: timestamp.nullable(),
  exitOutcome: textOrNull,
  exitDetail: textOrNull,
});

const editable = {
  ...personFields,
  birthYear: z.number().int().min(1930).max(2015).nullable(),
  protectionStatus: protectionStatus.nullable(),
  frenchLevel: frenchLevel.nullable(),
  reads: reads.nullable(),
  voiceMode: z.enum(['listen', 'read']).nullable(),
  stage,
  /** the day the person entered the platform's follow-up (default: when the case is opened) */
  entryDate: day,
  /** the CIP who follows the case (coordinators assign; a CIP takes cases for themselves) */
  cipId: id.nullable(),
};

const createBody = z
  .object({
    ...editable,
    firstName: name,
    /** the person agreed, at the intake with their CIP, to get messages from Passerelle (invitations, check-ins...) */
    consent: z.boolean(),
  })
  .partial()
  .required({ firstName: true });
const updateBody = someOf(editable);

/** The filters of the case list (also those of its CSV export). */
export const caseFilters = {
  status: caseStatus.optional(),
  stage: stage.optional(),
  language: language.optional(),
  /** in the first name, last name or phone */
  q: text(100).optional(),
  /** mine: the cases I follow; unassigned: pending cases nobody took yet */
  scope: z.enum(['mine', 'unassigned', 'all']).default('all'),
  /** the cases a CIP follows */
  cipId: id.optional(),
  /** the people with a placement (not cancelled) at this structure */
  structureId: id.optional(),
};
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- (only its type is used: the list's query)
const caseFilterQuery = z.object(caseFilters);

/**
 * The cases in a member of staff's scope that the filters select. The search ignores case on both
 * databases: SQLite's LIKE does for Latin letters already; PostgreSQL's needs Prisma's insensitive mode
 * (which SQLite refuses).
 */
export function caseListWhere(
  staff: ApiContext['staff'],
  query: z.infer<typeof caseFilterQuery>,
  provider: 'sqlite' | 'postgresql',
): Prisma.BeneficiaryWhereInput {
  const filters: Prisma.BeneficiaryWhereInput[] = [caseScope(staff)];
  if (query.status) filters.push({ status: query.status });
  if (query.stage) filters.push({ stage: query.stage });
  if (query.language) filters.push({ language: query.language });
  if (query.scope === 'mine') filters.push({ cipId: staff.id });
  if (query.scope === 'unassigned') filters.push({ cipId: null, status: 'pending' });
  if (query.cipId) filters.push({ cipId: query.cipId });
  if (query.structureId)
    filters.push({ placements: { some: { structureId: query.structureId, status: { not: 'cancelled' } } } });
  if (query.q) {
    const text =
      provider === 'postgresql' ? { contains: query.q, mode: 'insensitive' as const } : { contains: query.q };
    filters.push({ OR: [{ firstName: text }, { lastName: text }, { phone: { contains: query.q } }] });
  }
  return { AND: filters };
}

const listQuery = z.object({
  ...caseFilters,
  /** the order: by id (default), name, newest entry first, stage */
  sort: z.enum(['id', 'name', 'entry', 'stage']).default('id'),
  ...paging,
});

const ORDER: Record<string, Prisma.BeneficiaryOrderByWithRelationInput[]> = {
  id: [{ id: 'asc' }],
  name: [{ lastName: { sort: 'asc', nulls: 'last' } }, { firstName: 'asc' }, { id: 'asc' }],
  entry: [{ entryDate: 'desc' }, { id: 'desc' }],
  stage: [{ stage: 'asc' }, { id: 'asc' }],
};

const timelineQuery = z.object({ ...paging, type: text(60).optional() });

export const caseEvent = z.object({
  id: int,
  type: z.string(),
  actorType: z.string(),
  actorId: textOrNull,
  payload: z.unknown(),
  attention: z.boolean(),
  acknowledgedAt: timestamp.nullable(),
  createdAt: timestamp,
});

function changes(staffRole: string, staffId: number, input: Partial<Record<keyof typeof editable, unknown>>) {
  // A CIP may take a case for themselves, not give it to someone else.
  if (staffRole === 'cip' && input.cipId !== undefined && input.cipId !== staffId && input.cipId !== null) {
    throw apiError(403, 'Forbidden', 'case.assignOthers');
  }
  return input as Prisma.BeneficiaryUncheckedUpdateInput;
}

async function phoneTaken(err: unknown): Promise<never> {
  if (isUniqueViolation(err)) throw conflict('case.phoneTaken');
  throw err;
}

export function beneficiaryRoutes(api: Api, { db: { prisma, provider } }: ApiDeps): void {
  const anyStaff = routesFor(api, 'beneficiaries', ANY_STAFF);

  anyStaff.get(
    '/api/cip/beneficiaries',
    'List the cases in my scope',
    { query: listQuery, response: list(beneficiary) },
    async (ctx, { query }) => {
      const where = caseListWhere(ctx.staff, query, provider);
      return shownPage(ctx, 'beneficiary', query, (window) => [
        prisma.beneficiary.findMany({ where, orderBy: ORDER[query.sort], ...window }),
        prisma.beneficiary.count({ where }),
      ]);
    },
  );

  anyStaff.post(
    '/api/cip/beneficiaries',
    'Open a case',
    { body: createBody, response: beneficiary, status: 201 },
    async (ctx, { body }) => {
      const { consent, ...fields } = body;
      const data = changes(ctx.staff.role, ctx.staff.id, fields) as Prisma.BeneficiaryUncheckedCreateInput;
      const created = await prisma
        .$transaction(async (tx) => {
          const b = await tx.beneficiary.create({
            data: {
              ...data,
              firstName: body.firstName,
              status: 'active',
              cipId: body.cipId ?? (ctx.staff.role === 'cip' ? ctx.staff.id : null),
              ...(consent && { consentAt: ctx.now }),
            },
          });
          await appendCaseEvent(tx, {
            beneficiaryId: b.id,
            type: 'case_opened',
            actor: byStaff(ctx),
          });
          if (consent)
            await appendCaseEvent(tx, {
              beneficiaryId: b.id,
              type: 'consent_given',
              actor: byStaff(ctx),
              payload: { at: 'intake' },
            });
          return b;
        })
        .catch(phoneTaken);
      await ctx.audit({ action: 'create', resource: 'beneficiary', ...aboutCase(created) });
      return created;
    },
  );

  anyStaff.get(
    '/api/cip/beneficiaries/:id',
    'A case',
    { params: idParams, response: beneficiary },
    async (ctx, { params }) => {
      const b = await caseInScope(prisma, ctx.staff, params.id);
      await ctx.audit({ action: 'read', resource: 'beneficiary', ...aboutCase(b) });
      return b;
    },
  );

  anyStaff.patch(
    '/api/cip/beneficiaries/:id',
    'Change a case',
    { params: idParams, body: updateBody, response: beneficiary },
    async (ctx, { params, body }) => {
      const before = await caseInScope(prisma, ctx.staff, params.id);
      const data = changes(ctx.staff.role, ctx.staff.id, body);
      const updated = await prisma
        .$transaction(async (tx) => {
          const b = await tx.beneficiary.update({ where: { id: before.id }, data });
          await appendCaseEvent(tx, {
            beneficiaryId: b.id,
            type: 'profile_updated',
            actor: byStaff(ctx),
            payload: { fields: Object.keys(body) },
          });
          return b;
        })
        .catch(phoneTaken);
      await ctx.audit({ action: 'update', resource: 'beneficiary', ...aboutCase(updated), detail: fieldsOf(body) });
      return updated;
    },
  );

  anyStaff.post(
    '/api/cip/beneficiaries/:id/validate',
    'Validate a pending case (it becomes active, followed by me or the CIP given)',
    { params: idParams, body: z.object({ cipId: id.optional() }), response: beneficiary },
    async (ctx, { params, body }) => {
      const before = await caseInScope(prisma, ctx.staff, params.id);
      if (before.status !== 'pending') throw conflict('case.notPending', { status: before.status });
      const cipId = body.cipId ?? before.cipId ?? ctx.staff.id;
      changes(ctx.staff.role, ctx.staff.id, { cipId });
      if (!(await prisma.staffUser.findFirst({ where: { id: cipId, active: true } }))) throw notFound('CIP');
      const updated = await prisma.$transaction(async (tx) => {
        const { count } = await tx.beneficiary.updateMany({
          where: { id: before.id, status: 'pending' },
          data: { status: 'active', cipId },
        });
        if (count !== 1) throw conflict('case.validatedMeanwhile');
        await appendCaseEvent(tx, {
          beneficiaryId: before.id,
          type: 'case_validated',
          actor: byStaff(ctx),
          payload: { cipId },
        });
        return tx.beneficiary.findUniqueOrThrow({ where: { id: before.id } });
      });
      await ctx.audit({
        action: 'update',
        resource: 'beneficiary',
        ...aboutCase(updated),
        detail: { validated: true, cipId },
      });
      return updated;
    },
  );

  anyStaff.post(
    '/api/cip/beneficiaries/:id/archive',
    'Archive a case (the journey ended, or the person asked)',
    { params: idParams, body: z.object({ reason: text(500).optional() }), response: beneficiary },
    async (ctx, { params, body }) => {
      const before = await caseInScope(prisma, ctx.staff, params.id);
      if (before.status === 'archived') throw conflict('case.archivedAlready');
      if (before.status === 'erased') throw conflict('case.erased');
      const updated = await prisma.$transaction(async (tx) => {
        const b = await tx.beneficiary.update({
          where: { id: before.id },
          data: { status: 'archived', archivedAt: ctx.now },
        });
        await appendCaseEvent(tx, {
          beneficiaryId: b.id,
          type: 'case_archived',
          actor: byStaff(ctx),
          payload: { ...(body.reason && { reason: body.reason }) },
        });
        return b;
      });
      await ctx.audit({ action: 'archive', resource: 'beneficiary', ...aboutCase(updated) });
      return updated;
    },
  );

  anyStaff.get(
    '/api/cip/beneficiaries/:id/timeline',
    "A case's timeline (CaseEvents), newest first",
    { params: idParams, query: timelineQuery, response: list(caseEvent) },
    async (ctx, { params, query }) => {
      const b = await caseInScope(prisma, ctx.staff, params.id);
      const where = { beneficiaryId: b.id, ...given(query, ['type']) };
      const { items, total } = await page(query, (window) => [
        prisma.caseEvent.findMany({ where, orderBy: { id: 'desc' }, ...window }),
        prisma.caseEvent.count({ where }),
      ]);
      await ctx.audit({ action: 'read', resource: 'timeline', ...aboutCase(b) });
      return { items, total };
    },
  );
}
