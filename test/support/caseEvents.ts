// A person's timeline as the tests read it.
import type { Db } from '../../bot/db/client';

/**
 * The person's case events of one type, oldest first, each as [is it an alert, then the payload's
 * `fields` in that order].
 */
export async function alertsAndPayloads(prisma: Db, beneficiaryId: number, type: string, ...fields: string[]) {
  const events = await prisma.caseEvent.findMany({ where: { beneficiaryId, type }, orderBy: { id: 'asc' } });
  return events.map((e) => [e.attention, ...fields.map((f) => (e.payload as Record<string, unknown>)[f])]);
}
