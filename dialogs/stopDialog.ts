// "Stop" (a keyword, for a known person): one question first, "Do you want to stop all messages?",
// so that a word that means something else too (Dari "بس" is "bus") never unsubscribes anyone by
// mistake. Yes: no proactive message any more, until "start", and nothing more is said; no: the
// menu again.
import { ComponentDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { translator } from '../bot/i18n/translator';
import { turnLocale } from '../bot/turns/turnState';
import { optOut } from '../bot/services/people';
import { say } from '../cards/messages';
import { beneficiaryIdOf, type DialogDeps } from './deps';
import { STOP_DIALOG } from './ids';
import { QUIET } from './results';
import { NumberedChoicePrompt, perLanguage, type ChoiceResult } from './prompts/numberedChoicePrompt';
import { yesNoQuestion } from './prompts/yesNoQuestion';
import { waterfall } from './waterfall';

const STEPS = 'stopSteps';
const PROMPT = 'stopPrompt';

const question = perLanguage((locale) => yesNoQuestion(locale, translator(locale)('stop.question')));

export class StopDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(STOP_DIALOG);
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
    if (index >= 0 && value === 'yes') {
      await optOut(this.deps.db, id, this.deps.now());
      await context.sendActivity(say(locale, t('stop.done'), t('stop.howToStart')));
      return step.endDialog(QUIET);
    } else {
      // "No", or not understood three times: nothing changes.
      await context.sendActivity(say(locale, t('stop.kept')));
    }
    return step.endDialog();
  }
}
