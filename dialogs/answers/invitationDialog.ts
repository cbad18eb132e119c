// The answer to a workshop invitation (a broadcast), given by chat maybe days after it came:
// "1 I'll come" books through the same rules as the booking dialog (capacity, then the waiting
// list; age group; a warning, and a question, when it overlaps one of the person's shifts);
// "2 not this time" records the decline. The menu comes back after.
import { ComponentDialog } from '../sdk';
import type { WaterfallStepContext } from 'botbuilder-dialogs';
import { translator } from '../../bot/i18n/translator';
import { turnLocale } from '../../bot/turns/turnState';
import { answerInvitation, invitationOfQuestion } from '../../bot/services/broadcasts';
import { overlappingShift } from '../../bot/services/workshops';
import { say } from '../../cards/messages';
import { invitationQuestion } from './readableQuestions';
import { recordingAnswerer, type Answerer, type AnswerOptions } from './answerer';
import type { DialogDeps } from '../deps';
import { INVITATION_DIALOG } from '../ids';
import { NumberedChoicePrompt, type ChoiceResult } from '../prompts/numberedChoicePrompt';
import { yesNoQuestion } from '../prompts/yesNoQuestion';
import { bookedMessage, overlapMessage, waitlistedMessage } from '../../cards/workshops';
import { waterfall } from '../waterfall';

const STEPS = 'invitationSteps';
const CONFIRM = 'invitationOverlapConfirm';

export interface InvitationOptions extends AnswerOptions {
  /** the BroadcastRecipient */
  recipientId: number;
  sessionId: number;
  yes: boolean;
}

/** "1" or "2" (or "yes", "I'll come"...) to an invitation that is still there: the invitation dialog. */
export function invitationAnswerer(deps: DialogDeps): Answerer {
  return recordingAnswerer({
    kind: 'broadcast',
    dialog: new InvitationDialog(deps),
    question: invitationQuestion,
    negative: ['no'],
    options: async (value, question, beneficiaryId) => {
      const invitation = await invitationOfQuestion(deps.db, question.refId);
      if (!invitation) return undefined;
      return {
        questionId: question.id,
        recipientId: invitation.recipientId,
        sessionId: invitation.sessionId,
        beneficiaryId,
        yes: value === 'yes',
      } satisfies InvitationOptions;
    },
  });
}

export class InvitationDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(INVITATION_DIALOG);
    this.addDialog(
      new NumberedChoicePrompt(CONFIRM, (locale) =>
        yesNoQuestion(locale, translator(locale)('workshops.overlap.question')),
      ),
    );
    this.addDialog(waterfall(STEPS, this, [this.check, this.answer]));
    this.initialDialogId = STEPS;
  }

  private options(step: WaterfallStepContext): InvitationOptions {
    return step.options as InvitationOptions;
  }

  private async check(step: WaterfallStepContext) {
    const o = this.options(step);
    if (!o.yes) return step.next({ index: 1, value: 'no' } satisfies ChoiceResult);
    const shift = await overlappingShift(this.deps.db, o.beneficiaryId, o.sessionId);
    if (!shift) return step.next({ index: 0, value: 'yes' } satisfies ChoiceResult);
    await step.context.sendActivity(overlapMessage(turnLocale(step.context), this.deps.timeZone, shift));
    return step.beginDialog(CONFIRM);
  }

  private async answer(step: WaterfallStepContext) {
    const o = this.options(step);
    const confirmed = step.result as ChoiceResult;
    const locale = turnLocale(step.context);
    const t = translator(locale);
    // Not understood three times at the overlap question: nothing is decided; the invitation stays open.
    if (confirmed.index < 0) return step.endDialog();
    const yes = o.yes && confirmed.value === 'yes';
    const result = await answerInvitation(this.deps.db, o.questionId, o.recipientId, yes, this.deps.now());
    switch (result.status) {
      case 'accepted':
        if (result.outcome?.status === 'booked')
          await step.context.sendActivity(bookedMessage(locale, this.deps.timeZone, result.outcome.session));
        break;
      case 'waitlisted':
        if (result.outcome?.status === 'waitlisted')
          await step.context.sendActivity(waitlistedMessage(locale, result.outcome.position));
        else await step.context.sendActivity(say(locale, t('workshops.alreadyWaitlisted')));
        break;
      case 'already':
        await step.context.sendActivity(say(locale, t('workshops.alreadyBooked')));
        break;
      case 'declined':
        await step.context.sendActivity(say(locale, t(o.yes ? 'workshops.notBooked' : 'broadcasts.declined')));
        break;
      case 'not_eligible':
        await step.context.sendActivity(say(locale, t('workshops.notForYou')));
        break;
      case 'too_late':
        await step.context.sendActivity(say(locale, t('broadcasts.tooLate')));
        break;
      default:
        await step.context.sendActivity(say(locale, t('broadcasts.answered')));
    }
    return step.endDialog();
  }
}
