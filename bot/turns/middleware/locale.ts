// Resolves the person's language for the turn: their stored choice, else the channel's locale
// (this activity's, or the one the channel gave earlier: a Direct Line client may send the locale
// only when the conversation starts), else DEFAULT_LOCALE; and stamps it on every outgoing
// activity (web chat turns right-to-left on it).
// On our web chat page the locale is the person's own choice (?lang=, the page's language switch;
// otherwise the page follows the bot's language): a new one there changes their stored language
// (see isChoice for the page's fallback to the default language).
// Someone new who chose nothing and whose channel said nothing (WhatsApp) gets a guess from the
// script of their message and their phone's country code (bot/i18n/guessLanguage.ts): replies
// come in the guessed language, and onboarding offers it for confirmation.
import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder-core';
import { languageFromLocaleTag, type LanguageCode } from '../../i18n/languages';
import { guessLanguages } from '../../i18n/guessLanguage';
import { channelPhone, setTurnLocale, turnLocale, type ProfileAccessor, type UserProfile } from '../turnState';

/** Channels whose locale only changes when the person changes it (the page of bot/channels/webchat). */
const PAGE_CHANNELS = new Set(['webchat']);

const PAGE_CHANGE = Symbol('passerelle.pageLanguageChange');
const OFFERED = Symbol('passerelle.offeredLanguage');

export interface PageLanguageChange {
  from: LanguageCode;
  to: LanguageCode;
}

/** The language the person changed on the page this turn (the caller records it on their case). */
export function pageLanguageChange(context: TurnContext): PageLanguageChange | undefined {
  return context.turnState.get(PAGE_CHANGE);
}

export class LocaleMiddleware implements Middleware {
  constructor(
    private readonly profile: ProfileAccessor,
    private readonly defaultLocale: LanguageCode,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    let profile = await this.profile.get(context, {});
    const given = languageFromLocaleTag(context.activity.locale);
    if (given && given !== profile.channelLanguage) {
      const changedOnPage =
        PAGE_CHANNELS.has(context.activity.channelId) &&
        profile.language !== undefined &&
        profile.language !== given &&
        this.isChoice(context, profile.channelLanguage, given);
      if (changedOnPage)
        context.turnState.set(PAGE_CHANGE, { from: profile.language!, to: given } satisfies PageLanguageChange);
      profile = { ...profile, channelLanguage: given, ...(changedOnPage && { language: given }) };
      await this.profile.set(context, profile);
    }
    const fromChannel = given ?? profile.channelLanguage;
    // The default language may be no choice at all (the page falls back to it when it knows
    // nothing): only another one is offered for confirmation; for the default, the list (where it is 1).
    const channelOffers = fromChannel && fromChannel !== this.defaultLocale ? [fromChannel] : undefined;
    const known = profile.beneficiaryId !== undefined || profile.contactId !== undefined;
    const offered = profile.language ? [] : (channelOffers ?? (known ? [] : await this.guess(context, profile)));
    setTurnLocale(context, profile.language ?? offered[0] ?? fromChannel ?? this.defaultLocale);
    if (offered.length > 0 && !(offered.length === 1 && offered[0] === this.defaultLocale))
      context.turnState.set(OFFERED, offered);
    context.onSendActivities(async (ctx, activities, nextSend) => {
      const code = turnLocale(ctx);
      for (const a of activities) a.locale ??= code;
      return nextSend();
    });
    await next();
  }

  /**
   * The languages guessed for someone new, kept until they choose one: a later message ("2") must
   * not change the language of the question it answers. Nothing to go on: asked again next turn.
   */
  private async guess(context: TurnContext, profile: UserProfile): Promise<LanguageCode[]> {
    if (profile.guessedLanguages?.length) return profile.guessedLanguages;
    const text = context.activity.type === ActivityTypes.Message ? context.activity.text : undefined;
    const guessed = guessLanguages({ text, phone: channelPhone(context) });
    if (guessed.length > 0) await this.profile.set(context, { ...profile, guessedLanguages: guessed });
    return guessed;
  }

  /**
   * A new locale from the page is the person's choice when a message comes with it (Web Chat posts
   * with the language it shows, which otherwise follows the bot's); at a conversation's start only
   * when it is not the default language, which the page falls back to when it knows nothing (it
   * then follows the bot's language at its first reply).
   */
  private isChoice(context: TurnContext, before: LanguageCode | undefined, given: LanguageCode): boolean {
    return context.activity.type === ActivityTypes.Message ? before !== undefined : given !== this.defaultLocale;
  }
}

/**
 * The languages to offer someone who did not choose one yet, most likely first: the one the channel
 * gave this turn (the page's ?lang=ar) when it is not the default language, else the guess from
 * their message and phone. Onboarding confirms one in one digit, or offers several as a short list.
 */
export function offeredLanguages(context: TurnContext): readonly LanguageCode[] {
  return context.turnState.get(OFFERED) ?? [];
}
