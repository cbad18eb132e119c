// Resolves the person's language for the turn: their stored choice, else the channel's locale,
// else DEFAULT_LOCALE; and stamps it on every outgoing activity (web chat turns right-to-left on it).
import type { Middleware, TurnContext } from 'botbuilder';
import { languageFromLocaleTag, type LanguageCode } from '../languages';
import { setTurnLocale, turnLocale, type ProfileAccessor } from '../turn';

export class LocaleMiddleware implements Middleware {
  constructor(
    private readonly profile: ProfileAccessor,
    private readonly defaultLocale: LanguageCode,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const stored = (await this.profile.get(context, {})).language;
    setTurnLocale(context, stored ?? languageFromLocaleTag(context.activity.locale) ?? this.defaultLocale);
    context.onSendActivities(async (ctx, activities, nextSend) => {
      const code = turnLocale(ctx);
      for (const a of activities) a.locale ??= code;
      return nextSend();
    });
    await next();
  }
}
