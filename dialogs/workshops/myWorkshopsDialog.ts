// My workshops: the person's upcoming bookings and waiting-list places; choosing one offers to
// cancel it. A seat freed this way goes to the first person waiting, who is told at once when
// they can be reached (else at their next visit).
import { ComponentDialog } from '../sdk';
import type { DialogContext, WaterfallStepContext } from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder-core';
import { translator } from '../../bot/i18n/translator';
import type { LanguageCode } from '../../bot/i18n/languages';
import { turnLocale } from '../../bot/turns/turnState';
import { cancelBooking, upcomingBookings, type BookingView } from '../../bot/services/workshops';
import { say } from '../../cards/messages';
import { beneficiaryIdOf, type DialogDeps } from '../deps';
import type { Question } from '../../cards/questions';
import type { ChoiceResult } from '../prompts/numberedChoicePrompt';
import { WAY_OUT } from '../results';
import { bookingLabel, MORE, pageOf, pageQuestion, type PageArgs } from './questions';
import { titleOf } from '../../cards/format';
import { yesNoQuestion } from '../prompts/yesNoQuestion';
import { NumberedChoicePrompt } from '../prompts/numberedChoicePrompt';
import { waterfall } from '../waterfall';

export const MY_WORKSHOPS_DIALOG = 'workshopsMine';
const STEPS = 'workshopsMineSteps';
const BOOKING = 'workshopsBooking';
const CANCEL = 'workshopsCancel';

interface Options {
  skip?: number;
  /** straight to "cancel this one?" (from a reminder's "I can't come") */
  bookingId?: number;
}

const CANCEL_ONE = 'workshopsCancelOne';

interface Values {
  skip?: number;
  bookingId?: number;
}

type Bookings = Map<number, BookingView>;

export class MyWorkshopsDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(MY_WORKSHOPS_DIALOG);
    this.addDialog(
      new NumberedChoicePrompt<PageArgs>(BOOKING, async (locale, args, context) =>
        bookingsQuestion(locale, deps.timeZone, args, await this.bookings(context)),
      ),
    );
    this.addDialog(
      new NumberedChoicePrompt<{ bookingId: number }>(CANCEL, async (locale, { bookingId }, context) =>
        cancelQuestion(locale, deps.timeZone, (await this.bookings(context)).get(bookingId)),
      ),
    );
    this.addDialog(waterfall(STEPS, this, [this.list, this.confirm, this.cancel]));
    this.addDialog(waterfall(CANCEL_ONE, this, [this.confirmOne, this.cancel]));
    this.initialDialogId = STEPS;
  }

  protected override onBeginDialog(inner: DialogContext, options?: Options) {
    return inner.beginDialog(options?.bookingId !== undefined ? CANCEL_ONE : STEPS, options);
  }

  private async confirmOne(step: WaterfallStepContext) {
    const bookingId = (step.options as Options).bookingId!;
    (step.values as Values).bookingId = bookingId;
    return step.beginDialog(CANCEL, { args: { bookingId } });
  }

  private async me(context: TurnContext): Promise<number> {
    const id = await beneficiaryIdOf(this.deps, context);
    if (id === undefined) throw new Error('my workshops needs a known person');
    return id;
  }

  private async bookings(context: TurnContext): Promise<Bookings> {
    const list = await upcomingBookings(this.deps.db, await this.me(context), this.deps.now());
    return new Map(list.map((b) => [b.bookingId, b]));
  }

  private async list(step: WaterfallStepContext) {
    const skip = (step.options as Options | undefined)?.skip ?? 0;
    const all = [...(await this.bookings(step.context)).keys()];
    if (!all.length) {
      const locale = turnLocale(step.context);
      await step.context.sendActivity(say(locale, translator(locale)('workshops.mine.none')));
      return step.endDialog();
    }
    const page = pageOf(all, skip < all.length ? skip : 0);
    (step.values as Values).skip = page.next;
    return step.beginDialog(BOOKING, { args: { ids: page.items, more: page.more } satisfies PageArgs });
  }

  private async confirm(step: WaterfallStepContext) {
    const choice = step.result as ChoiceResult;
    const values = step.values as Values;
    if (choice.index < 0) return step.endDialog(WAY_OUT);
    if (choice.value === MORE) return step.replaceDialog(STEPS, { skip: values.skip } satisfies Options);
    values.bookingId = Number(choice.value);
    return step.beginDialog(CANCEL, { args: { bookingId: values.bookingId } });
  }

  private async cancel(step: WaterfallStepContext) {
    const answer = step.result as ChoiceResult;
    if (answer.index < 0) return step.endDialog(WAY_OUT);
    const locale = turnLocale(step.context);
    const t = translator(locale);
    if (answer.value === 'no') {
      await step.context.sendActivity(say(locale, t('workshops.cancel.kept')));
      return step.endDialog();
    }
    const me = await this.me(step.context);
    const outcome = await cancelBooking(this.deps.db, me, (step.values as Values).bookingId!, this.deps.now(), {
      type: 'beneficiary',
      id: me,
    });
    const key = (
      {
        cancelled: 'workshops.cancel.done',
        started: 'workshops.cancel.started',
        already_cancelled: 'workshops.cancel.gone',
        not_found: 'workshops.cancel.gone',
      } as const
    )[outcome.status];
    await step.context.sendActivity(say(locale, t(key)));
    if (outcome.status === 'cancelled' && outcome.promotedBeneficiaryId !== undefined) {
      // The notification is queued already: if it cannot go now, it goes at their next visit.
      await this.deps.notify(outcome.promotedBeneficiaryId).catch(() => undefined);
    }
    return step.endDialog();
  }
}

function bookingsQuestion(locale: LanguageCode, timeZone: string, args: PageArgs, bookings: Bookings): Question {
  const t = translator(locale);
  const text = { question: 'workshops.mine.question', hint: 'workshops.mine.hint' } as const;
  return pageQuestion(locale, text, args, bookings, (b) => ({
    label: bookingLabel(locale, timeZone, b),
    title: titleOf(t, b.session),
  }));
}

function cancelQuestion(locale: LanguageCode, timeZone: string, booking: BookingView | undefined): Question {
  const t = translator(locale);
  return yesNoQuestion(locale, [
    ...(booking ? [bookingLabel(locale, timeZone, booking)] : []),
    t('workshops.cancel.question'),
  ]);
}
