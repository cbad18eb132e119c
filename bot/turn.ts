// What the pipeline puts in a turn's state for dialogs to read: the person's language, and the
// user profile kept in UserState. Dialogs use these helpers, never the channel's own fields.
import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import type { LanguageCode } from './languages';

export interface UserProfile {
  /** the language the person chose; wins over the channel's locale */
  language?: LanguageCode;
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
