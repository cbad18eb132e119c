// "Delete my data" (a keyword, for a known person): asks to confirm, then records the request for
// the CIP, who deletes the data and tells the person. Ends; the main dialog shows the menu again.
import { ComponentDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { translator } from '../bot/i18n/translator';
import { turnLocale } from '../bot/turns/turnState';
import { requestErasure } from '../bot/services/people';
import { say } from '../cards/messages';
import { beneficiaryIdOf, type DialogDeps } from './deps';
import { ERASURE_DIALOG } from './ids';
import { NumberedChoicePrompt, perLanguage, type ChoiceResult } from './prompts/numberedChoicePrompt';
import { yesNoQuestion } from './prompts/yesNoQuestion';
import { waterfall } from './waterfall';

const STEPS = 'erasureSteps';
const PROMPT = 'erasurePrompt';

const question = perLanguage((locale) => yesNoQuestion(locale, translator(locale)('erasure.question')));

export class ErasureDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(ERASURE_DIALOG);
    this.addDialog(new NumberedChoicePrompt(PROMPT, question));
    this.addDialog(waterfall(STEPS, this, [(s) => s.beginDialog(PROMPT), this.answer]));
    this.initialDialogId = STEPS;
  }

  private async answer(step: WaterfallStepContext) {
    const { context } = step;
    const locale = turnLocale(context);
    const t = translator(locale);
    const { index, value } = step.result as ChoiceResult;
    const id = await beneficiaryIdOf(this.deps, context);
    if (id === undefined) return step.endDialog(); // the keyword opens this dialog for known people only
    if (index < 0) {
      // Not understood three times: nothing is requested (this dialog is opened by a keyword, outside the menu's way
      // out).
      await context.sendActivity(say(locale, t('prompt.notUnderstood'), t('erasure.unchanged')));
    } else if (value === 'no') {
      await context.sendActivity(say(locale, t('erasure.kept')));
    } else {
      await requestErasure(this.deps.db, id);
      await context.sendActivities([say(locale, t('erasure.requested')), say(locale, t('erasure.willTell'))]);
    }
    return step.endDialog();
  }
}
