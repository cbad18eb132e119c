// Report a problem (a blocker: housing, childcare...) or see the ones not settled yet.
// Report: category -> urgency -> a few words or a voice note -> the reference (B-4821), spelled
// out in `speak` so that it can be heard and written down. Starts at the urgency when the
// category is given (a shift declined for childcare or transport).
import { ComponentDialog } from './sdk';
import type { DialogContext, WaterfallStepContext } from 'botbuilder-dialogs';
import { translator, wordList } from '../bot/i18n/translator';
import type { LanguageCode } from '../bot/i18n/languages';
import { turnLocale } from '../bot/turns/turnState';
import {
  BLOCKER_CATEGORIES,
  openBlockers,
  reportBlocker,
  type BlockerCategory,
  type BlockerView,
  type Urgency,
  URGENCIES,
} from '../bot/services/blockers';
import { ltr, say, ssml, type Message } from '../cards/messages';
import { beneficiaryIdOf, type DialogDeps } from './deps';
import { innerIds, PROBLEM_DIALOG } from './ids';
import type { ChoiceOption, Question } from '../cards/questions';
import { fixedQuestion, NumberedChoicePrompt, perLanguage, type ChoiceResult } from './prompts/numberedChoicePrompt';
import { spokenQuestion, TextPrompt, type TextAnswer } from './prompts/textPrompt';
import { normalize, words } from './recognizers/normalize';
import { WAY_OUT } from './results';
import { waterfall } from './waterfall';

// Inner dialog ids (saved conversations hold them: they never change).
const ID = innerIds('problem', 'Steps Report Start Category CategoryMore Urgency Describe');

/** Seven categories, at most six options a message: five, then "money or something else". */
const FIRST_PAGE: BlockerCategory[] = ['housing', 'childcare', 'health', 'papers', 'transport'];
const SECOND_PAGE: BlockerCategory[] = ['money', 'other'];

export interface ProblemOptions {
  /** skip the first questions: report a problem of this category */
  category?: BlockerCategory;
  /** straight to reporting one (the category is asked) */
  report?: boolean;
}

interface ReportValues {
  category?: BlockerCategory;
  urgency?: Urgency;
}

/** The label of a category, e.g. "Garde d'enfants". */
export function categoryLabel(locale: LanguageCode, category: BlockerCategory): string {
  return translator(locale)(`problem.category.${category}`);
}

/** Words people use for a category, in their language, French and English. */
export function categorySynonyms(locale: LanguageCode, category: BlockerCategory): string[] {
  const langs = [...new Set<LanguageCode>([locale, 'fr', 'en'])];
  return langs.flatMap((l) => [
    ...wordList(l, `problem.synonyms.${category}`),
    ...(l === locale ? [] : [translator(l)(`problem.category.${category}`)]),
  ]);
}

const categoryOption = (locale: LanguageCode, c: BlockerCategory): ChoiceOption => ({
  value: c,
  label: categoryLabel(locale, c),
  synonyms: categorySynonyms(locale, c),
});

const startOptions = { report: 'problem.start.report', list: 'problem.start.list' } as const;
const startQuestion = fixedQuestion('problem.start.question', startOptions, ['prompt.hint']);

const categoryQuestion = perLanguage((locale) => {
  const t = translator(locale);
  const more = SECOND_PAGE.map((c) => categoryOption(locale, c));
  return {
    question: t('problem.category.question'),
    options: [
      ...FIRST_PAGE.map((c) => categoryOption(locale, c)),
      {
        value: 'more',
        label: t('problem.category.more'),
        synonyms: more.flatMap((o) => [o.label, ...(o.synonyms ?? [])]),
      },
    ],
    hints: [t('prompt.hint')],
  };
});

const moreQuestion = perLanguage((locale) => ({
  question: translator(locale)('problem.category.question'),
  options: SECOND_PAGE.map((c) => categoryOption(locale, c)),
  hints: [translator(locale)('prompt.hint')],
}));

const urgencyQuestion = (locale: LanguageCode, category: BlockerCategory): Question => {
  const t = translator(locale);
  return {
    question: [t('problem.about', { category: categoryLabel(locale, category) }), t('problem.urgency.question')],
    options: URGENCIES.map((u) => ({ value: u, label: t(`problem.urgency.${u}`) })),
    hints: [t('prompt.hint')],
  };
};

/** The option whose label or synonym is the whole answer ("argent"), if one is. */
function saidExactly(text: string, options: ChoiceOption[]): string | undefined {
  const said = words(normalize(text)).join(' ');
  if (!said) return undefined;
  return options.find((o) => [o.label, ...(o.synonyms ?? [])].some((s) => words(normalize(s)).join(' ') === said))
    ?.value;
}

/** "B-4821" read out one sign at a time: "B 4 8 2 1". */
export function spelled(reference: string): string {
  return [...reference.replace(/-/g, '')].join(' ');
}

/** A statement whose spoken form differs from its text (references spelled out). */
function sayWithSpeech(locale: LanguageCode, lines: string[], spoken: string[]): Message {
  return { ...say(locale, ...lines), speak: ssml(locale, spoken) };
}

