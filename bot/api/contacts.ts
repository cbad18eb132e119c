// Employer contacts (SIAE supervisors, company tutors): personal data, so every read and change
// is audited. Any member of staff adds and edits them; a phone number belongs to one contact, and
// only a coordinator or an admin sets or changes it: the bot recognises an employer by that number,
// and whoever writes from it sees the structure's people.
import { z } from 'zod';
import { isUniqueViolation } from '../db/client';
import { ANY_STAFF, apiError, conflict, MANAGERS, notFound, type Api, type ApiContext, type ApiDeps } from './http';
import { routesFor } from './routes';
import { audited, byId, fieldsOf, given, shownPage } from './handlers';
import { flag, id, int, list, paging, personFields, record, someOf, textOrNull, timestamp } from './schemas';

export const contactRole = z.enum(['supervisor', 'tutor', 'other']);

export const contact = record({
  structureId: int,
  firstName: z.string(),
  lastName: textOrNull,
  phone: textOrNull,
  language: z.string(),
  role: z.string(),
  active: z.boolean(),
  optedOutAt: timestamp.nullable(),
});

const editable = {
  ...personFields,
  role: contactRole,
  active: z.boolean(),
};

const createBody = z.object(editable).partial().required({ firstName: true });
const updateBody = someOf(editable);
const listQuery = z.object({ structureId: id.optional(), active: flag.optional(), ...paging });

async function phoneTaken(err: unknown): Promise<never> {
  if (isUniqueViolation(err)) throw conflict('contact.phoneTaken');
  throw err;
}

/** A CIP may send the phone a contact has already (a whole form sent back), not another one. */
function mayChangePhone(ctx: ApiContext, phone: string | null | undefined, current: string | null): void {
  if (phone === undefined || phone === current || MANAGERS.includes(ctx.staff.role)) return;
  throw apiError(403, 'Forbidden', 'contact.phoneManagersOnly');
}

export function contactRoutes(api: Api, { db: { prisma } }: ApiDeps): void {
  const anyStaff = routesFor(api, 'contacts', ANY_STAFF);
  const aStructure = byId('Structure', (id) => prisma.structure.findUnique({ where: { id } }));
  const aContact = byId('Contact', (id) => prisma.contact.findUnique({ where: { id } }));

  anyStaff.get(
    '/api/cip/contacts',
    'List employer contacts (of one structure when told)',
    { query: listQuery, response: list(contact) },
    async (ctx, { query }) => {
      if (query.structureId && !(await prisma.structure.findUnique({ where: { id: query.structureId } })))
        throw notFound('Structure');
      const where = given(query, ['structureId', 'active']);
      return shownPage(ctx, 'contact', query, (window) => [
        prisma.contact.findMany({ where, orderBy: { id: 'asc' }, ...window }),
        prisma.contact.count({ where }),
      ]);
    },
  );

  anyStaff.post(
    '/api/cip/structures/:id/contacts',
    'Add a contact to a structure (a phone number: coordinators and admins only)',
    { record: aStructure, body: createBody, response: contact, status: 201 },
    async (ctx, { found: structure, body }) => {
      mayChangePhone(ctx, body.phone, null);
      const created = await prisma.contact.create({ data: { ...body, structureId: structure.id } }).catch(phoneTaken);
      return audited(ctx, 'create', 'contact', created, { structureId: structure.id });
    },
  );

  anyStaff.patch(
    '/api/cip/contacts/:id',
    'Change a contact (the phone number: coordinators and admins only)',
    { record: aContact, body: updateBody, response: contact },
    async (ctx, { found: existing, body }) => {
      mayChangePhone(ctx, body.phone, existing.phone);
      const updated = await prisma.contact.update({ where: { id: existing.id }, data: body }).catch(phoneTaken);
      return audited(ctx, 'update', 'contact', updated, fieldsOf(body));
    },
  );
}
