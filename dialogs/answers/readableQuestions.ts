// The yes/no questions we send (cards/), as their answers are read: the same options, with the
// yes and no words of every language and readYesNo (prompts/yesNoQuestion).
import type { LanguageCode } from '../../bot/i18n/languages';
import { invitationQuestion as invitationOptions } from '../../cards/notifications';
import { reminderQuestion as reminderOptions } from '../../cards/reminders';
import type { Question } from '../../cards/questions';
import { readAsYesNo } from '../prompts/yesNoQuestion';

/** "Will you come? 1 I'll come / 2 not this time" (values yes and no). */
export const invitationQuestion = (locale: LanguageCode): Question => readAsYesNo(invitationOptions(locale));

/** "1 I'll be there / 2 I can't come" (values yes and no). */
export const reminderQuestion = (locale: LanguageCode, intro: string[] = []): Question =>
  readAsYesNo(reminderOptions(locale, intro));
