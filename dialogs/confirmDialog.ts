// A keyword that changes something for good ("delete", "stop") asks one yes/no question first;
// then `answered` acts on the answer for the person's case. Opened for known people only.
import { ComponentDialog } from './sdk';
import type { WaterfallStepContext } from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder-core';
import type { ParseKeys } from 'i18next';
import { translator } from '../bot/i18n/translator';
import { beneficiaryIdOf, type DialogDeps } from './deps';
import { NumberedChoicePrompt, perLanguage, type ChoiceResult } from './prompts/numberedChoicePrompt';
import { yesNoQuestion } from './prompts/yesNoQuestion';
import { waterfall } from './waterfall';

/** yes, no, or not understood three times */
export type Confirmation = 'yes' | 'no' | 'unclear';

/** Acts on the answer; what it returns ends the dialog. */
export type Answered = (context: TurnContext, beneficiaryId: number, answer: Confirmation) => Promise<unknown>;

export class ConfirmDialog extends ComponentDialog {
  constructor(
    id: string,
    private readonly deps: DialogDeps,
    question: ParseKeys,
    private readonly answered: Answered,
  ) {
    super(id);
    const prompt = `${id}Prompt`;
    const build = perLanguage((locale) => yesNoQuestion(locale, translator(locale)(question)));
    this.addDialog(new NumberedChoicePrompt(prompt, build));
    this.addDialog(waterfall(`${id}Steps`, this, [(s) => s.beginDialog(prompt), this.answer]));
    this.initialDialogId = `${id}Steps`;
  }

  private async answer(step: WaterfallStepContext) {
    const { index, value } = step.result as ChoiceResult;
    const id = await beneficiaryIdOf(this.deps, step.context);
    if (id === undefined) return step.endDialog(); // the keyword opens this dialog for known people only
    const answer: Confirmation = index < 0 ? 'unclear' : value === 'yes' ? 'yes' : 'no';
    return step.endDialog(await this.answered(step.context, id, answer));
  }
}
