// What each simulated person sends: "bonjour" (greeting + menu), then rounds of the menu in French,
// Arabic and English: Latin and Arabic-Indic digits, number words, an ordinal, keywords, a name,
// and one message the bot does not understand. Every round starts and ends at the French menu.
import type { LanguageCode } from '../bot/languages';

export interface Step {
  text: string;
  /** the language every reply must be in */
  reply: LanguageCode;
  /** the translation key the first reply starts with */
  first: string;
}

const OPENING: Step = { text: 'bonjour', reply: 'fr', first: 'greeting' };

const ROUNDS: Step[][] = [
  [
    { text: '6', reply: 'fr', first: 'language.question' }, // language menu
    { text: '٣', reply: 'ar', first: 'language.changed' }, // Arabic -> "OK" + menu in Arabic
    { text: '1', reply: 'ar', first: 'comingSoon' }, // workshops: coming soon + menu
    { text: 'menu', reply: 'ar', first: 'menu.question' },
    { text: '6', reply: 'ar', first: 'language.question' },
    { text: '1', reply: 'fr', first: 'language.changed' }, // back to French
    { text: '2', reply: 'fr', first: 'comingSoon' },
    { text: 'aide', reply: 'fr', first: 'help.numbers' }, // help + menu again
  ],
  [
    { text: 'langue', reply: 'fr', first: 'language.question' }, // keyword: language menu
    { text: 'deux', reply: 'en', first: 'language.changed' }, // English, as a number word
    { text: 'the third', reply: 'en', first: 'comingSoon' }, // ordinal: coming soon + menu
    { text: 'help', reply: 'en', first: 'help.numbers' },
    { text: "I don't know", reply: 'en', first: 'prompt.notUnderstood' }, // not understood (goes down to Microsoft's recognizers)
    { text: '0', reply: 'en', first: 'menu.question' }, // keyword: menu
    { text: '6', reply: 'en', first: 'language.question' },
    { text: 'Français', reply: 'fr', first: 'language.changed' }, // a language by its name
  ],
];

export const ROUND_LENGTH = 8;

/** Turn `n` (0-based) of person `who`; people start on different rounds, so both run at once. */
export function step(who: number, n: number): Step {
  if (n === 0) return OPENING;
  const round = ROUNDS[(who + Math.floor((n - 1) / ROUND_LENGTH)) % ROUNDS.length];
  return round[(n - 1) % ROUND_LENGTH];
}
