// Asks for a free answer: a few words, or (where `attachments` is allowed) a voice note, a photo or
// a document, kept as a reference for the CIP. After `maxMisses` empty or unusable answers it ends
// with NO_ANSWER so the caller can offer a way out. The answer is the message's whole text (up to
// MAX_FREE_TEXT, where other turns read MAX_TEXT), and the conversation's record keeps it whole.
import { Dialog } from '../sdk';
import type { DialogContext, DialogTurnResult } from 'botbuilder-dialogs';
import { InputHints, type TurnContext } from 'botbuilder-core';
import { say } from '../../cards/messages';
import type { ParseKeys } from 'i18next';
import { translator } from '../../bot/i18n/translator';
import type { LanguageCode } from '../../bot/i18n/languages';
import { turnLocale } from '../../bot/turns/turnState';
import { cutText, MAX_FREE_TEXT, wholeText } from '../../bot/turns/middleware/inboundText';
import { missKey, type MissKey } from './numberedChoicePrompt';
import type { Attachment } from '../../bot/services/people';
import { WaitingQuestion } from './waitingQuestion';

export interface TextQuestion {
  question: string | string[];
  hints?: string[];
}

export type TextQuestionBuilder<A> = (locale: LanguageCode, args: A) => TextQuestion;

/** A question answered in a few words or a voice note: its text, and the hint that says so. */
export function spokenQuestion(question: ParseKeys, hint: ParseKeys = 'problem.describe.voice') {
  return (locale: LanguageCode): TextQuestion => {
    const t = translator(locale);
    return { question: t(question), hints: [t(hint)] };
  };
}

export interface TextPromptOptions<A> {
  args?: A;
  /** accept attachments (voice notes...) instead of text */
  attachments?: boolean;
  /** longest text kept (default and at most MAX_FREE_TEXT, 10,000 characters) */
  maxLength?: number;
  maxMisses?: number;
}

export interface TextAnswer {
  text?: string;
  attachments?: Attachment[];
}

export const NO_ANSWER: TextAnswer = {};

interface State<A> {
  options: TextPromptOptions<A>;
  misses: number;
}

export function attachmentsOf(context: TurnContext): Attachment[] {
  return (context.activity.attachments ?? [])
    .filter((a) => typeof a.contentType === 'string' && typeof a.contentUrl === 'string')
    .map((a) => ({ contentType: a.contentType, url: a.contentUrl!, ...(a.name && { name: a.name }) }));
}

export class TextPrompt<A = undefined> extends WaitingQuestion<TextPromptOptions<A>, State<A>, TextQuestionBuilder<A>> {
  protected start(options: TextPromptOptions<A>): State<A> {
    return { options, misses: 0 };
  }

  protected async read(dc: DialogContext, state: State<A>): Promise<DialogTurnResult> {
    const text = cutText(
      wholeText(dc.context).trim(),
      Math.min(state.options.maxLength ?? MAX_FREE_TEXT, MAX_FREE_TEXT),
    );
    const attachments = state.options.attachments ? attachmentsOf(dc.context) : [];
    if (text || attachments.length) {
      return dc.endDialog({ ...(text && { text }), ...(attachments.length && { attachments }) } satisfies TextAnswer);
    }
    if (++state.misses >= (state.options.maxMisses ?? 3)) return dc.endDialog(NO_ANSWER);
    await this.ask(dc.context, state, missKey(dc.context));
    return Dialog.EndOfTurn;
  }

  /** The question; after a miss, first the line that says why (a translation key). */
  protected async ask(context: TurnContext, state: State<A>, miss?: MissKey) {
    const locale = turnLocale(context);
    const { question, hints = [] } = this.build(locale, state.options.args as A);
    if (miss) await context.sendActivity(say(locale, translator(locale)(miss)));
    const message = say(locale, ...(typeof question === 'string' ? [question] : question), ...hints);
    await context.sendActivity({ ...message, inputHint: InputHints.ExpectingInput });
  }
}

/** True when a text answer is the NO_ANSWER of a prompt that gave up. */
export function isNoAnswer(answer: TextAnswer): boolean {
  return !answer.text && !answer.attachments?.length;
}
