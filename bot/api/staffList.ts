// GET /api/cip/staff: the active members of staff (id, name, role), to choose a CIP: assigning a
// case, filtering the list of people by CIP. No e-mail addresses.
import { z } from 'zod';
import { ANY_STAFF, type Api, type ApiDeps } from './http';
import { list } from './schemas';

export function staffListRoutes(api: Api, { db }: ApiDeps): void {
  api.route(
    {
      method: 'get',
      path: '/api/cip/staff',
      summary: 'The active members of staff (to assign a case to a CIP)',
      tag: 'session',
      roles: ANY_STAFF,
      response: list(z.object({ id: z.number().int(), name: z.string(), role: z.string() })),
    },
    async () => {
      const items = await db.prisma.staffUser.findMany({
        where: { active: true },
        select: { id: true, name: true, role: true },
        orderBy: { name: 'asc' },
      });
      return { items, total: items.length };
    },
  );
}
