// Blockers (housing, childcare, health, papers, transport, money) of the cases in one's scope:
// list and read them, and move them along (open, in progress, resolved) with a note, which goes
// on the case's timeline (blocker_status_changed).
import { z } from 'zod';
import type { Prisma } from '../db/client';
import { BLOCKER_CATEGORIES, URGENCIES } from '../services/blockers';
import { appendCaseEvent } from '../services/caseEvents';
import { ANY_STAFF, conflict, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { about, audited, byStaff, given, inScopeById, shownPage } from './handlers';
import { caseScope } from './scope';
import { id, int, list, paging, personRef, record, textOrNull, timestamp } from './schemas';

const blockerStatus = z.enum(['open', 'in_progress', 'resolved']);

export const blocker = record({
  reference: z.string(),
  beneficiaryId: int,
  category: z.string(),
  urgency: z.string(),
  description: textOrNull,
  /** voice notes, photos, documents: media references */
  attachments: z.unknown(),
  status: z.string(),
  statusNote: textOrNull,
  resolvedAt: timestamp.nullable(),
}).extend({ beneficiary: personRef });

const listQuery = z.object({
  status: blockerStatus.optional(),
  category: z.enum(BLOCKER_CATEGORIES).optional(),
  urgency: z.enum(URGENCIES).optional(),
  beneficiaryId: id.optional(),
  ...paging,
});

const changeBody = z.object({ status: blockerStatus, note: z.string().trim().min(1, 'must not be empty').max(1000) });
const withPerson = { beneficiary: { select: { id: true, firstName: true, lastName: true } } } as const;

export function blockerRoutes(api: Api, { db: { prisma } }: ApiDeps): void {
  const anyStaff = routesFor(api, 'blockers', ANY_STAFF);
  /** The blocker of this id, with its person, if its case is in the member's scope. */
  const aBlocker = inScopeById('Blocker', (where) => prisma.blocker.findFirst({ where, include: withPerson }));

  anyStaff.get(
    '/api/cip/blockers',
    'Blockers of the cases in my scope, newest first',
    { query: listQuery, response: list(blocker) },
    async (ctx, { query }) => {
      const where: Prisma.BlockerWhereInput = {
        beneficiary: caseScope(ctx.staff),
        ...given(query, ['status', 'category', 'urgency', 'beneficiaryId']),
      };
      return shownPage(
        ctx,
        'blocker',
        query,
        (window) => [
          prisma.blocker.findMany({
            where,
            include: withPerson,
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
            ...window,
          }),
          prisma.blocker.count({ where }),
        ],
        query.beneficiaryId,
      );
    },
  );

  anyStaff.get('/api/cip/blockers/:id', 'A blocker', { record: aBlocker, response: blocker }, async (ctx, { found }) =>
    audited(ctx, 'read', 'blocker', found),
  );

  anyStaff.patch(
    '/api/cip/blockers/:id',
    "Change a blocker's status, with a note for the timeline",
    { record: aBlocker, body: changeBody, response: blocker },
    async (ctx, { found: before, body }) => {
      if (before.status === body.status) throw conflict(`blocker.already.${before.status}`);
      const updated = await prisma.$transaction(async (tx) => {
        // Only from the status read above: two members of staff moving it at once do not both win.
        const { count } = await tx.blocker.updateMany({
          where: { id: before.id, status: before.status },
          data: { status: body.status, statusNote: body.note, resolvedAt: body.status === 'resolved' ? ctx.now : null },
        });
        if (count !== 1) throw conflict('blocker.changedMeanwhile');
        await appendCaseEvent(tx, {
          beneficiaryId: before.beneficiaryId,
          type: 'blocker_status_changed',
          actor: byStaff(ctx),
          payload: {
            blockerId: before.id,
            reference: before.reference,
            from: before.status,
            to: body.status,
            note: body.note,
          },
        });
        return tx.blocker.findUniqueOrThrow({ where: { id: before.id }, include: withPerson });
      });
      await ctx.audit({
        action: 'update',
        resource: 'blocker',
        ...about(updated),
        detail: { from: before.status, to: body.status },
      });
      return updated;
    },
  );
}
