// After three answers the bot did not understand: back to the menu, or a message to the CIP.
import { ComponentDialog, WaterfallDialog } from './sdk';
import type { WaterfallStepContext } from 'botbuilder-dialogs';
import { CIP_MESSAGE_DIALOG, WAY_OUT_DIALOG } from './ids';
import { fixedQuestion, NumberedChoicePrompt, type ChoiceResult } from './prompts/numberedChoicePrompt';
import type { Dialog } from 'botbuilder-dialogs';

const PROMPT = 'wayOutPrompt';

const question = fixedQuestion('wayOut.question', { menu: 'wayOut.menu', cip: 'wayOut.cip' }, ['prompt.hint']);

export class WayOutDialog extends ComponentDialog {
  constructor(cipMessage: Dialog) {
    super(WAY_OUT_DIALOG);
    this.addDialog(new NumberedChoicePrompt(PROMPT, question));
    this.addDialog(cipMessage);
    this.addDialog(
      new WaterfallDialog(`${WAY_OUT_DIALOG}Steps`, [
        (step) => step.beginDialog(PROMPT, { maxMisses: 2 }),
        (step: WaterfallStepContext) =>
          (step.result as ChoiceResult).value === 'cip' ? step.beginDialog(CIP_MESSAGE_DIALOG) : step.endDialog(),
        (step) => step.endDialog(),
      ]),
    );
    this.initialDialogId = `${WAY_OUT_DIALOG}Steps`;
  }
}
