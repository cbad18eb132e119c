// Questions the platform asks outside a conversation turn (an invitation, a check-in, an
// attendance request, a reminder) and the person answers by chat, maybe days later. The one a
// message answers: the latest question the person was sent (its message went out), not answered
// yet, if they have not written to us since it was sent (what they write after their own turns
// belongs to the conversation).
import type { Db, Prisma } from '../db/client';

export type QuestionKind = 'broadcast' | 'checkin' | 'attendance' | 'reminder';

export interface OpenQuestion {
  id: number;
  kind: QuestionKind;
  refId: number;
  sentAt: Date;
}

type Writer = Pick<Prisma.TransactionClient, 'proactiveQuestion'>;

export async function askQuestion(db: Writer, q: { beneficiaryId?: number; contactId?: number; kind: QuestionKind; refId: number; messageId: number }): Promise<void> {
  await db.proactiveQuestion.create({ data: q });
}

/**
 * The question a message from this person answers, if any: sent after `since` (the person's
 * previous message), the latest one, unanswered.
 */
export async function openQuestion(db: Db, who: { beneficiaryId?: number; contactId?: number }, since: Date | undefined): Promise<OpenQuestion | undefined> {
  if (who.beneficiaryId === undefined && who.contactId === undefined) return undefined;
  const q = await db.proactiveQuestion.findFirst({
    where: { ...(who.beneficiaryId !== undefined ? { beneficiaryId: who.beneficiaryId } : { contactId: who.contactId }), answeredAt: null },
    orderBy: { id: 'desc' },
  });
  if (!q) return undefined;
  const message = await db.message.findUnique({ where: { id: q.messageId }, select: { status: true, sentAt: true } });
  if (!message?.sentAt || !['sent', 'delivered', 'read'].includes(message.status)) return undefined;
  if (since && message.sentAt <= since) return undefined;
  return { id: q.id, kind: q.kind as QuestionKind, refId: q.refId, sentAt: message.sentAt };
}

/** Marks the question answered (once: false when it was answered already). */
export async function answerQuestion(db: Writer, id: number, answer: string, now: Date): Promise<boolean> {
  const { count } = await db.proactiveQuestion.updateMany({ where: { id, answeredAt: null }, data: { answeredAt: now, answer } });
  return count === 1;
}
