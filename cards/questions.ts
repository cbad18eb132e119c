// A numbered question as messages carry it: its lines, its options (a number each), the hints
// after them, and a simpler form for after a miss. Built here, channel-neutral; reading the answer
// (dialogs/recognizers, dialogs/prompts) may add ways to recognise it (`recognize`, `read`,
// options' synonyms).
import { translator } from '../bot/i18n/translator';
import type { LanguageCode } from '../bot/i18n/languages';
import type { ParseKeys } from 'i18next';

export interface ChoiceOption {
  /** what the dialog gets back */
  value: string;
  /** the text shown after the number */
  label: string;
  /** other words that select this option */
  synonyms?: string[];
}

export interface Question {
  /** one line, or several (one idea each) */
  question: string | string[];
  options: ChoiceOption[];
  /** lines after the options, e.g. "Send a number." */
  hints?: string[];
  /** a second chance for answers that are not an option: returns an option's value */
  recognize?: (text: string, locale: LanguageCode) => string | undefined;
  /**
   * reads the answer instead of the option matching (yes/no questions, where a refusal must never
   * be taken for a yes): returns an option's value
   */
  read?: (text: string, locale: LanguageCode) => string | undefined;
  /** asked after a miss instead of the question: a simpler form of it */
  simpler?: Omit<Question, 'simpler'>;
}

/**
 * "1. Oui / 2. Non" (or labels of the caller's, e.g. "Oui, je viens"), values `values[0]` for yes
 * and `values[1]` for no; after a miss "1. Oui, d'accord / 2. Non / Envoyez 1 ou 2." (a caller's
 * own labels stay). How the answer is read is the dialogs' (prompts/yesNoQuestion).
 */
export function yesNoOptions(
  locale: LanguageCode,
  question: string | string[],
  labels: { yes?: string; no?: string } = {},
  values: [string, string] = ['yes', 'no'],
): Question {
  const t = translator(locale);
  const options = (yes: string, no: string) => [
    { value: values[0], label: yes },
    { value: values[1], label: no },
  ];
  return {
    question,
    options: options(labels.yes ?? t('common.yes'), labels.no ?? t('common.no')),
    hints: [t('prompt.hint')],
    simpler: {
      question,
      options: options(labels.yes ?? t('prompt.yesNo.yes'), labels.no ?? t('common.no')),
      hints: [t('prompt.yesNo.hint')],
    },
  };
}

/**
 * A page of a list to pick from (the people placed at a structure, one's shifts...): the question,
 * an option per item, then the option that shows the next page when there is `more`; the hints say
 * to send a number, or to go back to the menu.
 */
export function listPage(
  locale: LanguageCode,
  text: { question: ParseKeys; more: ParseKeys },
  items: ChoiceOption[],
  more: boolean,
): Question {
  const t = translator(locale);
  return {
    question: t(text.question),
    options: [...items, ...(more ? [{ value: 'more', label: t(text.more) }] : [])],
    hints: [t('prompt.hint'), t('prompt.backToMenu')],
  };
}
