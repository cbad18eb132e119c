// What the pipeline puts in a turn's state for dialogs to read: the person's language, and the
// user profile kept in UserState. Dialogs use these helpers, never the channel's own fields.
import { TurnContext, type StatePropertyAccessor } from 'botbuilder-core';
import type { ChatIdentity } from '../services/people';
import type { LanguageCode } from '../i18n/languages';

export interface UserProfile {
  /** the language the person chose; wins over the channel's locale */
  language?: LanguageCode;
  /**
   * the language the channel last gave (the web chat page's ?lang= or switch): used on turns that
   * come without a locale, and offered for confirmation before consent (bot/turns/middleware/locale.ts)
   */
  channelLanguage?: LanguageCode;
  /** the languages guessed from their first message and phone, offered until they choose one */
  guessedLanguages?: LanguageCode[];
  /** the person's case, once they consented */
  beneficiaryId?: number;
  /** an employer contact (recognised by their phone number): never a beneficiary */
  contactId?: number;
  /** the conversation last recorded in ConversationRef (it is updated when it changes) */
  conversationId?: string;
  /** they said no to consent: nothing is stored; the next message asks again */
  declinedAt?: string;
  /** when they last wrote (ISO): a question we sent after it is theirs to answer */
  lastTurnAt?: string;
  /** "listen" or "read", as the person chose (mirrors the case's voiceMode; before consent, here only) */
  voice?: 'listen' | 'read';
  /** the case's `reads` (yes | little | no), as last read from the case database */
  reads?: string;
  /** when `voice` and `reads` were last read from the case (ISO) */
  voiceCheckedAt?: string;
  /** they sent a voice note in this conversation: they hear the bot from then on (unless they chose "read") */
  sentVoiceNote?: boolean;
}

/**
 * A value of the turn that something sets before the dialogs run (the locale middleware, the contact
 * root) and dialogs read: reading it when it was not set is a bug, said by `missing`.
 */
export function requiredTurnValue<T>(name: string, missing: string) {
  const key = Symbol(`passerelle.${name}`);
  return {
    set(context: TurnContext, value: T): void {
      context.turnState.set(key, value);
    },
    get(context: TurnContext): T {
      const value = context.turnState.get(key) as T | undefined;
      if (!value) throw new Error(missing);
      return value;
    },
  };
}

const locale = requiredTurnValue<LanguageCode>('locale', 'the locale middleware did not run for this turn');
export const setTurnLocale = locale.set;
export const turnLocale = locale.get;

export type ProfileAccessor = StatePropertyAccessor<UserProfile>;

const LISTENS = Symbol('passerelle.listens');

/** This turn's replies are to be heard (set by the voice middleware, or by a dialog for one question). */
export function setTurnListens(context: TurnContext, listens = true): void {
  context.turnState.set(LISTENS, listens);
}

/** Whether the person hears this turn's replies: channels add a spoken clip. */
export function turnListens(context: TurnContext): boolean {
  return context.turnState.get(LISTENS) === true;
}

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
const NO_LANGUAGE_HINT = Symbol('passerelle.noLanguageHint');
const UNSUPPORTED = Symbol('passerelle.unsupportedContent');

export interface ChannelIdentity {
  phone?: string;
  name?: string;
  /** the channel tells nothing of the person's language (no locale): ask it first */
  noLanguageHint?: boolean;
}

/** Channels that know the person's phone number (WhatsApp) and profile name say so here. */
export function setChannelIdentity(context: TurnContext, identity: ChannelIdentity): void {
  if (identity.phone) context.turnState.set(CHANNEL_PHONE, identity.phone);
  if (identity.name) context.turnState.set(CHANNEL_NAME, identity.name);
  if (identity.noLanguageHint) context.turnState.set(NO_LANGUAGE_HINT, true);
}

/** True on channels where a first message says nothing of the person's language (WhatsApp). */
export function channelGivesNoLanguage(context: TurnContext): boolean {
  return context.turnState.get(NO_LANGUAGE_HINT) === true;
}

/** The person sent something we cannot read (a sticker, a video...): its kind. */
export function setUnsupportedContent(context: TurnContext, kind: string): void {
  context.turnState.set(UNSUPPORTED, kind);
}

/**
 * Why a message has no words to read, if it has none: a voice note (while nobody can listen to
 * it), or something else (a picture where a number is expected, a sticker...).
 */
export function wordlessContent(context: TurnContext): 'voice' | 'other' | undefined {
  const { activity } = context;
  if (activity.type !== 'message' || activity.text?.trim()) return undefined;
  if (activity.attachments?.some((a) => /^audio\//.test(a.contentType ?? ''))) return 'voice';
  if (activity.attachments?.length || context.turnState.get(UNSUPPORTED)) return 'other';
  return undefined;
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
