// Messages the platform owes a person outside a conversation turn (e.g. "a seat freed up for
// you"): queued as outbound Message rows in the same transaction as the change that causes them,
// addressed to the channel the person used last. The payload is a translation key and its values,
// so the text is made in the person's language when it is sent.
import type { Db } from '../db/client';
import { providerOfClient, SqlParams } from '../db/rawSql';
import type { SqlClient } from '../db/sqlTransaction';

export interface NotificationPayload {
  /** translation key of the message */
  key: string;
  [value: string]: unknown;
}

/** A client or a transaction's (Prisma's or bot/db/sqlTransaction's). */
type Writer = Pick<SqlClient, '$queryRawUnsafe'>;

/** Who a proactive message is for: a beneficiary (their id), or an employer contact. */
export type Recipient = number | { contactId: number };

/** The columns (Message, ConversationRef) that name the recipient. */
export function recipientOf(to: Recipient): { beneficiaryId: number } | { contactId: number } {
  return typeof to === 'number' ? { beneficiaryId: to } : { contactId: to.contactId };
}

export interface QueueOptions {
  /** the Message kind (default notification): checkin, reminder... */
  kind?: string;
  /** sends it once: a second message with the same key is refused (a unique violation) */
  dedupeKey?: string;
  /** not before (the end of the quiet hours); default `now` */
  notBefore?: Date;
}

/**
 * Queues the message; resolves with its id. In SQL of our own (bot/db/sqlReads.ts says why): a
 * cancellation that hands a seat to the next person waiting queues one inside its transaction,
 * and on SQLite that transaction runs on the connection itself (bot/db/sqlTransaction.ts).
 * A dedupe key already used is refused with a unique violation (isUniqueViolation).
 */
export async function queueNotification(
  db: Writer,
  to: Recipient,
  now: Date,
  payload: NotificationPayload,
  options: QueueOptions = {},
): Promise<number> {
  const provider = providerOfClient(db);
  const [[column, id]] = Object.entries(recipientOf(to));
  let p = new SqlParams(provider);
  // (the conversation the person wrote from last; one they never wrote from comes after the others)
  const [ref] = await db.$queryRawUnsafe<{ id: unknown; channel: string; conversationId: string }[]>(
    `SELECT "id", "channel", "conversationId" FROM "ConversationRef" WHERE "${column}" = ${p.add(id, 'int')}
      ORDER BY "lastInboundAt" DESC NULLS LAST, "updatedAt" DESC LIMIT 1`,
    ...p.values,
  );
  const written = new Date();
  p = new SqlParams(provider);
  const [row] = await db.$queryRawUnsafe<{ id: unknown }[]>(
    `INSERT INTO "Message" ("direction", "channel", "conversationId", "conversationRefId", "${column}", "kind",
        "status", "payload", "nextAttemptAt", "dedupeKey", "createdAt", "updatedAt")
      VALUES ('out', ${p.add(ref?.channel ?? 'none')}, ${p.add(ref?.conversationId ?? null)},
        ${p.add(ref ? Number(ref.id) : null, 'int')}, ${p.add(id, 'int')}, ${p.add(options.kind ?? 'notification')},
        'queued', ${p.add(JSON.stringify(payload), 'jsonb')}, ${p.add(options.notBefore ?? now, 'timestamp')},
        ${p.add(options.dedupeKey ?? null)}, ${p.add(written, 'timestamp')}, ${p.add(written, 'timestamp')})
      RETURNING "id"`,
    ...p.values,
  );
  return Number(row!.id);
}

export interface PendingNotification {
  id: number;
  payload: NotificationPayload;
}

/**
 * Proactive messages still waiting for a person (or whose sender went quiet), oldest first:
 * notifications, invitations, reminders... (every kind but replies), due now.
 */
export async function pendingNotifications(db: Db, to: Recipient, now: Date): Promise<PendingNotification[]> {
  const rows = await db.message.findMany({
    where: {
      ...recipientOf(to),
      direction: 'out',
      kind: { not: 'reply' },
      // (said apart from the OR below, so that the (person, status) index reads only these rows,
      // not all the person's messages)
      status: { in: ['queued', 'sending'] },
      OR: [
        { status: 'queued', OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] },
        { status: 'sending', claimedUntil: { lt: now } },
      ],
    },
    orderBy: { id: 'asc' },
  });
  return rows.map((r) => ({ id: r.id, payload: r.payload as unknown as NotificationPayload }));
}

/**
 * Takes a notification for sending, so that two instances never both send it: true when this
 * caller got it. A claim that is not settled within `leaseMs` (the sender crashed) lapses.
 */
export async function claimNotification(db: Db, id: number, now: Date, leaseMs = 60_000): Promise<boolean> {
  const { count } = await db.message.updateMany({
    where: { id, OR: [{ status: 'queued' }, { status: 'sending', claimedUntil: { lt: now } }] },
    data: { status: 'sending', claimedUntil: new Date(now.getTime() + leaseMs) },
  });
  return count === 1;
}

/** A claimed notification went out on `channel`. */
export async function markNotificationSent(
  db: Db,
  id: number,
  channel: string,
  conversationId: string,
  now: Date,
): Promise<void> {
  await db.message.updateMany({
    where: { id, status: 'sending' },
    data: { status: 'sent', channel, conversationId, sentAt: now, claimedUntil: null, attempts: { increment: 1 } },
  });
}

/** A claimed notification could not go out now: it waits again. */
export async function releaseNotification(db: Db, id: number): Promise<void> {
  await db.message.updateMany({ where: { id, status: 'sending' }, data: { status: 'queued', claimedUntil: null } });
}
