// Delivers the notifications queued for a person (see services/notifications): to the channel
// where the person can be reached now, in their language. A person who said "stop" gets nothing
// proactive; what waits for them is handed over when they come back themselves.
import type { Activity, ConversationReference } from 'botbuilder';
import type { Database } from './db/client';
import type { Logger } from './logger';
import { claimNotification, markNotificationSent, pendingNotifications, releaseNotification } from './services/notifications';
import { personById } from './services/people';
import { renderNotification } from '../cards/notifications';

export interface ProactiveTarget {
  channel: string;
  conversationId: string;
  reference: Partial<ConversationReference>;
}

/**
 * A channel that can send outside a turn. `send` answers true when it sent, false when the person
 * cannot be reached there now, and "queued" when the channel's own outbox took the notification
 * (row `notificationId`) to send it itself (WhatsApp: rate limits, templates, retries).
 */
export interface ProactiveChannel {
  send(target: ProactiveTarget, activities: Partial<Activity>[], notificationId: number): Promise<boolean | 'queued'>;
}

export class Notifier {
  private readonly channels = new Map<string, ProactiveChannel>();

  constructor(
    private readonly db: Database,
    private readonly timeZone: string,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  register(channel: string, sender: ProactiveChannel): void {
    this.channels.set(channel, sender);
  }

  /** Sends what waits for the person; returns how many were sent. */
  async deliver(beneficiaryId: number, options: { personIsHere?: boolean } = {}): Promise<number> {
    const pending = await pendingNotifications(this.db.prisma, beneficiaryId, this.now());
    if (!pending.length) return 0;
    const person = await personById(this.db.prisma, beneficiaryId);
    if (!person || (person.optedOutAt && !options.personIsHere)) return 0;
    const refs = await this.db.prisma.conversationRef.findMany({
      where: { beneficiaryId },
      orderBy: [{ lastInboundAt: 'desc' }, { updatedAt: 'desc' }],
    });
    let sent = 0;
    for (const notification of pending) {
      if (!(await claimNotification(this.db.prisma, notification.id, this.now()))) continue; // another instance has it
      const activity = renderNotification(notification.payload, person.language, this.timeZone);
      const sending = await this.sendSomewhere(refs, activity, notification.id);
      if (sending) {
        const { target, result } = sending;
        if (result === true) await markNotificationSent(this.db.prisma, notification.id, target.channel, target.conversationId, this.now());
        sent++;
      } else {
        await releaseNotification(this.db.prisma, notification.id);
      }
    }
    return sent;
  }

  /** The first of the person's conversations that takes the message, most recent first. */
  private async sendSomewhere(refs: { channel: string; conversationId: string; reference: unknown }[], activity: Partial<Activity>, id: number) {
    for (const ref of refs) {
      const channel = this.channels.get(ref.channel);
      if (!channel) continue;
      const target = { channel: ref.channel, conversationId: ref.conversationId, reference: ref.reference as Partial<ConversationReference> };
      try {
        const result = await channel.send(target, [activity], id);
        if (result) return { target, result };
      } catch (err) {
        this.log.warn({ channel: ref.channel, err: { message: (err as Error).message } }, 'notification not sent');
      }
    }
    return undefined;
  }
}
