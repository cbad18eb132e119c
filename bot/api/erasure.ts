// Erasing a case for good (the person asked, "delete my data"): coordinators and admins only,
// with a reason. What goes and what stays: see services/erasure.ts.
import { z } from 'zod';
import { eraseBeneficiary, ErasureRefused, type EraseOptions, type MediaFiles } from '../services/erasure';
import { conflict, MANAGERS, notFound, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { caseInScope } from './scope';
import { countsOf, idParams, int, timestamp } from './schemas';

const counts = countsOf([
  'messages',
  'conversations',
  'states',
  'events',
  'blockers',
  'checkIns',
  'placements',
  'shifts',
  'questions',
  'redacted',
  'media',
]);

/** Where an alert's erasure request is carried out. */
export const eraseLink = (beneficiaryId: number) => ({
  method: 'POST' as const,
  href: `/api/cip/beneficiaries/${beneficiaryId}/erase`,
});

export function erasureRoutes(
  api: Api,
  { db }: ApiDeps,
  media?: MediaFiles,
  forgetChats?: EraseOptions['forgetChats'],
): void {
  const managers = routesFor(api, 'beneficiaries', MANAGERS);
  managers.post(
    '/api/cip/beneficiaries/:id/erase',
    "Erase a person's data for good: names, phone, messages, files, free text; only anonymous statistics stay",
    {
      params: idParams,
      body: z.object({ reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(500) }),
      response: z.object({ id: int, erasedAt: timestamp, counts }),
    },
    async (ctx, { params, body }) => {
      const before = await caseInScope(db.prisma, ctx.staff, params.id);
      if (before.erasedAt || before.status === 'erased') throw conflict('case.erasedAlready');
      try {
        // (the audit row is written by the erasure, in its transaction)
        const result = await eraseBeneficiary(db, before.id, {
          by: { staffUserId: ctx.staff.id, ip: ctx.ip },
          reason: body.reason,
          now: ctx.now,
          media,
          forgetChats,
        });
        return { id: before.id, erasedAt: ctx.now, counts: result };
      } catch (err) {
        if (err instanceof ErasureRefused)
          throw err.code === 'not_found' ? notFound('Beneficiary') : conflict('case.erasedAlready');
        throw err;
      }
    },
  );
}
