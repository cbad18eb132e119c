// The main menu, and the root of every conversation: greets a new person, shows the numbered
// menu, routes the choice, and comes back to the menu when a task ends. Keywords that work at
// any time ("menu"/0, "help", "language") are handled here, before the active dialog sees them.
import {
  ComponentDialog,
  DialogSet,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogState,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { ActivityTypes, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { translator } from '../bot/i18n';
import { turnLocale, type ProfileAccessor } from '../bot/turn';
import { say } from '../cards/messages';
import { LANGUAGE_DIALOG, MAIN_DIALOG } from './ids';
import { LanguageDialog, type LanguageChangeListener } from './languageDialog';
import { NumberedChoicePrompt, perLanguage, type ChoiceResult } from './prompts/numberedChoicePrompt';
import { globalCommand } from './recognizers/keywords';

const STEPS = 'mainSteps';
const PROMPT = 'menuPrompt';

/** The menu, in its fixed order: the number a person answers is the position here. */
export const MENU = ['workshops', 'shifts', 'problem', 'agenda', 'cip', 'language'] as const;
export type MenuEntry = (typeof MENU)[number];

const menuQuestion = perLanguage((locale) => {
  const t = translator(locale);
  return {
    question: t('menu.question'),
    options: MENU.map((entry) => ({ value: entry, label: t(`menu.${entry}`) })),
    hints: [t('prompt.hint')],
  };
});

interface MainOptions {
  greet?: boolean;
}

export class MainDialog extends ComponentDialog {
  private readonly root: DialogSet;

  constructor(
    dialogState: StatePropertyAccessor<DialogState>,
    profile: ProfileAccessor,
    onLanguageChange?: LanguageChangeListener,
  ) {
    super(MAIN_DIALOG);
    this.addDialog(new NumberedChoicePrompt(PROMPT, menuQuestion));
    this.addDialog(new LanguageDialog(profile, onLanguageChange));
    this.addDialog(new WaterfallDialog(STEPS, [(s) => this.showMenu(s), (s) => this.route(s), (s) => s.endDialog()]));
    this.initialDialogId = STEPS;

    // The root set: the menu, and the language choice that the keyword opens from anywhere.
    this.root = new DialogSet(dialogState);
    this.root.add(this);
    this.root.add(new LanguageDialog(profile, onLanguageChange));
  }

  /** Runs one turn of the conversation. */
  async run(context: TurnContext): Promise<void> {
    const dc = await this.root.createContext(context);
    const isMessage = context.activity.type === ActivityTypes.Message;
    const command = isMessage ? globalCommand(context.activity.text) : undefined;

    if (command === 'menu') {
      await dc.cancelAllDialogs();
      await dc.beginDialog(MAIN_DIALOG);
      return;
    }
    if (command === 'language') {
      await dc.cancelAllDialogs();
      await dc.beginDialog(LANGUAGE_DIALOG);
      return;
    }
    if (command === 'help') {
      await this.sendHelp(context);
      if (dc.activeDialog) await dc.repromptDialog();
      else await dc.beginDialog(MAIN_DIALOG);
      return;
    }

    const result = isMessage ? await dc.continueDialog() : { status: dc.activeDialog ? DialogTurnStatus.waiting : DialogTurnStatus.empty };
    if (result.status === DialogTurnStatus.empty) {
      await dc.beginDialog(MAIN_DIALOG, { greet: true } satisfies MainOptions);
    } else if (result.status === DialogTurnStatus.complete) {
      // A task ended: back to the menu.
      await dc.beginDialog(MAIN_DIALOG);
    }
  }

  private async sendHelp(context: TurnContext) {
    const locale = turnLocale(context);
    const t = translator(locale);
    await context.sendActivity(say(locale, t('help.numbers'), t('help.keywords')));
  }

  private async showMenu(step: WaterfallStepContext) {
    const locale = turnLocale(step.context);
    const t = translator(locale);
    if ((step.options as MainOptions | undefined)?.greet) {
      await step.context.sendActivity(say(locale, t('greeting')));
    }
    return step.beginDialog(PROMPT);
  }

  private async route(step: WaterfallStepContext) {
    const choice = step.result as ChoiceResult;
    const locale = turnLocale(step.context);
    const t = translator(locale);
    if (choice.index < 0) {
      await this.sendHelp(step.context);
      return step.endDialog();
    }
    const entry = choice.value as MenuEntry;
    if (entry === 'language') return step.beginDialog(LANGUAGE_DIALOG);
    await step.context.sendActivity(say(locale, t('comingSoon')));
    return step.endDialog();
  }
}
