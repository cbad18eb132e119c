// Delivers the proactive messages queued for a person, a beneficiary or an employer contact
// (notifications, invitations, attendance requests...: see services/notifications): to the
// channel where the person can be reached now, in their language;
// to a channel with its own outbox (WhatsApp), by handing the message over to it. A person who
// said "stop" gets nothing proactive, nor does anyone in the quiet hours; what waits for them is
// handed over when they come back themselves. A sweep delivers what waits for people whose chat is
// open (web chat) or reachable (Azure channels, through continueConversationAsync).
import type { Activity, ConversationReference } from 'botbuilder-core';
import type { Database } from '../db/client';
import type { Logger } from '../runtime/logger';
import {
  claimNotification,
  markNotificationSent,
  pendingNotifications,
  recipientOf,
  releaseNotification,
  type Recipient,
} from '../services/notifications';
import { contactById } from '../services/contacts';
import { personById, type Person } from '../services/people';
import { isQuiet, type QuietHours } from '../services/quietHours';

/** A person reached by their phone number (no conversation yet). */
const PHONE = 'phone';
import { renderNotification } from '../../cards/notifications';
import { safeError } from '../runtime/safeError';

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
  /** `personIsHere`: the person is in a turn with us on this conversation right now */
  send(
    target: ProactiveTarget,
    activities: Partial<Activity>[],
    notificationId: number,
    personIsHere: boolean,
  ): Promise<boolean | 'queued'>;
}

export class Notifier {
  private readonly channels = new Map<string, ProactiveChannel>();
  /** the channel that reaches people by their phone number, without a conversation (WhatsApp) */
  private phoneChannel?: ProactiveChannel;
  /** conversations of Azure Bot Service channels (an http serviceUrl) */
  private botFramework?: ProactiveChannel;

  constructor(
    private readonly db: Database,
    private readonly timeZone: string,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
    private readonly quiet?: QuietHours,
  ) {}

  register(channel: string, sender: ProactiveChannel, options: { reachesPhones?: boolean } = {}): void {
    this.channels.set(channel, sender);
    if (options.reachesPhones) this.phoneChannel = sender;
  }

  /** The sender of conversations held by Azure Bot Service (their reference has an http serviceUrl). */
  registerBotFramework(sender: ProactiveChannel): void {
    this.botFramework = sender;
  }

  /** Sends what waits for the person (a beneficiary, or an employer contact); returns how many were sent. */
  async deliver(to: Recipient, options: { personIsHere?: boolean } = {}): Promise<number> {
    if (!options.personIsHere && isQuiet(this.now(), this.quiet)) return 0;
    const pending = await pendingNotifications(this.db.prisma, to, this.now());
    if (!pending.length) return 0;
    const person =
      typeof to === 'number' ? await personById(this.db.prisma, to) : await contactById(this.db.prisma, to.contactId);
    if (!person || (person.optedOutAt && !options.personIsHere)) return 0;
    const refs: { channel: string; conversationId: string; reference: unknown; serviceUrl?: string | null }[] =
      await this.db.prisma.conversationRef.findMany({
        where: recipientOf(to),
        orderBy: [{ lastInboundAt: { sort: 'desc', nulls: 'last' } }, { updatedAt: 'desc' }],
      });
    // Nowhere the person wrote from: their phone number (if they consented), on the channel that reaches phones.
    // (An employer contact is written to for their work; a beneficiary only after consenting.)
    const mayWrite = typeof to !== 'number' || (person as Person).consentAt !== null;
    if (!refs.length && this.phoneChannel && person.phone && mayWrite)
      refs.push({ channel: PHONE, conversationId: person.phone.replace(/^\+/, ''), reference: {} });
    let sent = 0;
    for (const notification of pending) {
      if (!(await claimNotification(this.db.prisma, notification.id, this.now()))) continue; // another instance has it
      const activity = renderNotification(notification.payload, person.language, this.timeZone);
      const sending = await this.sendSomewhere(refs, activity, notification.id, options.personIsHere ?? false);
      if (sending) {
        const { target, result } = sending;
        if (result === true)
          await markNotificationSent(
            this.db.prisma,
            notification.id,
            target.channel,
            target.conversationId,
            this.now(),
          );
        sent++;
      } else {
        await releaseNotification(this.db.prisma, notification.id);
      }
    }
    return sent;
  }

  /** People with messages waiting on channels without an outbox of their own: delivered where they can be. */
  async sweep(limit = 500): Promise<{ people: number; sent: number }> {
    if (isQuiet(this.now(), this.quiet)) return { people: 0, sent: 0 };
    const waiting = await this.db.prisma.message.findMany({
      where: {
        direction: 'out',
        status: 'queued',
        kind: { not: 'reply' },
        channel: { not: 'whatsapp' },
        OR: [{ beneficiaryId: { not: null } }, { contactId: { not: null } }],
        nextAttemptAt: { lte: this.now() },
      },
      select: { beneficiaryId: true, contactId: true },
      distinct: ['beneficiaryId', 'contactId'],
      take: limit,
    });
    let sent = 0;
    for (const { beneficiaryId, contactId } of waiting)
      sent += await this.deliver(beneficiaryId ?? { contactId: contactId! });
    return { people: waiting.length, sent };
  }

  /** The first of the person's conversations that takes the message, most recent first. */
  private async sendSomewhere(
    refs: { channel: string; conversationId: string; reference: unknown; serviceUrl?: string | null }[],
    activity: Partial<Activity>,
    id: number,
    here: boolean,
  ) {
    for (const ref of refs) {
      // Our own channels by name; any other with an http serviceUrl is held by Azure Bot Service.
      const channel =
        ref.channel === PHONE
          ? this.phoneChannel
          : (this.channels.get(ref.channel) ?? (/^https?:/.test(ref.serviceUrl ?? '') ? this.botFramework : undefined));
      if (!channel) continue;
      const target = {
        channel: ref.channel,
        conversationId: ref.conversationId,
        reference: ref.reference as Partial<ConversationReference>,
      };
      try {
        const result = await channel.send(target, [activity], id, here);
        if (result) return { target, result };
      } catch (err) {
        this.log.warn({ channel: ref.channel, err: safeError(err) }, 'notification not sent');
      }
    }
    return undefined;
  }
}
