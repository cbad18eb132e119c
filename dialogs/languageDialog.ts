// Language choice: the eight languages, each in its own script, numbered in a fixed order.
// Saves the choice in the user's profile; the reply and everything after it use the new language.
import { ComponentDialog } from './sdk';
import type { WaterfallStepContext } from 'botbuilder-dialogs';
import { LANGUAGES, type LanguageCode } from '../bot/i18n/languages';
import { translator } from '../bot/i18n/translator';
import { setTurnLocale, turnLocale, type ProfileAccessor } from '../bot/turns/turnState';
import { say } from '../cards/messages';
import { LANGUAGE_DIALOG } from './ids';
import { NumberedChoicePrompt, perLanguage, type ChoiceResult } from './prompts/numberedChoicePrompt';
import { waterfall } from './waterfall';

const STEPS = 'languageSteps';
const PROMPT = 'languagePrompt';

/** The eight languages, each in its own script, in the fixed order; the question in the current language. */
const languageQuestion = perLanguage((locale) => {
  const t = translator(locale);
  return {
    question: t('language.question'),
    options: LANGUAGES.map((l) => ({ value: l.code, label: l.nativeName, synonyms: l.aliases })),
    hints: [t('prompt.hint')],
  };
});

export interface LanguageChange {
  from: LanguageCode;
  to: LanguageCode;
}

/** Told of every change, e.g. to write a language_changed CaseEvent for a known person. */
export type LanguageChangeListener = (step: WaterfallStepContext, change: LanguageChange) => Promise<void>;

export class LanguageDialog extends ComponentDialog {
  constructor(
    private readonly profile: ProfileAccessor,
    private readonly onChange?: LanguageChangeListener,
  ) {
    super(LANGUAGE_DIALOG);
    this.addDialog(new NumberedChoicePrompt(PROMPT, languageQuestion));
    this.addDialog(waterfall(STEPS, this, [this.ask, this.save]));
    this.initialDialogId = STEPS;
  }

  private async ask(step: WaterfallStepContext) {
    return step.beginDialog(PROMPT);
  }

  private async save(step: WaterfallStepContext) {
    const choice = step.result as ChoiceResult;
    if (choice.index < 0) return step.endDialog();
    const from = turnLocale(step.context);
    const to = choice.value as LanguageCode;
    const profile = await this.profile.get(step.context, {});
    await this.profile.set(step.context, { ...profile, language: to });
    setTurnLocale(step.context, to);
    await this.onChange?.(step, { from, to });
    await step.context.sendActivity(say(to, translator(to)('language.changed')));
    return step.endDialog({ language: to });
  }
}
