// The audit trail as the tests read it.
import type { Db } from '../../bot/db/client';

/** How many audit rows say that `action` was done to this row of `resource` (and match `where`). */
export const auditCount = (prisma: Db, action: string, resource: string, resourceId: number, where: object = {}) =>
  prisma.auditEvent.count({ where: { action, resource, resourceId: String(resourceId), ...where } });
