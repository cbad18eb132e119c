// Which cases a member of staff may see: a CIP their own, and the pending ones nobody took yet
// (to validate them); coordinators and admins all. A case outside one's scope is "not found"
// (404), so that its existence does not leak.
import type { Prisma } from '../db/client';
import type { Staff } from '../services/staff';
import { notFound } from './http';
import type { Db } from '../db/client';

export function caseScope(staff: Staff): Prisma.BeneficiaryWhereInput {
  if (staff.role !== 'cip') return {};
  return { OR: [{ cipId: staff.id }, { cipId: null, status: 'pending' }] };
}

/** The case if it is in the member's scope; 404 otherwise. */
export async function caseInScope(db: Db, staff: Staff, id: number) {
  const b = await db.beneficiary.findFirst({ where: { AND: [{ id }, caseScope(staff)] } });
  if (!b) throw notFound('Beneficiary');
  return b;
}

/** The record of this id (a blocker, a placement...) if its case is in the member's scope. */
export const inScope = (staff: Staff, id: number) => ({ id, beneficiary: caseScope(staff) });