export class ProblemDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(PROBLEM_DIALOG);
    this.addDialog(new NumberedChoicePrompt(ID.Start, startQuestion));
    this.addDialog(new NumberedChoicePrompt(ID.Category, categoryQuestion));
    this.addDialog(new NumberedChoicePrompt(ID.CategoryMore, moreQuestion));
    this.addDialog(new NumberedChoicePrompt(ID.Urgency, urgencyQuestion));
    this.addDialog(new TextPrompt(ID.Describe, spokenQuestion('problem.describe.question')));
    this.addDialog(
      waterfall(ID.Steps, this, [(s) => s.beginDialog(ID.Start), this.route, (s) => s.endDialog(s.result)]),
    );
    this.addDialog(
      waterfall(ID.Report, this, [
        this.askCategory,
        this.afterCategory,
        this.askUrgency,
        this.askDescription,
        this.save,
      ]),
    );
    this.initialDialogId = ID.Steps;
  }

  /** With a category given (or `report`), straight to the report. */
  protected override onBeginDialog(inner: DialogContext, options?: ProblemOptions) {
    return inner.beginDialog(options?.category || options?.report ? ID.Report : ID.Steps, options);
  }

  private async route(step: WaterfallStepContext) {
    const choice = step.result as ChoiceResult;
    if (choice.index < 0) return step.endDialog(WAY_OUT);
    if (choice.value === 'report') return step.beginDialog(ID.Report);
    await this.list(step);
    return step.endDialog();
  }

  private async list(step: WaterfallStepContext) {
    const locale = turnLocale(step.context);
    const t = translator(locale);
    const id = await beneficiaryIdOf(this.deps, step.context);
    const blockers = id === undefined ? [] : await openBlockers(this.deps.db, id);
    if (!blockers.length) {
      await step.context.sendActivity(say(locale, t('problem.list.none')));
      return;
    }
    const line = (b: BlockerView, reference: string) =>
      t('problem.list.line', {
        reference,
        category: categoryLabel(locale, b.category),
        status: t(`problem.status.${b.status as 'open' | 'in_progress'}`),
      }); // (open ones only)
    const title = t('problem.list.title', { count: blockers.length });
    await step.context.sendActivity(
      sayWithSpeech(
        locale,
        [title, ...blockers.map((b) => line(b, ltr(b.reference, locale)))],
        [title, ...blockers.map((b) => line(b, spelled(b.reference)))],
      ),
    );
  }

  private values(step: WaterfallStepContext): ReportValues {
    return step.values as ReportValues;
  }

  private async askCategory(step: WaterfallStepContext) {
    const preset = (step.options as ProblemOptions | undefined)?.category;
    if (preset && BLOCKER_CATEGORIES.includes(preset)) {
      this.values(step).category = preset;
      return step.next();
    }
    return step.beginDialog(ID.Category);
  }

  private async afterCategory(step: WaterfallStepContext) {
    const values = this.values(step);
    if (values.category) return step.next();
    const choice = step.result as ChoiceResult;
    if (choice.index < 0) return step.endDialog(WAY_OUT);
    if (choice.value !== 'more') {
      values.category = choice.value as BlockerCategory;
      return step.next();
    }
    // "argent" names a category of the second page: no need to ask again.
    const locale = turnLocale(step.context);
    const direct = saidExactly(step.context.activity.text ?? '', moreQuestion(locale, undefined).options);
    if (direct) {
      values.category = direct as BlockerCategory;
      return step.next();
    }
    return step.beginDialog(ID.CategoryMore);
  }

  private async askUrgency(step: WaterfallStepContext) {
    const values = this.values(step);
    if (!values.category) {
      const choice = step.result as ChoiceResult;
      if (choice.index < 0) return step.endDialog(WAY_OUT);
      values.category = choice.value as BlockerCategory;
    }
    return step.beginDialog(ID.Urgency, { args: values.category });
  }

  private async askDescription(step: WaterfallStepContext) {
    const choice = step.result as ChoiceResult;
    if (choice.index < 0) return step.endDialog(WAY_OUT);
    this.values(step).urgency = choice.value as Urgency;
    return step.beginDialog(ID.Describe, { attachments: true, maxLength: 500 });
  }

  /** Saved even without a description: the category and the urgency already help the CIP. */
  private async save(step: WaterfallStepContext) {
    const { category, urgency } = this.values(step);
    const answer = step.result as TextAnswer;
    const locale = turnLocale(step.context);
    const t = translator(locale);
    const id = await beneficiaryIdOf(this.deps, step.context);
    if (id === undefined) return step.endDialog();
    const blocker = await reportBlocker(
      this.deps.db,
      id,
      { category: category!, urgency: urgency!, description: answer.text, attachments: answer.attachments },
      { type: 'beneficiary', id },
    );
    const ref = (reference: string) => t('problem.reference', { reference });
    await step.context.sendActivity(
      sayWithSpeech(
        locale,
        [t('problem.saved'), ref(ltr(blocker.reference, locale))],
        [t('problem.saved'), ref(spelled(blocker.reference))],
      ),
    );
    if (urgency === 'today') {
      const lines = [
        t('problem.urgent'),
        ...(category === 'housing' ? [t('problem.shelter')] : []),
        t('problem.danger'),
      ];
      await step.context.sendActivity(say(locale, ...lines));
    }
    return step.endDialog();
  }
}
