// The main menu: the numbered tasks, shown again when a task ends. A person we do not know yet
// sees it too (with a line saying "6 = language" in every language); when they pick a task,
// onboarding comes first (language if not chosen yet, consent, first name), then the task they
// picked. What comes before the menu in a turn (keywords, answers to our questions, the active
// dialog) is the turn router's (turnRouter.ts, beneficiaryTurns.ts).
import { ComponentDialog } from './sdk';
import type { Dialog, WaterfallStepContext } from 'botbuilder-dialogs';
import { translator } from '../bot/i18n/translator';
import { LANGUAGE_CODES } from '../bot/i18n/languages';
import { channelGivesNoLanguage, turnLocale } from '../bot/turns/turnState';
import { say } from '../cards/messages';
import { beneficiaryIdOf, type DialogDeps } from './deps';
import {
  AGENDA_DIALOG,
  CIP_MESSAGE_DIALOG,
  LANGUAGE_DIALOG,
  MAIN_DIALOG,
  ONBOARDING_DIALOG,
  PROBLEM_DIALOG,
  SHIFTS_DIALOG,
  WAY_OUT_DIALOG,
  WORKSHOPS_DIALOG,
} from './ids';
import { NumberedChoicePrompt, perLanguage, type ChoiceResult } from './prompts/numberedChoicePrompt';
import { isWayOut } from './results';
import type { MainOptions } from './beneficiaryTurns';
import { waterfall } from './waterfall';

const STEPS = 'mainSteps';
const PROMPT = 'menuPrompt';

/** The menu, in its fixed order: the number a person answers is the position here. */
export const MENU = ['workshops', 'shifts', 'problem', 'agenda', 'cip', 'language'] as const;
export type MenuEntry = (typeof MENU)[number];

/**
 * "Language" in every language, for the first greeting: a person who cannot read French finds the way (its number from
 * the menu).
 */
const LANGUAGE_NAMES = LANGUAGE_CODES.map((c) => translator(c)('menu.language')).join(' · ');
const LANGUAGE_LINE = `🌐 ${MENU.indexOf('language') + 1} = ${LANGUAGE_NAMES}`;

const TASKS: Record<MenuEntry, string> = {
  workshops: WORKSHOPS_DIALOG,
  shifts: SHIFTS_DIALOG,
  problem: PROBLEM_DIALOG,
  agenda: AGENDA_DIALOG,
  cip: CIP_MESSAGE_DIALOG,
  language: LANGUAGE_DIALOG,
};

const menuQuestion = perLanguage((locale) => {
  const t = translator(locale);
  return {
    question: t('menu.question'),
    options: MENU.map((entry) => ({ value: entry, label: t(`menu.${entry}`) })),
    hints: [t('prompt.hint')],
  };
});

/** What onboarding ends with: the new case, or nothing when the person said no. */
export interface OnboardingResult {
  beneficiaryId?: number;
}

/** The dialogs the menu opens. */
export interface MenuParts {
  onboarding: Dialog;
  language: () => Dialog;
  workshops: Dialog;
  shifts: Dialog;
  problem: Dialog;
  agenda: Dialog;
  cipMessage: () => Dialog;
  wayOut: () => Dialog;
}

export class MainDialog extends ComponentDialog {
  constructor(
    private readonly deps: DialogDeps,
    parts: MenuParts,
  ) {
    super(MAIN_DIALOG);
    this.addDialog(new NumberedChoicePrompt(PROMPT, menuQuestion));
    for (const d of [
      parts.onboarding,
      parts.language(),
      parts.workshops,
      parts.shifts,
      parts.problem,
      parts.agenda,
      parts.cipMessage(),
      parts.wayOut(),
    ]) {
      this.addDialog(d);
    }
    this.addDialog(
      waterfall(STEPS, this, [this.showMenu, this.onboardFirst, this.route, this.afterTask, (s) => s.endDialog()]),
    );
    this.initialDialogId = STEPS;
  }

  private async showMenu(step: WaterfallStepContext) {
    if ((step.options as MainOptions | undefined)?.greet) {
      const locale = turnLocale(step.context);
      const profile = await this.deps.profile.get(step.context, {});
      const unknown = profile.beneficiaryId === undefined && !profile.language;
      // A channel that says nothing of the person's language (WhatsApp): first contact begins with
      // the language, then consent; the menu comes after, in their language.
      if (unknown && channelGivesNoLanguage(step.context)) {
        await step.context.sendActivity(say(locale, translator(locale)('greeting')));
        (step.values as { firstContact?: boolean }).firstContact = true;
        return step.beginDialog(ONBOARDING_DIALOG);
      }
      const lines = [translator(locale)('greeting')];
      if (unknown) lines.push(LANGUAGE_LINE);
      await step.context.sendActivity(say(locale, ...lines));
    }
    return step.beginDialog(PROMPT);
  }

  /** A task needs a case: someone we do not know yet goes through onboarding first. */
  private async onboardFirst(step: WaterfallStepContext) {
    // First contact went through onboarding already: now the menu.
    if ((step.values as { firstContact?: boolean }).firstContact)
      return step.replaceDialog(STEPS, { greet: false } satisfies MainOptions);
    const choice = step.result as ChoiceResult;
    (step.values as { choice?: ChoiceResult }).choice = choice;
    if (choice.index < 0 || choice.value === 'language') return step.next(choice);
    if ((await beneficiaryIdOf(this.deps, step.context)) !== undefined) return step.next(choice);
    return step.beginDialog(ONBOARDING_DIALOG);
  }

  private async route(step: WaterfallStepContext) {
    const choice = (step.values as { choice: ChoiceResult }).choice;
    if (choice.index < 0) return step.replaceDialog(WAY_OUT_DIALOG);
    // Onboarding that ended without a case (the person said no): back to the menu.
    if (step.result !== choice && !(step.result as OnboardingResult | undefined)?.beneficiaryId)
      return step.endDialog();
    return step.beginDialog(TASKS[choice.value as MenuEntry]);
  }

  private async afterTask(step: WaterfallStepContext) {
    if (isWayOut(step.result)) return step.beginDialog(WAY_OUT_DIALOG);
    return step.next();
  }
}
