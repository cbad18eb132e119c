// Asks a question with numbered options and waits for an answer it can map to one of them
// (see recognizeChoice). A miss gets a short "I did not understand" (or, for a voice note nobody
// can listen to, "I cannot listen yet"; for a picture or a sticker, what we can read) and the
// options again; after `maxMisses` misses the prompt ends with NOT_UNDERSTOOD so the caller can
// offer a way out.
//
// The question is built when needed by the prompt's `build` function, in the turn's language, from
// small arguments kept in the dialog state (ids, not texts): the state stays small (it is saved
// every turn), what the question shows is fresh (seats left), and a question asked again after a
// change of language comes back in the new language.
import { Dialog } from '../sdk';
import type { DialogContext, DialogTurnResult } from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder-core';
import { ask, say } from '../../cards/messages';
import type { ParseKeys } from 'i18next';
import { translator } from '../../bot/i18n/translator';
import type { LanguageCode } from '../../bot/i18n/languages';
import { turnLocale, wordlessContent } from '../../bot/turns/turnState';
import type { Question } from '../../cards/questions';
import { recognizeChoice } from '../recognizers/choice';
import { WaitingQuestion } from './waitingQuestion';

/** Makes the question; it may read the database (e.g. the seats left), with the turn's context. */
export type QuestionBuilder<A> = (locale: LanguageCode, args: A, context: TurnContext) => Question | Promise<Question>;

export interface PromptArgs<A> {
  /** what `build` needs to make the question (kept in the dialog state) */
  args?: A;
  maxMisses?: number;
}

export interface ChoiceResult {
  /** -1 when the person was not understood `maxMisses` times */
  index: number;
  value: string;
}

export const NOT_UNDERSTOOD: ChoiceResult = { index: -1, value: '' };

interface PromptState<A> {
  args?: A;
  maxMisses: number;
  misses: number;
}

export class NumberedChoicePrompt<A = undefined> extends WaitingQuestion<
  PromptArgs<A>,
  PromptState<A>,
  QuestionBuilder<A>
> {
  protected start(options: PromptArgs<A>): PromptState<A> {
    return { args: options.args, maxMisses: options.maxMisses ?? 3, misses: 0 };
  }

  protected async read(dc: DialogContext, state: PromptState<A>): Promise<DialogTurnResult> {
    const locale = turnLocale(dc.context);
    const q = await this.build(locale, state.args as A, dc.context);
    const text = dc.context.activity.text ?? '';
    const found = q.read
      ? byValue(q, q.read(text, locale))
      : (recognizeChoice(text, q.options, locale) ?? byValue(q, q.recognize?.(text, locale)));
    if (found) return dc.endDialog(found satisfies ChoiceResult);
    state.misses++;
    if (state.misses >= state.maxMisses) return dc.endDialog(NOT_UNDERSTOOD);
    await this.ask(dc.context, state, missKey(dc.context), q.simpler ?? q); // the question just built: no second load
    return Dialog.EndOfTurn;
  }

  /** The question; after a miss, first the line that says why (a translation key). */
  protected async ask(context: TurnContext, state: PromptState<A>, miss?: MissKey, built?: Question) {
    const locale = turnLocale(context);
    const { question, options, hints } = built ?? (await this.build(locale, state.args as A, context));
    if (miss) await context.sendActivity(say(locale, translator(locale)(miss)));
    await context.sendActivity(ask(locale, question, options, hints));
  }
}

/** What to say after an answer that is not an option: why it was not understood. */
export function missKey(context: TurnContext): MissKey {
  const wordless = wordlessContent(context);
  return wordless === 'voice'
    ? 'prompt.cannotListen'
    : wordless === 'other'
      ? 'prompt.unsupported'
      : 'prompt.notUnderstood';
}

function byValue(q: Question, value: string | undefined): ChoiceResult | undefined {
  const index = value === undefined ? -1 : q.options.findIndex((o) => o.value === value);
  return index < 0 ? undefined : { index, value: q.options[index].value };
}

/** The line that says why an answer was missed. */
export type MissKey = 'prompt.cannotListen' | 'prompt.unsupported' | 'prompt.notUnderstood';

/** A builder that makes each language's question once (for questions that never change). */
export function perLanguage(
  build: (locale: LanguageCode) => Question,
): (locale: LanguageCode, args?: undefined) => Question {
  const made = new Map<LanguageCode, Question>();
  return (locale) => {
    let q = made.get(locale);
    if (!q) made.set(locale, (q = build(locale)));
    return q;
  };
}

/** A question of a few fixed options (value: the key of its label, in order); made once per language. */
export function fixedQuestion(question: ParseKeys, options: Record<string, ParseKeys>, hints: ParseKeys[]) {
  return perLanguage((locale) => {
    const t = translator(locale);
    return {
      question: t(question),
      options: Object.entries(options).map(([value, label]) => ({ value, label: t(label) })),
      hints: hints.map((h) => t(h)),
    };
  });
}
