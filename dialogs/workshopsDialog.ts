// Menu 1, workshops: book one, or see (and cancel) mine. Ends when the task is done (the main
// dialog shows the menu again), or with WAY_OUT after three answers it did not understand.
import { ComponentDialog, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { translator } from '../bot/i18n/translator';
import type { DialogDeps } from './deps';
import { WORKSHOPS_DIALOG } from './ids';
import { NumberedChoicePrompt, perLanguage, type ChoiceResult } from './prompts/numberedChoicePrompt';
import { WAY_OUT } from './results';
import { BOOK_WORKSHOP_DIALOG, BookWorkshopDialog } from './workshops/bookWorkshopDialog';
import { MY_WORKSHOPS_DIALOG, MyWorkshopsDialog } from './workshops/myWorkshopsDialog';

const STEPS = 'workshopsSteps';
const MENU = 'workshopsMenu';

const menuQuestion = perLanguage((locale) => {
  const t = translator(locale);
  return {
    question: t('workshops.menu.question'),
    options: [
      { value: BOOK_WORKSHOP_DIALOG, label: t('workshops.menu.book') },
      { value: MY_WORKSHOPS_DIALOG, label: t('workshops.menu.mine') },
    ],
    hints: [t('prompt.hint'), t('prompt.backToMenu')],
  };
});

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
