// Questions the platform asks outside a conversation turn (an invitation, a check-in, an
// attendance request, a reminder) and the person answers by chat, maybe days later. The one a
// message answers: the latest question the person was sent (its message went out), not answered
// yet, if they have not written to us since it was sent (what they write after their own turns
// belongs to the conversation).
import type { Db, Prisma } from '../db/client';
import { SqlParams } from '../db/rawSql';
import { asDate, sqlReader } from '../db/sqlReads';
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

interface CandidateRow {
  id: number;
  kind: string;
  refId: number;
  messageId: number;
  askedAgainAt: unknown;
  status: string | null;
  sentAt: unknown;
}

/**
 * The question a message from this person answers, if any: the one last put to them (sent, or
 * asked again in a conversation) after `since` (their previous message), unanswered, not expired.
 * (Read at almost every turn: in SQL of our own, bot/db/sqlReads.ts.)
 */
export async function openQuestion(
  db: Db,
  who: { beneficiaryId?: number; contactId?: number },
  since: Date | undefined,
  now: Date,
): Promise<OpenQuestion | undefined> {
  if (who.beneficiaryId === undefined && who.contactId === undefined) return undefined;
  const reader = sqlReader(db);
  const p = new SqlParams(reader.provider);
  const person =
    who.beneficiaryId !== undefined
      ? `q."beneficiaryId" = ${p.add(who.beneficiaryId, 'int')}`
      : `q."contactId" = ${p.add(who.contactId, 'int')}`;
  const candidates = await reader.rows<CandidateRow>(
    `SELECT q."id", q."kind", q."refId", q."messageId", q."askedAgainAt", m."status", m."sentAt"
       FROM "ProactiveQuestion" q LEFT JOIN "Message" m ON m."id" = q."messageId"
      WHERE ${person} AND q."answeredAt" IS NULL
        AND (q."expiresAt" IS NULL OR q."expiresAt" > ${p.add(now, 'timestamp')})
      ORDER BY q."id" DESC LIMIT 10`,
    p.values,
  );
  let best: { q: CandidateRow; sentAt: Date; asked: number } | undefined;
  for (const q of candidates) {
    const sentAt = asDate(q.sentAt);
    if (!sentAt || !SENT.has(q.status!)) continue;
    const askedAgainAt = asDate(q.askedAgainAt);
    // Asked again during the previous turn itself counts (same instant as `since`).
    const fresh = !since || sentAt > since || (askedAgainAt !== null && askedAgainAt >= since);
    if (!fresh) continue;
    const asked = Math.max(sentAt.getTime(), askedAgainAt?.getTime() ?? 0);
    if (!best || asked > best.asked) best = { q, sentAt, asked };
  }
  if (!best) return undefined;
  const { q, sentAt } = best;
  return {
    id: Number(q.id),
    kind: q.kind as QuestionKind,
    refId: Number(q.refId),
    messageId: Number(q.messageId),
    sentAt,
  };
}

/** The statuses of a message that went out. */
const SENT = new Set(['sent', 'delivered', 'read']);

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
