// The answer to the daily check-in of an immersion ("How was your day?"), maybe hours later:
// "good" is thanked; "I need help" tells the person their CIP knows (an alert was raised);
// "difficult" asks what happened (a few words or a voice note), then offers to report a problem.
import { ComponentDialog } from '../sdk';
import type { WaterfallStepContext } from 'botbuilder-dialogs';
import { translator } from '../../bot/i18n/translator';
import { turnLocale } from '../../bot/turns/turnState';
import { answerCheckIn, describeCheckIn, type CheckInAnswer } from '../../bot/services/checkIns';
import { checkInQuestion } from '../../cards/checkIns';
import { say } from '../../cards/messages';
import type { DialogDeps } from '../deps';
import { CHECKIN_DIALOG, PROBLEM_DIALOG } from '../ids';
import { ProblemDialog, type ProblemOptions } from '../problemDialog';
import { NumberedChoicePrompt, type ChoiceResult } from '../prompts/numberedChoicePrompt';
import { spokenQuestion, TextPrompt, type TextAnswer } from '../prompts/textPrompt';
import { yesNoQuestion } from '../prompts/yesNoQuestion';
import { recordingAnswerer, type Answerer, type AnswerOptions } from './answerer';
import { waterfall } from '../waterfall';

const STEPS = 'checkInSteps';
const DESCRIBE = 'checkInDescribe';
const REPORT = 'checkInReport';

export interface CheckInDialogOptions extends AnswerOptions {
  checkInId: number;
  answer: CheckInAnswer;
}

/** "1", "good", "😞"... to the check-in still open: the check-in dialog. */
export function checkInAnswerer(deps: DialogDeps): Answerer {
  return recordingAnswerer({
    kind: 'checkin',
    dialog: new CheckInDialog(deps),
    question: checkInQuestion,
    // No option is negative here: "pas bien", "I don't need help" are asked again.
    negative: [],
    options: async (value, question, beneficiaryId) =>
      ({
        questionId: question.id,
        checkInId: question.refId,
        beneficiaryId,
        answer: value as CheckInAnswer,
      }) satisfies CheckInDialogOptions,
  });
}

export class CheckInDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(CHECKIN_DIALOG);
    this.addDialog(new TextPrompt(DESCRIBE, spokenQuestion('checkins.whatHappened')));
    this.addDialog(
      new NumberedChoicePrompt(REPORT, (locale) =>
        yesNoQuestion(locale, translator(locale)('checkins.reportQuestion')),
      ),
    );
    this.addDialog(new ProblemDialog(deps));
    this.addDialog(waterfall(STEPS, this, [this.record, this.describe, this.offerReport, (s) => s.endDialog()]));
    this.initialDialogId = STEPS;
  }

  private options(step: WaterfallStepContext): CheckInDialogOptions {
    return step.options as CheckInDialogOptions;
  }

  private async record(step: WaterfallStepContext) {
    const o = this.options(step);
    const locale = turnLocale(step.context);
    const t = translator(locale);
    const outcome = await answerCheckIn(this.deps.db, o.questionId, o.checkInId, o.answer, this.deps.now(), {
      type: 'beneficiary',
      id: o.beneficiaryId,
    });
    if (outcome.status !== 'recorded') {
      await step.context.sendActivity(say(locale, t('checkins.already')));
      return step.endDialog();
    }
    if (o.answer === 'good') {
      await step.context.sendActivity(say(locale, t('checkins.thanks')));
      return step.endDialog();
    }
    if (o.answer === 'needs_help') {
      await step.context.sendActivity(say(locale, t('checkins.helpComing')));
      return step.endDialog();
    }
    await step.context.sendActivity(say(locale, t('checkins.sorry')));
    return step.beginDialog(DESCRIBE, { attachments: true, maxLength: 1000 });
  }

  private async describe(step: WaterfallStepContext) {
    const o = this.options(step);
    const answer = step.result as TextAnswer;
    if (answer.text || answer.attachments?.length) {
      await describeCheckIn(this.deps.db, o.checkInId, answer, { type: 'beneficiary', id: o.beneficiaryId });
      await step.context.sendActivity(
        say(turnLocale(step.context), translator(turnLocale(step.context))('checkins.noted')),
      );
    }
    return step.beginDialog(REPORT);
  }

  private async offerReport(step: WaterfallStepContext) {
    const choice = step.result as ChoiceResult;
    if (choice.value === 'yes') return step.beginDialog(PROBLEM_DIALOG, { report: true } satisfies ProblemOptions);
    return step.next();
  }
}
