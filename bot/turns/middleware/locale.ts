// Resolves the person's language for the turn: their stored choice, else the channel's locale
// (this activity's, or the one the channel gave earlier: a Direct Line client may send the locale
// only when the conversation starts), else DEFAULT_LOCALE; and stamps it on every outgoing
// activity (web chat turns right-to-left on it).
// On our web chat page the locale is the person's own choice (?lang=, the page's language switch;
// otherwise the page follows the bot's language): a new one there changes their stored language
// (see isChoice for the page's fallback to the default language).
import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import { languageFromLocaleTag, type LanguageCode } from '../../i18n/languages';
import { setTurnLocale, turnLocale, type ProfileAccessor } from '../turnState';

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
    setTurnLocale(context, profile.language ?? fromChannel ?? this.defaultLocale);
    // The default language may be no choice at all (the page falls back to it when it knows
    // nothing): only another one is offered for confirmation; for the default, the list (where it is 1).
    if (!profile.language && fromChannel && fromChannel !== this.defaultLocale)
      context.turnState.set(OFFERED, fromChannel);
    context.onSendActivities(async (ctx, activities, nextSend) => {
      const code = turnLocale(ctx);
      for (const a of activities) a.locale ??= code;
      return nextSend();
    });
    await next();
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
 * The language the channel gave this turn (the page's ?lang=ar), when the person did not choose
 * one yet and it is not the default language: onboarding asks them to confirm it in one digit.
 */
export function offeredLanguage(context: TurnContext): LanguageCode | undefined {
  return context.turnState.get(OFFERED);
}
