// What the pipeline puts in a turn's state for dialogs to read: the person's language, and the
// user profile kept in UserState. Dialogs use these helpers, never the channel's own fields.
import { TurnContext, type StatePropertyAccessor } from 'botbuilder';
import type { ChatIdentity } from './services/people';
import type { LanguageCode } from './languages';

export interface UserProfile {
  /** the language the person chose; wins over the channel's locale */
  language?: LanguageCode;
  /** the person's case, once they consented */
  beneficiaryId?: number;
  /** the conversation last recorded in ConversationRef (it is updated when it changes) */
  conversationId?: string;
  /** they said no to consent: nothing is stored; the next message asks again */
  declinedAt?: string;
}

const LOCALE = Symbol('passerelle.locale');

export function setTurnLocale(context: TurnContext, code: LanguageCode): void {
  context.turnState.set(LOCALE, code);
}

export function turnLocale(context: TurnContext): LanguageCode {
  const code = context.turnState.get(LOCALE) as LanguageCode | undefined;
  if (!code) throw new Error('the locale middleware did not run for this turn');
  return code;
}

export type ProfileAccessor = StatePropertyAccessor<UserProfile>;

const UNRECORDED = Symbol('passerelle.unrecorded');

/**
 * This turn's messages are not to be recorded (a person refused consent, or an unknown person
 * said "stop"): the message recorder writes nothing for it.
 */
export function doNotRecordTurn(context: TurnContext): void {
  context.turnState.set(UNRECORDED, true);
}

export function isTurnUnrecorded(context: TurnContext): boolean {
  return context.turnState.get(UNRECORDED) === true;
}

const CHANNEL_PHONE = Symbol('passerelle.channelPhone');
const CHANNEL_NAME = Symbol('passerelle.channelName');

/** Channels that know the person's phone number (WhatsApp) and profile name say so here. */
export function setChannelIdentity(context: TurnContext, identity: { phone?: string; name?: string }): void {
  if (identity.phone) context.turnState.set(CHANNEL_PHONE, identity.phone);
  if (identity.name) context.turnState.set(CHANNEL_NAME, identity.name);
}

export function channelPhone(context: TurnContext): string | undefined {
  return context.turnState.get(CHANNEL_PHONE);
}

export function channelProfileName(context: TurnContext): string | undefined {
  return context.turnState.get(CHANNEL_NAME);
}

/** Who is writing and where, as the case database keeps it (ConversationRef). */
export function chatIdentity(context: TurnContext): ChatIdentity {
  const { activity } = context;
  return {
    channel: activity.channelId,
    userKey: activity.from.id,
    conversationId: activity.conversation.id,
    serviceUrl: activity.serviceUrl,
    reference: JSON.parse(JSON.stringify(TurnContext.getConversationReference(activity))),
    locale: activity.locale,
  };
}
