// Menu 1, workshops: book one, or see (and cancel) mine. Ends when the task is done (the main
// dialog shows the menu again), or with WAY_OUT after three answers it did not understand.
import { ComponentDialog, WaterfallDialog } from './sdk';
import type { WaterfallStepContext } from 'botbuilder-dialogs';
import type { DialogDeps } from './deps';
import { WORKSHOPS_DIALOG } from './ids';
import { fixedQuestion, NumberedChoicePrompt, type ChoiceResult } from './prompts/numberedChoicePrompt';
import { WAY_OUT } from './results';
import { BOOK_WORKSHOP_DIALOG, BookWorkshopDialog } from './workshops/bookWorkshopDialog';
import { MY_WORKSHOPS_DIALOG, MyWorkshopsDialog } from './workshops/myWorkshopsDialog';

const STEPS = 'workshopsSteps';
const MENU = 'workshopsMenu';

const menuOptions = {
  [BOOK_WORKSHOP_DIALOG]: 'workshops.menu.book',
  [MY_WORKSHOPS_DIALOG]: 'workshops.menu.mine',
} as const;
const menuQuestion = fixedQuestion('workshops.menu.question', menuOptions, ['prompt.hint', 'prompt.backToMenu']);

export class WorkshopsDialog extends ComponentDialog {
  constructor(deps: DialogDeps) {
    super(WORKSHOPS_DIALOG);
    this.addDialog(new NumberedChoicePrompt(MENU, menuQuestion));
    this.addDialog(new BookWorkshopDialog(deps));
    this.addDialog(new MyWorkshopsDialog(deps));
    this.addDialog(
      new WaterfallDialog(STEPS, [
        (step) => step.beginDialog(MENU),
        (step: WaterfallStepContext) => {
          const choice = step.result as ChoiceResult;
          return choice.index < 0 ? step.endDialog(WAY_OUT) : step.beginDialog(choice.value);
        },
        (step) => step.endDialog(step.result),
      ]),
    );
    this.initialDialogId = STEPS;
  }
}
