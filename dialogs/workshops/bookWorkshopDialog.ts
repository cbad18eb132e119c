// Book a workshop: the year of birth if we do not know it yet, then the sessions the person may
// book (5 a page, and "more"), a warning when one overlaps a shift, then the booking itself: a seat,
// or the waiting list when it is full.
import { ComponentDialog } from '../sdk';
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder-core';
import { translator } from '../../bot/i18n/translator';
import type { LanguageCode } from '../../bot/i18n/languages';
import { turnLocale } from '../../bot/turns/turnState';
import { personById, setBirthYear } from '../../bot/services/people';
import {
  ageGroupOf,
  book,
  eligibleSessions,
  overlappingShift,
  sessionsByIds,
  type BookingOutcome,
  type SessionView,
} from '../../bot/services/workshops';
import { isolateLatin, titleOf } from '../../cards/format';
import { bookedMessage, overlapMessage, waitlistedMessage } from '../../cards/workshops';
import { say } from '../../cards/messages';
import { beneficiaryIdOf, type DialogDeps } from '../deps';
import { NumberedChoicePrompt, type ChoiceResult } from '../prompts/numberedChoicePrompt';
import { WAY_OUT } from '../results';
import { BirthYearPrompt, type BirthYearAnswer } from './birthYear';
import { MORE, pageQuestion, sessionLabel, type PageArgs } from './questions';
import { yesNoQuestion } from '../prompts/yesNoQuestion';
import { waterfall } from '../waterfall';

export const BOOK_WORKSHOP_DIALOG = 'workshopsBook';
const START = 'workshopsBookStart';
const LIST = 'workshopsBookList';
const BIRTH_YEAR = 'workshopsBirthYear';
const SESSION = 'workshopsSession';
const YES_NO = 'workshopsBookYesNo';

/** Page size asked of the database: 6 fit on a page when there is no "more". */
const FETCH = 6;

type YesNoArgs = { q: 'overlap' | 'full' };

interface ListOptions {
  skip: number;
}

interface ListValues {
  skip: number;
  sessionId?: number;
}

