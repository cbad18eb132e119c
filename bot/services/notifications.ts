// Messages the platform owes a person outside a conversation turn (e.g. "a seat freed up for
// you"): queued as outbound Message rows in the same transaction as the change that causes them,
// addressed to the channel the person used last. The payload is a translation key and its values,
// so the text is made in the person's language when it is sent.
import type { Db, Prisma } from '../db/client';

export interface NotificationPayload {
  /** translation key of the message */
  key: string;
  [value: string]: unknown;
}

type Writer = Pick<Prisma.TransactionClient, 'message' | 'conversationRef'>;

export async function queueNotification(db: Writer, beneficiaryId: number, now: Date, payload: NotificationPayload): Promise<number> {
  const ref = await db.conversationRef.findFirst({
    where: { beneficiaryId },
    orderBy: [{ lastInboundAt: 'desc' }, { updatedAt: 'desc' }],
  });
  const row = await db.message.create({
    data: {
      direction: 'out',
      channel: ref?.channel ?? 'none',
      conversationId: ref?.conversationId,
      conversationRefId: ref?.id,
      beneficiaryId,
      kind: 'notification',
      status: 'queued',
      payload: payload as Prisma.InputJsonValue,
      nextAttemptAt: now,
    },
  });
  return row.id;
}

export interface PendingNotification {
  id: number;
  payload: NotificationPayload;
}

/** Notifications still waiting for a person, oldest first. */
export async function pendingNotifications(db: Db, beneficiaryId: number): Promise<PendingNotification[]> {
  const rows = await db.message.findMany({
    where: { beneficiaryId, direction: 'out', kind: 'notification', status: 'queued' },
    orderBy: { id: 'asc' },
  });
  return rows.map((r) => ({ id: r.id, payload: r.payload as unknown as NotificationPayload }));
}

/** Marks a notification sent on a channel; false when another instance sent it first. */
export async function markNotificationSent(db: Db, id: number, channel: string, conversationId: string, now: Date): Promise<boolean> {
  const { count } = await db.message.updateMany({
    where: { id, status: 'queued' },
    data: { status: 'sent', channel, conversationId, sentAt: now, attempts: { increment: 1 } },
  });
  return count === 1;
}
