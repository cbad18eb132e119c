// My shifts: the person's work of the next 7 days, five a page (then "more"). Pick one, then say
// yes (I come) or no; no asks why, and for childcare or transport offers to report the problem
// right away (the report-a-problem flow with that category).
import { ComponentDialog } from './sdk';
import type { DialogContext, WaterfallStepContext } from 'botbuilder-dialogs';
import { translator, wordList } from '../bot/i18n/translator';
import type { LanguageCode } from '../bot/i18n/languages';
import { turnLocale } from '../bot/turns/turnState';
import {
  confirmShift,
  declineShift,
  upcomingShifts,
  DECLINE_REASONS,
  type DeclineReason,
  type ShiftView,
} from '../bot/services/shifts';
import type { Actor } from '../bot/services/caseEvents';
import { say } from '../cards/messages';
import { listPage } from '../cards/questions';
import { formatDay, formatTimeRange } from '../cards/format';
import { beneficiaryIdOf, type DialogDeps } from './deps';
import { innerIds, PROBLEM_DIALOG, SHIFTS_DIALOG } from './ids';
import { ProblemDialog, categorySynonyms, type ProblemOptions } from './problemDialog';
import { NumberedChoicePrompt, perLanguage, type ChoiceResult } from './prompts/numberedChoicePrompt';
import { yesNoQuestion } from './prompts/yesNoQuestion';
import { WAY_OUT } from './results';
import { waterfall } from './waterfall';

// Inner dialog ids (saved conversations hold them: they never change).
const ID = innerIds('shifts', 'Steps List Answer Reason Offer');

const PAGE_SIZE = 5;
const DAYS = 7;

/** A shift as the questions need it (kept in the prompt's state): id, start, end (ms), place, answer. */
type ShiftRef = [
  id: number,
  startsAt: number,
  endsAt: number,
  structure: string,
  confirmation: ShiftView['confirmation'],
];

interface ListArgs {
  shifts: ShiftRef[];
  more: boolean;
}

export interface ShiftsOptions {
  page?: number;
  /** straight to "why can't you come?" for this shift (from a reminder's "I can't come") */
  declineShiftId?: number;
}
type StepsOptions = ShiftsOptions;

const DECLINE_ONE = 'shiftsDeclineOne';

interface Values {
  page?: number;
  shiftId?: number;
  /** the problem offered to report after a decline */
  offered?: 'childcare' | 'transport';
}

/** Reasons that are also a problem the CIP can help with. */
const REPORTABLE: Partial<Record<DeclineReason, 'childcare' | 'transport'>> = {
  childcare: 'childcare',
  transport: 'transport',
};

function shiftLine(locale: LanguageCode, timeZone: string, [, start, end, structure, confirmation]: ShiftRef): string {
  return translator(locale)('shifts.line', {
    day: formatDay(new Date(start), locale, timeZone),
    time: formatTimeRange(new Date(start), new Date(end), locale, timeZone),
    place: structure,
    status: translator(locale)(`shifts.status.${confirmation}`),
  });
}

const reasonQuestion = perLanguage((locale) => {
  const t = translator(locale);
  const synonyms = (r: DeclineReason) =>
    r === 'sick' || r === 'other'
      ? [...new Set([locale, 'fr', 'en'] as LanguageCode[])].flatMap((l) => wordList(l, `shifts.synonyms.${r}`))
      : categorySynonyms(locale, r);
  return {
    question: t('shifts.reason.question'),
    options: DECLINE_REASONS.map((r) => ({ value: r, label: t(`shifts.reason.${r}`), synonyms: synonyms(r) })),
    hints: [t('prompt.hint')],
  };
});

