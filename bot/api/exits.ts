// A person's exit from the platform (POST /api/cip/beneficiaries/:id/exit): the day, the IAE
// reporting category and its detail (see services/exits.ts). 400 when the detail is not of its
// category or the day is before the entry or in the future; 409 when an exit is recorded already
// or the case is erased; 404 outside one's scope.
import { z } from 'zod';
import { ALL_EXIT_DETAILS, EXIT_OUTCOMES, recordExit } from '../services/exits';
import { beneficiary } from './beneficiaries';
import { ANY_STAFF, apiError, conflict, invalid, notFound, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { aboutCase, byStaff } from './handlers';
import { caseInScope } from './scope';
import { day, idParams, text } from './schemas';

export const exitOutcome = z
  .enum(EXIT_OUTCOMES as [string, ...string[]])
  .describe('durable | transition | positive | other (IAE reporting categories)');
export const exitDetail = z
  .enum(ALL_EXIT_DETAILS as [string, ...string[]])
  .describe(
    'must belong to its outcome, e.g. cdi (durable), cdd_short (transition), training (positive), looking (other)',
  );

const exitBody = z.object({
  date: day.describe('the day the person left'),
  outcome: exitOutcome,
  detail: exitDetail,
  note: text(500).optional(),
});

export function exitRoutes(api: Api, { db }: ApiDeps): void {
  const anyStaff = routesFor(api, 'beneficiaries', ANY_STAFF);
  anyStaff.post(
    '/api/cip/beneficiaries/:id/exit',
    "Record a person's exit from the platform: day, outcome and detail; the stage becomes exited",
    {
      params: idParams,
      body: exitBody,
      response: beneficiary,
      errors: { 404: 'Not in my scope', 409: 'An exit is recorded already, or the case is erased' },
    },
    async (ctx, { params, body }) => {
      const found = await caseInScope(db.prisma, ctx.staff, params.id);
      if (body.date.getTime() > ctx.now.getTime())
        throw invalid([{ path: 'date', message: 'must not be in the future' }]);
      const result = await recordExit(db.prisma, found.id, body as Parameters<typeof recordExit>[2], byStaff(ctx));
      if ('refused' in result) {
        switch (result.refused) {
          case 'not_found':
            throw notFound('Beneficiary');
          case 'erased':
            throw conflict('case.erased');
          case 'already':
            throw conflict('exit.already', { exitDate: result.exitDate });
          case 'detail': {
            const params = { outcome: result.outcome, detail: result.detail };
            throw apiError(400, 'ValidationError', 'exit.detailOutcome', params, {
              fields: [{ path: 'detail', message: apiError(400, '', 'exit.detailOutcome', params).message }],
            });
          }
          case 'before_entry': {
            const params = { entryDate: result.entryDate };
            throw apiError(400, 'ValidationError', 'exit.beforeEntry', params, {
              fields: [{ path: 'date', message: apiError(400, '', 'exit.beforeEntry', params).message }],
            });
          }
        }
      }
      await ctx.audit({
        action: 'update',
        resource: 'beneficiary',
        ...aboutCase(found),
        detail: { exit: { outcome: body.outcome, detail: body.detail } },
      });
      return result.beneficiary;
    },
  );
}
