// Channel-neutral messages: every reply carries its plain text (lines, not Markdown), `speak`
// (SSML in the person's language)
// and `inputHint`. Numbered options stay in the text; suggested actions only mirror them, so an
// answer by voice, by keyboard or by tapping gives the same result. Channel renderers (web chat,
// WhatsApp) turn these activities into what their client shows.
import {
  ActionTypes,
  ActivityTypes,
  InputHints,
  TextFormatTypes,
  type Activity,
  type CardAction,
} from 'botbuilder-core';
import { language, type LanguageCode } from '../bot/i18n/languages';
import { translator } from '../bot/i18n/translator';

export interface NumberedOption {
  label: string;
}

export type Message = Partial<Activity>;

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

/** SSML for a list of sentences, with a short pause between them. */
export function ssml(locale: LanguageCode, sentences: string[]): string {
  const body = sentences.map(escapeXml).join(' <break time="300ms"/> ');
  const lang = language(locale).speechLocale;
  return `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="${lang}">${body}</speak>`;
}

/**
 * The options as a menu says them aloud, each with its number: "Ateliers." "Dites ou envoyez 1."
 * (two sentences, so that an interpreter records each once, see bot/voice/recordings.ts).
 */
export function spokenOptions(locale: LanguageCode, options: NumberedOption[]): string[] {
  const t = translator(locale);
  return options.flatMap((o, i) => [`${o.label.replace(/[.!?。።]+$/u, '')}.`, t('voice.press', { number: i + 1 })]);
}

/** A statement: nothing to answer. */
export function say(locale: LanguageCode, ...lines: string[]): Message {
  return {
    type: ActivityTypes.Message,
    text: lines.join('\n'),
    textFormat: TextFormatTypes.Plain,
    speak: ssml(locale, lines),
    inputHint: InputHints.AcceptingInput,
    locale,
  };
}

/** The numbered lines of a list of options, "1. Label". */
export function numberedLines(options: NumberedOption[]): string[] {
  return options.map((o, i) => `${i + 1}. ${o.label}`);
}

const lineCount = (parts: string[]) => (parts.length ? parts.join('\n').split('\n').length : 0);

/**
 * A question with numbered options: the question, one line per option, then the hint lines.
 * Suggested actions mirror the options and send their number.
 */
export function ask(
  locale: LanguageCode,
  question: string | string[],
  options: NumberedOption[],
  hints: string[] = [],
): Message {
  const intro = typeof question === 'string' ? [question] : question;
  const lines = numberedLines(options);
  const actions: CardAction[] = options.map((o, i) => ({
    type: ActionTypes.ImBack,
    title: lines[i],
    value: String(i + 1),
  }));
  return {
    type: ActivityTypes.Message,
    text: [...intro, ...lines, ...hints].join('\n'),
    textFormat: TextFormatTypes.Plain,
    speak: ssml(locale, [...intro, ...spokenOptions(locale, options), ...hints]),
    inputHint: InputHints.ExpectingInput,
    suggestedActions: { actions, to: [] },
    // Which lines of `text` are the options (from, count): a channel that shows the buttons
    // (the web chat) leaves them out of the text; the others ignore it.
    // (Counted in lines of text: an intro or an option may hold several, e.g. a workshop entry.)
    channelData: { optionLines: { from: lineCount(intro), count: lineCount(lines) } },
    locale,
  };
}

/**
 * A left-to-right piece (a reference such as B-4821, a phone number) inside a right-to-left
 * sentence: isolated, so that the sentence's punctuation stays where it belongs.
 */
export function ltr(text: string, locale: LanguageCode): string {
  return language(locale).rtl ? `\u2066${text}\u2069` : text;
}
