// Questions the platform asks outside a conversation turn (an invitation, a check-in, an
// attendance request, a reminder) and the person answers by chat, maybe days later. The one a
// message answers: the latest question the person was sent (its message went out), not answered
// yet, if they have not written to us since it was sent (what they write after their own turns
// belongs to the conversation).
import type { Db, Prisma } from '../db/client';
import type { NotificationPayload } from './notifications';

export type QuestionKind = 'broadcast' | 'checkin' | 'attendance' | 'reminder';

export interface OpenQuestion {
  id: number;
  kind: QuestionKind;
  refId: number;
  /** the outbox message that asked it (its payload says what was asked) */
  messageId: number;
  sentAt: Date;
}

type Writer = Pick<Prisma.TransactionClient, 'proactiveQuestion'>;

export async function askQuestion(
  db: Writer,
  q: {
    beneficiaryId?: number;
    contactId?: number;
    kind: QuestionKind;
    refId: number;
    messageId: number;
    expiresAt?: Date;
  },
): Promise<void> {
  await db.proactiveQuestion.create({ data: q });
}

/**
 * The question a message from this person answers, if any: the one last put to them (sent, or
 * asked again in a conversation) after `since` (their previous message), unanswered, not expired.
 */
export async function openQuestion(
  db: Db,
  who: { beneficiaryId?: number; contactId?: number },
  since: Date | undefined,
  now: Date,
): Promise<OpenQuestion | undefined> {
  if (who.beneficiaryId === undefined && who.contactId === undefined) return undefined;
  const candidates = await db.proactiveQuestion.findMany({
    where: {
      ...(who.beneficiaryId !== undefined ? { beneficiaryId: who.beneficiaryId } : { contactId: who.contactId }),
      answeredAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
    },
    orderBy: { id: 'desc' },
    take: 10,
  });
  if (!candidates.length) return undefined;
  const messages = await db.message.findMany({
    where: { id: { in: candidates.map((q) => q.messageId) } },
    select: { id: true, status: true, sentAt: true },
  });
  const sent = new Map(
    messages.filter((m) => m.sentAt && ['sent', 'delivered', 'read'].includes(m.status)).map((m) => [m.id, m.sentAt!]),
  );
  let best: { q: (typeof candidates)[number]; sentAt: Date; asked: number } | undefined;
  for (const q of candidates) {
    const sentAt = sent.get(q.messageId);
    if (!sentAt) continue;
    // Asked again during the previous turn itself counts (same instant as `since`).
    const fresh = !since || sentAt > since || (q.askedAgainAt !== null && q.askedAgainAt >= since);
    if (!fresh) continue;
    const asked = Math.max(sentAt.getTime(), q.askedAgainAt?.getTime() ?? 0);
    if (!best || asked > best.asked) best = { q, sentAt, asked };
  }
  if (!best) return undefined;
  const { q, sentAt } = best;
  return { id: q.id, kind: q.kind as QuestionKind, refId: q.refId, messageId: q.messageId, sentAt };
}

/** The question was put to the person again (in a reply): their next message may answer it. */
export async function askedAgain(db: Writer, id: number, now: Date): Promise<void> {
  await db.proactiveQuestion.updateMany({ where: { id, answeredAt: null }, data: { askedAgainAt: now } });
}

/** Marks the question answered (once: false when it was answered already). */
export async function answerQuestion(db: Writer, id: number, answer: string, now: Date): Promise<boolean> {
  const { count } = await db.proactiveQuestion.updateMany({
    where: { id, answeredAt: null },
    data: { answeredAt: now, answer },
  });
  return count === 1;
}

/** What the question asked: the payload of the message that carried it (rendered again to ask it again). */
export async function askedPayload(
  db: Db,
  question: Pick<OpenQuestion, 'messageId'>,
): Promise<NotificationPayload | undefined> {
  const message = await db.message.findUnique({ where: { id: question.messageId }, select: { payload: true } });
  return message ? (message.payload as unknown as NotificationPayload) : undefined;
}
