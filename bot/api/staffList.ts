// GET /api/cip/staff: the active members of staff (id, name, role), to choose a CIP: assigning a
// case, filtering the list of people by CIP. No e-mail addresses.
import { z } from 'zod';
import { ANY_STAFF, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { list, ref } from './schemas';
import { all } from './handlers';

export function staffListRoutes(api: Api, { db }: ApiDeps): void {
  const anyStaff = routesFor(api, 'session', ANY_STAFF);
  anyStaff.get(
    '/api/cip/staff',
    'The active members of staff (to assign a case to a CIP)',
    { response: list(ref.extend({ role: z.string() })) },
    async () => {
      const items = await db.prisma.staffUser.findMany({
        where: { active: true },
        select: { id: true, name: true, role: true },
        orderBy: { name: 'asc' },
      });
      return all(items);
    },
  );
}
