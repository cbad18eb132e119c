// A task that is not built yet: says so and ends (the main dialog shows the menu again).
import { ComponentDialog, WaterfallDialog } from 'botbuilder-dialogs';
import { translator } from '../bot/i18n';
import { turnLocale } from '../bot/turn';
import { say } from '../cards/messages';

export class StubDialog extends ComponentDialog {
  constructor(id: string) {
    super(id);
    this.addDialog(
      new WaterfallDialog(`${id}Steps`, [
        async (step) => {
          const locale = turnLocale(step.context);
          await step.context.sendActivity(say(locale, translator(locale)('comingSoon')));
          return step.endDialog();
        },
      ]),
    );
    this.initialDialogId = `${id}Steps`;
  }
}
