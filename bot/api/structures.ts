// Structures (SIAE, companies, training bodies, Missions Locales): any member of staff lists and
// reads them, with their contacts and how many people are placed there now, and week by week over
// the coming weeks (occupancy: counts only, no personal data); coordinators and admins create and
// change them. Reading a structure reads its contacts: that is audited.
import { z } from 'zod';
import { SIAE_DEFAULT_CAPACITY } from '../services/placements';
import { ANY_STAFF, MANAGERS, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { audited, byId, given, idsOf, page, updates } from './handlers';
import { contact } from './contacts';
import { flag, int, list, paging, record, someOf, text, textOrNull } from './schemas';

export const structureKind = z.enum(['siae', 'company', 'training', 'mission_locale']);

export const structure = record({
  name: z.string(),
  kind: z.string(),
  sector: textOrNull,
  address: textOrNull,
  city: textOrNull,
  /** refugees at a time (SIAE: 2 when not set) */
  capacity: int.nullable(),
  active: z.boolean(),
});

const counts = {
  currentPlacements: int.describe('planned or active placements that include today'),
  upcomingPlacements: int.describe('planned or active placements that start later'),
};
const week = z.object({
  from: z.string().describe('Monday, YYYY-MM-DD'),
  to: z.string().describe('Sunday, YYYY-MM-DD (included)'),
  placed: int.describe('people with a planned or active placement on at least one day of the week'),
});
const seats = z
  .number()
  .int()
  .nullable()
  .describe('refugees at a time: the capacity, 2 for an SIAE without one, null for other structures without one');
const occupancyOf = z.object({
  structureId: int,
  seats,
  weeks: z.array(week).describe('this week first'),
});
const listed = structure.extend({
  currentPlacements: counts.currentPlacements,
  occupancy: z.array(week).optional().describe('with occupancyWeeks: week by week, this week first'),
});
const detailed = structure.extend({ ...counts, contacts: z.array(contact) });

const editable = {
  name: z.string().trim().min(1, 'must not be empty').max(200),
  kind: structureKind,
  sector: text(200).nullable(),
  address: text(300).nullable(),
  city: text(100).nullable(),
  capacity: z.number().int().min(1).max(1000).nullable(),
  active: z.boolean(),
};

const createBody = z.object(editable).partial().required({ name: true, kind: true });
const updateBody = someOf(editable);
const weeksCount = z.coerce.number().int().min(1).max(26);
const listQuery = z.object({
  kind: structureKind.optional(),
  active: flag.optional(),
  occupancyWeeks: weeksCount.optional().describe("add each structure's occupancy over that many weeks"),
  ...paging,
});

const today = (now: Date) => new Date(`${now.toISOString().slice(0, 10)}T00:00:00.000Z`);
const holdingASeat = { status: { in: ['planned', 'active'] } };
const DAY_MS = 24 * 3600_000;
const ymd = (d: Date) => d.toISOString().slice(0, 10);
const seatsOf = (s: { kind: string; capacity: number | null }) =>
  s.capacity ?? (s.kind === 'siae' ? SIAE_DEFAULT_CAPACITY : null);

/** Monday to Sunday (placement days, midnight UTC), from the week of `now` on. */
function weeksFrom(now: Date, count: number) {
  const day = today(now);
  const monday = day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS;
  return Array.from({ length: count }, (_, i) => ({
    from: new Date(monday + 7 * i * DAY_MS),
    to: new Date(monday + (7 * i + 6) * DAY_MS),
  }));
}

export function structureRoutes(api: Api, { db: { prisma } }: ApiDeps): void {
  const anyStaff = routesFor(api, 'structures', ANY_STAFF);
  const managers = routesFor(api, 'structures', MANAGERS);
  const aStructure = byId('Structure', (id) => prisma.structure.findUnique({ where: { id } }));
  const withContacts = byId('Structure', (id) =>
    prisma.structure.findUnique({ where: { id }, include: { contacts: { orderBy: { id: 'asc' } } } }),
  );

  /** Placements that include today, per structure. */
  async function currentCounts(ids: number[], now: Date) {
    const day = today(now);
    const rows = await prisma.placement.groupBy({
      by: ['structureId'],
      where: { structureId: { in: ids }, ...holdingASeat, startDate: { lte: day }, endDate: { gte: day } },
      _count: { _all: true },
    });
    return new Map(rows.map((r) => [r.structureId, r._count._all]));
  }

  /**
   * People placed per structure and week: one query for the placements holding a seat that overlap
   * the period (both ends of a placement are days included), then counted by week, one person once
   * a week however many placements they have there.
   */
  async function occupancy(ids: number[], now: Date, count: number) {
    const weeks = weeksFrom(now, count);
    const rows = await prisma.placement.findMany({
      where: {
        structureId: { in: ids },
        ...holdingASeat,
        startDate: { lte: weeks[weeks.length - 1].to },
        endDate: { gte: weeks[0].from },
      },
      select: { structureId: true, beneficiaryId: true, startDate: true, endDate: true },
    });
    return new Map(
      ids.map((id) => {
        const mine = rows.filter((r) => r.structureId === id);
        return [
          id,
          weeks.map((w) => ({
            from: ymd(w.from),
            to: ymd(w.to),
            placed: new Set(mine.filter((r) => r.startDate <= w.to && r.endDate >= w.from).map((r) => r.beneficiaryId))
              .size,
          })),
        ];
      }),
    );
  }

  anyStaff.get(
    '/api/cip/structures',
    'List structures (SIAE, companies, training bodies, Missions Locales)',
    { query: listQuery, response: list(listed) },
    async (ctx, { query }) => {
      const where = given(query, ['kind', 'active']);
      const { items: rows, total } = await page(query, (window) => [
        prisma.structure.findMany({ where, orderBy: { id: 'asc' }, ...window }),
        prisma.structure.count({ where }),
      ]);
      const ids = rows.map((s) => s.id);
      const [current, weekly] = await Promise.all([
        currentCounts(ids, ctx.now),
        query.occupancyWeeks ? occupancy(ids, ctx.now, query.occupancyWeeks) : undefined,
      ]);
      return {
        items: rows.map((s) => ({
          ...s,
          currentPlacements: current.get(s.id) ?? 0,
          ...(weekly && { occupancy: weekly.get(s.id) }),
        })),
        total,
      };
    },
  );

  anyStaff.get(
    '/api/cip/structures/:id',
    'A structure, its contacts and how many people are placed there',
    { record: withContacts, response: detailed },
    async (ctx, { found }) => {
      const [current, upcomingPlacements] = await Promise.all([
        currentCounts([found.id], ctx.now),
        prisma.placement.count({
          where: { structureId: found.id, ...holdingASeat, startDate: { gt: today(ctx.now) } },
        }),
      ]);
      await ctx.audit({
        action: 'read',
        resource: 'contact',
        detail: { structureId: found.id, ...idsOf(found.contacts) },
      });
      return { ...found, currentPlacements: current.get(found.id) ?? 0, upcomingPlacements };
    },
  );

  anyStaff.get(
    '/api/cip/structures/:id/occupancy',
    'People placed in a structure week by week (Monday to Sunday, this week first; 8 weeks unless told), ' +
      'against its seats',
    {
      record: aStructure,
      query: z.object({ weeks: weeksCount.default(8) }),
      response: occupancyOf,
      errors: { 404: 'No such structure' },
    },
    async (ctx, { found, query }) => {
      const weekly = await occupancy([found.id], ctx.now, query.weeks);
      return { structureId: found.id, seats: seatsOf(found), weeks: weekly.get(found.id)! };
    },
  );

  managers.post(
    '/api/cip/structures',
    'Add a structure (an SIAE takes 2 refugees at a time unless told)',
    { body: createBody, response: structure, status: 201 },
    async (ctx, { body }) => {
      const created = await prisma.structure.create({
        data: {
          ...body,
          capacity: body.capacity !== undefined ? body.capacity : body.kind === 'siae' ? SIAE_DEFAULT_CAPACITY : null,
        },
      });
      return audited(ctx, 'create', 'structure', created);
    },
  );

  managers.patch(
    '/api/cip/structures/:id',
    'Change a structure',
    { record: aStructure, body: updateBody, response: structure },
    updates('structure', (id, data) => prisma.structure.update({ where: { id }, data })),
  );
}