export class BookWorkshopDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(BOOK_WORKSHOP_DIALOG);
    this.addDialog(new BirthYearPrompt(BIRTH_YEAR, deps.now));
    this.addDialog(
      new NumberedChoicePrompt<PageArgs>(SESSION, async (locale, args) =>
        sessionQuestion(locale, deps.timeZone, args, await sessionsByIds(deps.db, args.ids)),
      ),
    );
    this.addDialog(
      new NumberedChoicePrompt<YesNoArgs>(YES_NO, (locale, { q }) =>
        yesNoQuestion(locale, [translator(locale)(`workshops.${q}.question`)]),
      ),
    );
    this.addDialog(waterfall(START, this, [this.askBirthYear, this.saveBirthYear]));
    this.addDialog(waterfall(LIST, this, [this.showSessions, this.checkOverlap, this.book, this.joinWaitlist]));
    this.initialDialogId = START;
  }

  private async me(context: TurnContext): Promise<number> {
    const id = await beneficiaryIdOf(this.deps, context);
    if (id === undefined) throw new Error('booking a workshop needs a known person');
    return id;
  }

  private async askBirthYear(step: WaterfallStepContext) {
    const person = await personById(this.deps.db, await this.me(step.context));
    if (person?.birthYear) return step.replaceDialog(LIST, { skip: 0 } satisfies ListOptions);
    return step.beginDialog(BIRTH_YEAR);
  }

  private async saveBirthYear(step: WaterfallStepContext) {
    const { year, solar } = step.result as BirthYearAnswer;
    if (!year) return step.endDialog(WAY_OUT);
    await setBirthYear(this.deps.db, await this.me(step.context), year);
    const locale = turnLocale(step.context);
    // A solar year is echoed as written, with the Gregorian one: "۱۳۷۰ (1991)".
    const said = solar ? `${solar} (${year})` : String(year);
    await step.context.sendActivity(
      say(locale, isolateLatin(translator(locale)('workshops.birthYear.saved', { year: said }), locale)),
    );
    return step.replaceDialog(LIST, { skip: 0 } satisfies ListOptions);
  }

  private async showSessions(step: WaterfallStepContext) {
    const { skip } = step.options as ListOptions;
    const me = await this.me(step.context);
    const now = this.deps.now();
    const person = await personById(this.deps.db, me);
    const group = ageGroupOf(person?.birthYear, now);
    const page = group
      ? await eligibleSessions(this.deps.db, me, group, now, { skip, take: FETCH })
      : { sessions: [], more: false };
    if (!page.sessions.length) {
      // Sessions of a later page may have gone meanwhile: start again from the first page.
      if (skip > 0) return step.replaceDialog(LIST, { skip: 0 } satisfies ListOptions);
      const locale = turnLocale(step.context);
      const t = translator(locale);
      await step.context.sendActivity(say(locale, t('workshops.list.none'), t('workshops.list.noneLater')));
      return step.endDialog();
    }
    const shown = page.more ? page.sessions.slice(0, FETCH - 1) : page.sessions;
    (step.values as ListValues).skip = skip;
    const args: PageArgs = { ids: shown.map((s) => s.id), more: page.more };
    return step.beginDialog(SESSION, { args });
  }

  private async checkOverlap(step: WaterfallStepContext) {
    const choice = step.result as ChoiceResult;
    const values = step.values as ListValues;
    if (choice.index < 0) return step.endDialog(WAY_OUT);
    if (choice.value === MORE) return step.replaceDialog(LIST, { skip: values.skip + FETCH - 1 } satisfies ListOptions);
    values.sessionId = Number(choice.value);
    const shift = await overlappingShift(this.deps.db, await this.me(step.context), values.sessionId);
    if (!shift) return step.next({ index: 0, value: 'yes' } satisfies ChoiceResult);
    await step.context.sendActivity(overlapMessage(turnLocale(step.context), this.deps.timeZone, shift));
    return step.beginDialog(YES_NO, { args: { q: 'overlap' } satisfies YesNoArgs });
  }

  private async book(step: WaterfallStepContext) {
    const answer = step.result as ChoiceResult;
    if (answer.index < 0) return step.endDialog(WAY_OUT);
    if (answer.value === 'no') return this.endWith(step, 'workshops.notBooked');
    const outcome = await this.bookSeat(step, false);
    if (outcome.status !== 'full') return this.tell(step, outcome);
    const locale = turnLocale(step.context);
    await step.context.sendActivity(say(locale, translator(locale)('workshops.full.said')));
    return step.beginDialog(YES_NO, { args: { q: 'full' } satisfies YesNoArgs });
  }

  private async joinWaitlist(step: WaterfallStepContext) {
    const answer = step.result as ChoiceResult;
    if (answer.index < 0) return step.endDialog(WAY_OUT);
    if (answer.value === 'no') return this.endWith(step, 'workshops.notBooked');
    return this.tell(step, await this.bookSeat(step, true));
  }

  private async bookSeat(step: WaterfallStepContext, waitlistIfFull: boolean): Promise<BookingOutcome> {
    const me = await this.me(step.context);
    const { sessionId } = step.values as ListValues;
    return book(this.deps.db, me, sessionId!, this.deps.now(), {
      actor: { type: 'beneficiary', id: me },
      source: 'chat',
      waitlistIfFull,
    });
  }

  /** Says how the booking went; a session that can no longer be booked brings the list back. */
  private async tell(step: WaterfallStepContext, outcome: BookingOutcome): Promise<DialogTurnResult> {
    const locale = turnLocale(step.context);
    const t = translator(locale);
    const { timeZone } = this.deps;
    switch (outcome.status) {
      case 'booked':
        await step.context.sendActivity(bookedMessage(locale, timeZone, outcome.session));
        return step.endDialog();
      case 'waitlisted':
        await step.context.sendActivity(waitlistedMessage(locale, outcome.position));
        return step.endDialog();
      case 'already_booked':
        return this.endWith(step, 'workshops.alreadyBooked');
      case 'already_waitlisted':
        return this.endWith(step, 'workshops.alreadyWaitlisted');
      case 'full': // only when the waiting list was not asked for
        return this.endWith(step, 'workshops.full.said');
      case 'started':
      case 'cancelled':
      case 'not_found':
      case 'not_eligible': {
        const key = (
          {
            started: 'workshops.started',
            cancelled: 'workshops.unavailable',
            not_found: 'workshops.unavailable',
            not_eligible: 'workshops.notForYou',
          } as const
        )[outcome.status];
        await step.context.sendActivity(say(locale, t(key)));
        return step.replaceDialog(LIST, { skip: 0 } satisfies ListOptions);
      }
    }
  }

  private async endWith(
    step: WaterfallStepContext,
    key: 'workshops.notBooked' | 'workshops.alreadyBooked' | 'workshops.alreadyWaitlisted' | 'workshops.full.said',
  ) {
    const locale = turnLocale(step.context);
    await step.context.sendActivity(say(locale, translator(locale)(key)));
    return step.endDialog();
  }
}

function sessionQuestion(locale: LanguageCode, timeZone: string, args: PageArgs, sessions: Map<number, SessionView>) {
  const t = translator(locale);
  return pageQuestion(locale, { question: 'workshops.list.question', hint: 'prompt.hint' }, args, sessions, (s) => ({
    label: sessionLabel(locale, timeZone, s),
    title: titleOf(t, s),
  }));
}
