// Shifts of the placements of the cases in one's scope: plan one (within its placement's days),
// list a person's, record whether they came. An absence is an alert for the CIP.
import { z } from 'zod';
import { ATTENDANCES, addShift, recordAttendance } from '../services/placements';
import { ANY_STAFF, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { audited, byStaff, inScopeById, ofCase } from './handlers';
import { asApiError } from './placements';
import { dateTime, idParams, int, list, record, ref, textOrNull, timestamp } from './schemas';

export const shift = record({
  placementId: int,
  beneficiaryId: int,
  startsAt: timestamp,
  endsAt: timestamp,
  /** the person's answer: pending | confirmed | declined */
  confirmation: z.string(),
  declineReason: textOrNull,
  respondedAt: timestamp.nullable(),
  /** unknown | present | absent | late */
  attendance: z.string(),
  attendanceAt: timestamp.nullable(),
  attendanceContactId: int.nullable(),
});

const listedShift = shift.extend({
  placement: z.object({
    id: int,
    kind: z.string(),
    status: z.string(),
    structure: ref,
  }),
});

const slot = z
  .object({ startsAt: dateTime, endsAt: dateTime })
  .refine((v) => v.endsAt > v.startsAt, { path: ['endsAt'], message: 'must be after startsAt' });
const range = z.object({
  from: dateTime.optional().describe('shifts that end after this'),
  to: dateTime.optional().describe('shifts that start before this'),
});

export function shiftRoutes(api: Api, { db, db: { prisma } }: ApiDeps): void {
  const anyStaff = routesFor(api, 'shifts', ANY_STAFF);
  const aPlacement = inScopeById('Placement', (where) => prisma.placement.findFirst({ where }));
  const aShift = inScopeById('Shift', (where) => prisma.shift.findFirst({ where }));

  anyStaff.post(
    '/api/cip/placements/:id/shifts',
    'Plan a shift of a placement (within its days)',
    { record: aPlacement, body: slot, response: shift, status: 201 },
    async (ctx, { found: placement, body }) => {
      const created = await addShift(db, placement.id, body, byStaff(ctx)).catch(asApiError);
      return audited(ctx, 'create', 'shift', created, { placementId: placement.id });
    },
  );

  anyStaff.get(
    '/api/cip/beneficiaries/:id/shifts',
    "A person's shifts, earliest first",
    { params: idParams, query: range, response: list(listedShift) },
    ofCase(prisma, 'shift', (beneficiaryId, query) =>
      prisma.shift.findMany({
        where: {
          beneficiaryId,
          ...(query.from && { endsAt: { gt: query.from } }),
          ...(query.to && { startsAt: { lt: query.to } }),
        },
        include: {
          placement: {
            select: { id: true, kind: true, status: true, structure: { select: { id: true, name: true } } },
          },
        },
        orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
      }),
    ),
  );

  anyStaff.patch(
    '/api/cip/shifts/:id',
    'Record whether the person came to a shift',
    { record: aShift, body: z.object({ attendance: z.enum(ATTENDANCES) }), response: shift },
    async (ctx, { found, body }) => {
      const updated = await recordAttendance(db, found.id, body.attendance, ctx.now, byStaff(ctx)).catch(asApiError);
      return audited(ctx, 'update', 'shift', updated, { attendance: body.attendance });
    },
  );
}
