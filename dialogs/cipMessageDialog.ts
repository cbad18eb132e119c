// Write to my CIP: a message in words or a voice note, stored on the case (message_to_cip), then
// when the CIP usually answers. Also opened by the way-out dialog, maybe for someone we do not
// know yet: they are told how to get there through the menu (consent first).
import { ComponentDialog } from './sdk';
import type { WaterfallStepContext } from 'botbuilder-dialogs';
import { translator } from '../bot/i18n/translator';
import { turnLocale } from '../bot/turns/turnState';
import { messageToCip } from '../bot/services/people';
import { say } from '../cards/messages';
import { beneficiaryIdOf, type DialogDeps } from './deps';
import { CIP_MESSAGE_DIALOG } from './ids';
import { spokenQuestion, TextPrompt, isNoAnswer, type TextAnswer } from './prompts/textPrompt';
import { WAY_OUT } from './results';
import { waterfall } from './waterfall';

const STEPS = 'cipMessageSteps';
const MESSAGE = 'cipMessageText';

export class CipMessageDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(CIP_MESSAGE_DIALOG);
    this.addDialog(new TextPrompt(MESSAGE, spokenQuestion('cip.ask', 'cip.voice')));
    this.addDialog(waterfall(STEPS, this, [this.ask, this.send]));
    this.initialDialogId = STEPS;
  }

  private async ask(step: WaterfallStepContext) {
    if ((await beneficiaryIdOf(this.deps, step.context)) === undefined) {
      const locale = turnLocale(step.context);
      await step.context.sendActivity(say(locale, translator(locale)('cip.unknown')));
      return step.endDialog();
    }
    return step.beginDialog(MESSAGE, { attachments: true });
  }

  private async send(step: WaterfallStepContext) {
    const answer = step.result as TextAnswer;
    if (isNoAnswer(answer)) return step.endDialog(WAY_OUT);
    const id = (await beneficiaryIdOf(this.deps, step.context))!;
    await messageToCip(this.deps.db, id, answer);
    const locale = turnLocale(step.context);
    const t = translator(locale);
    await step.context.sendActivity(
      say(locale, t('cip.sent'), t('cip.answerDays', { count: this.deps.cipAnswerDays })),
    );
    return step.endDialog();
  }
}