export class ShiftsDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(SHIFTS_DIALOG);
    const { timeZone } = deps;
    this.addDialog(
      new NumberedChoicePrompt<ListArgs>(ID.List, (locale, { shifts, more }) =>
        listPage(
          locale,
          { question: 'shifts.list', more: 'shifts.more' },
          shifts.map((s) => ({ value: String(s[0]), label: shiftLine(locale, timeZone, s) })),
          more,
        ),
      ),
    );
    this.addDialog(
      new NumberedChoicePrompt<ShiftRef>(ID.Answer, (locale, shift) => {
        const t = translator(locale);
        const labels = { yes: t('shifts.answer.confirm'), no: t('shifts.answer.decline') };
        return yesNoQuestion(locale, [shiftLine(locale, timeZone, shift), t('shifts.answer.question')], labels, [
          'confirm',
          'decline',
        ]);
      }),
    );
    this.addDialog(new NumberedChoicePrompt(ID.Reason, reasonQuestion));
    this.addDialog(
      new NumberedChoicePrompt<'childcare' | 'transport'>(ID.Offer, (locale, category) => {
        const t = translator(locale);
        return yesNoQuestion(locale, [t(`shifts.offer.${category}`)]);
      }),
    );
    this.addDialog(new ProblemDialog(deps));
    this.addDialog(
      waterfall(ID.Steps, this, [
        this.showList,
        this.askAnswer,
        this.afterAnswer,
        this.afterReason,
        this.afterOffer,
        (s) => s.endDialog(s.result),
      ]),
    );
    this.addDialog(
      waterfall(DECLINE_ONE, this, [this.askReason, this.afterReason, this.afterOffer, (s) => s.endDialog(s.result)]),
    );
    this.initialDialogId = ID.Steps;
  }

  protected override onBeginDialog(inner: DialogContext, options?: ShiftsOptions) {
    return inner.beginDialog(options?.declineShiftId !== undefined ? DECLINE_ONE : ID.Steps, options);
  }

  private async askReason(step: WaterfallStepContext) {
    (step.values as Values).shiftId = (step.options as ShiftsOptions).declineShiftId;
    return step.beginDialog(ID.Reason);
  }

  private async shifts(step: WaterfallStepContext): Promise<{ id: number; shifts: ShiftView[] } | undefined> {
    const id = await beneficiaryIdOf(this.deps, step.context);
    if (id === undefined) return undefined;
    return { id, shifts: await upcomingShifts(this.deps.db, id, this.deps.now(), DAYS) };
  }

  private async showList(step: WaterfallStepContext) {
    const locale = turnLocale(step.context);
    const all = (await this.shifts(step))?.shifts ?? [];
    if (!all.length) {
      await step.context.sendActivity(say(locale, translator(locale)('shifts.none')));
      return step.endDialog();
    }
    let page = (step.options as StepsOptions | undefined)?.page ?? 0;
    if (page * PAGE_SIZE >= all.length) page = 0;
    const shifts = all.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).map(toRef);
    (step.values as Values).page = page;
    return step.beginDialog(ID.List, {
      args: { shifts, more: all.length > (page + 1) * PAGE_SIZE } satisfies ListArgs,
    });
  }

  private async askAnswer(step: WaterfallStepContext) {
    const choice = step.result as ChoiceResult;
    if (choice.index < 0) return step.endDialog(WAY_OUT);
    if (choice.value === 'more')
      return step.replaceDialog(ID.Steps, { page: ((step.values as Values).page ?? 0) + 1 } satisfies StepsOptions);
    // Read again: the shift may have started (or been cancelled) since the list was shown.
    const shift = (await this.shifts(step))?.shifts.find((s) => s.id === Number(choice.value));
    if (!shift) return this.tooLate(step);
    (step.values as Values).shiftId = shift.id;
    return step.beginDialog(ID.Answer, { args: toRef(shift) });
  }

  private async afterAnswer(step: WaterfallStepContext) {
    const choice = step.result as ChoiceResult;
    if (choice.index < 0) return step.endDialog(WAY_OUT);
    if (choice.value === 'decline') return step.beginDialog(ID.Reason);
    const { id, actor } = await this.who(step);
    const outcome = await confirmShift(this.deps.db, id, (step.values as Values).shiftId!, this.deps.now(), actor);
    if (outcome.status !== 'confirmed') return this.tooLate(step);
    const locale = turnLocale(step.context);
    await step.context.sendActivity(say(locale, translator(locale)('shifts.confirmed')));
    return step.endDialog();
  }

  private async afterReason(step: WaterfallStepContext) {
    const choice = step.result as ChoiceResult;
    if (choice.index < 0) return step.endDialog(WAY_OUT);
    const reason = choice.value as DeclineReason;
    const { id, actor } = await this.who(step);
    const outcome = await declineShift(
      this.deps.db,
      id,
      (step.values as Values).shiftId!,
      reason,
      this.deps.now(),
      actor,
    );
    if (outcome.status !== 'declined') return this.tooLate(step);
    const locale = turnLocale(step.context);
    const t = translator(locale);
    await step.context.sendActivity(say(locale, t('shifts.declined'), ...(outcome.late ? [t('shifts.late')] : [])));
    const category = REPORTABLE[reason];
    if (!category) return step.endDialog();
    (step.values as Values).offered = category;
    return step.beginDialog(ID.Offer, { args: category });
  }

  private async afterOffer(step: WaterfallStepContext) {
    const choice = step.result as ChoiceResult;
    if (choice.index < 0) return step.endDialog(WAY_OUT);
    if (choice.value !== 'yes') return step.endDialog();
    return step.beginDialog(PROBLEM_DIALOG, { category: (step.values as Values).offered } satisfies ProblemOptions);
  }

  private async who(step: WaterfallStepContext): Promise<{ id: number; actor: Actor }> {
    const id = (await beneficiaryIdOf(this.deps, step.context))!;
    return { id, actor: { type: 'beneficiary', id } };
  }

  private async tooLate(step: WaterfallStepContext) {
    const locale = turnLocale(step.context);
    await step.context.sendActivity(say(locale, translator(locale)('shifts.started')));
    return step.endDialog();
  }
}

function toRef(s: ShiftView): ShiftRef {
  return [s.id, s.startsAt.getTime(), s.endsAt.getTime(), s.structure, s.confirmation];
}
