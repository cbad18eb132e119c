// The answer to the evening reminder of tomorrow's workshops and shifts: "1 I'll be there"
// confirms them; "2 I can't come" opens the cancel flow (a workshop) or the decline flow (a shift:
// why, and the offer to report the problem), after asking which one when there are several.
import { ComponentDialog } from '../sdk';
import type { WaterfallStepContext } from 'botbuilder-dialogs';
import { translator } from '../../bot/i18n/translator';
import { turnLocale } from '../../bot/turns/turnState';
import {
  confirmReminder,
  declineReminder,
  itemsStillOn,
  reminderOf,
  type ReminderItem,
} from '../../bot/services/reminders';
import { say } from '../../cards/messages';
import { reminderLine } from '../../cards/reminders';
import { reminderQuestion } from './readableQuestions';
import type { DialogDeps } from '../deps';
import { REMINDER_DIALOG, SHIFTS_DIALOG } from '../ids';
import { NumberedChoicePrompt, type ChoiceResult } from '../prompts/numberedChoicePrompt';
import { ShiftsDialog, type ShiftsOptions } from '../shiftsDialog';
import { MY_WORKSHOPS_DIALOG, MyWorkshopsDialog } from '../workshops/myWorkshopsDialog';
import { recordingAnswerer, type Answerer, type AnswerOptions } from './answerer';
import { waterfall } from '../waterfall';

const STEPS = 'reminderSteps';
const WHICH = 'reminderWhich';

export interface ReminderDialogOptions extends AnswerOptions {
  messageId: number;
  yes: boolean;
}

interface Values {
  items: ReminderItem[];
}

/** "1", "2", "I'll be there"... to the reminder still open: the reminder dialog. */
export function reminderAnswerer(deps: DialogDeps): Answerer {
  return recordingAnswerer({
    kind: 'reminder',
    dialog: new ReminderDialog(deps),
    question: reminderQuestion,
    negative: ['no'],
    options: async (value, question, beneficiaryId) =>
      ({
        questionId: question.id,
        messageId: question.messageId,
        beneficiaryId,
        yes: value === 'yes',
      }) satisfies ReminderDialogOptions,
  });
}

export class ReminderDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(REMINDER_DIALOG);
    this.addDialog(
      new NumberedChoicePrompt<ReminderItem[]>(WHICH, (locale, items) => {
        const t = translator(locale);
        return {
          question: t('reminders.which'),
          options: items.map((item, i) => ({ value: String(i), label: reminderLine(locale, deps.timeZone, item) })),
          hints: [t('prompt.hint')],
        };
      }),
    );
    this.addDialog(new MyWorkshopsDialog(deps));
    this.addDialog(new ShiftsDialog(deps));
    this.addDialog(waterfall(STEPS, this, [this.answer, this.which, (s) => s.endDialog()]));
    this.initialDialogId = STEPS;
  }

  private async answer(step: WaterfallStepContext) {
    const o = step.options as ReminderDialogOptions;
    const locale = turnLocale(step.context);
    const t = translator(locale);
    const reminder = await reminderOf(this.deps.db, o.messageId);
    const items = reminder ? await itemsStillOn(this.deps.db, o.beneficiaryId, reminder.items, this.deps.now()) : [];
    if (!items.length) {
      await step.context.sendActivity(say(locale, t('reminders.nothingLeft')));
      return step.endDialog();
    }
    const actor = { type: 'beneficiary' as const, id: o.beneficiaryId };
    if (o.yes) {
      const done = await confirmReminder(this.deps.db, o.questionId, o.beneficiaryId, items, this.deps.now(), actor);
      await step.context.sendActivity(say(locale, t(done ? 'reminders.seeYou' : 'reminders.answered')));
      return step.endDialog();
    }
    if (!(await declineReminder(this.deps.db, o.questionId, this.deps.now()))) {
      await step.context.sendActivity(say(locale, t('reminders.answered')));
      return step.endDialog();
    }
    (step.values as Values).items = items;
    if (items.length === 1) return step.next({ index: 0, value: '0' } satisfies ChoiceResult);
    return step.beginDialog(WHICH, { args: items });
  }

  private async which(step: WaterfallStepContext) {
    const choice = step.result as ChoiceResult;
    if (choice.index < 0) return step.endDialog();
    const item = (step.values as Values).items[Number(choice.value)];
    if (item.type === 'workshop') return step.beginDialog(MY_WORKSHOPS_DIALOG, { bookingId: item.bookingId });
    return step.beginDialog(SHIFTS_DIALOG, { declineShiftId: item.shiftId } satisfies ShiftsOptions);
  }
}
