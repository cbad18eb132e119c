// Records every inbound and outbound message of a turn as a Message row (the CIP's record of the
// conversation), when the turn ends: then the rows carry the person's case id as the turn left it
// (a consent given in this turn included), and a turn marked doNotRecordTurn (a refused consent)
// leaves nothing. Channels that store their messages themselves (WhatsApp: inbound before the
// acknowledgement, outbound through the outbox) mark the turn and are skipped here, and so are
// proactive turns: what they send is already a row of the outbox.
import { ActivityEventNames, ActivityTypes, type Activity, type Middleware, type TurnContext } from 'botbuilder-core';
import type { MessageLog, MessageRecord } from '../../services/messageLog';
import { isTurnUnrecorded, type ProfileAccessor } from '../turnState';

export const RECORDED_BY_CHANNEL = Symbol('passerelle.recordedByChannel');

/** What we keep of an activity: enough to read the conversation back, nothing of the transport. */
export function messagePayload(a: Partial<Activity>) {
  return {
    type: a.type,
    ...(a.text !== undefined && { text: a.text }),
    ...(a.value !== undefined && { value: a.value }),
    ...(a.locale && { locale: a.locale }),
    ...(a.suggestedActions && { choices: a.suggestedActions.actions.map((x) => String(x.value)) }),
    ...(a.attachments?.length && {
      attachments: a.attachments.map((x) => ({ contentType: x.contentType, name: x.name, url: x.contentUrl })),
    }),
  };
}

function isProactive(activity: Activity): boolean {
  return (
    activity.type === ActivityTypes.Event &&
    activity.name?.toLowerCase() === ActivityEventNames.ContinueConversation.toLowerCase()
  );
}

function providerId(channel: string, id: string | undefined): string | undefined {
  return id ? `${channel}:${id}` : undefined;
}

export class MessageRecorderMiddleware implements Middleware {
  constructor(
    private readonly log: MessageLog,
    private readonly profile: ProfileAccessor,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const { activity } = context;
    if (context.turnState.get(RECORDED_BY_CHANNEL) || isProactive(activity)) return next();
    const channel = activity.channelId;
    const conversationId = activity.conversation?.id;
    const rows: MessageRecord[] = [];
    const row = (a: Partial<Activity>, direction: 'in' | 'out', status: string, id?: string): MessageRecord => ({
      direction,
      channel,
      conversationId,
      providerId: providerId(channel, id),
      status,
      kind: 'reply',
      payload: messagePayload(a),
    });

    // (Its text is read when the turn ends: bounded then, or given back whole to a free answer.)
    const inbound = activity.type === ActivityTypes.Message ? row(activity, 'in', 'received', activity.id) : undefined;
    if (inbound) rows.push(inbound);
    context.onSendActivities(async (_ctx, activities, nextSend) => {
      const responses = await nextSend();
      activities.forEach((a, i) => {
        if (a.type === ActivityTypes.Message) rows.push(row(a, 'out', 'sent', responses[i]?.id));
      });
      return responses;
    });
    try {
      await next();
    } finally {
      // The turn ends once its messages are on record.
      if (inbound) inbound.payload = messagePayload(activity);
      if (rows.length && !isTurnUnrecorded(context)) {
        // An employer contact's messages are theirs, never a beneficiary's.
        const profile = await this.profile.get(context, {});
        const who =
          profile?.contactId !== undefined
            ? { beneficiaryId: null, contactId: profile.contactId }
            : { beneficiaryId: profile?.beneficiaryId ?? null };
        await Promise.all(rows.map((r) => this.log.record({ ...r, ...who })));
      }
    }
  }
}
