// The daily check-in of people in an immersion: "How was your day at {structure}? 1 good /
// 2 difficult / 3 I need help", in the person's language. The options are also the words (in
// their language, French or English) and a face, for people who do not read.
import { translator } from '../bot/i18n/translator';
import type { LanguageCode } from '../bot/i18n/languages';
import { CHECKIN_ANSWERS, type CheckInAnswer } from '../bot/services/checkIns';
import type { Question } from './questions';
import { ask } from './messages';
import type { NotificationRenderer } from './notificationRenderer';

const LABEL_KEYS = {
  good: 'checkins.good',
  difficult: 'checkins.difficult',
  needs_help: 'checkins.needsHelp',
} as const satisfies Record<CheckInAnswer, string>;
const FACES: Record<CheckInAnswer, string[]> = {
  good: ['👍', '🙂', '😀'],
  difficult: ['😞', '😕', '👎'],
  needs_help: ['🆘'],
};

/** The question's options, for the message and for reading the answer. */
export function checkInQuestion(locale: LanguageCode, structure = ''): Question {
  const t = translator(locale);
  const langs = [...new Set<LanguageCode>([locale, 'fr', 'en'])];
  return {
    question: t('checkins.question', { structure }),
    options: CHECKIN_ANSWERS.map((value) => ({
      value,
      label: t(LABEL_KEYS[value]),
      synonyms: [...langs.filter((l) => l !== locale).map((l) => translator(l)(LABEL_KEYS[value])), ...FACES[value]],
    })),
    hints: [t('prompt.hint')],
  };
}

export const renderCheckIn: NotificationRenderer = (payload, locale) => {
  if (payload.key !== 'checkins.question') return undefined;
  const q = checkInQuestion(locale, String((payload.placement as { structure?: string } | undefined)?.structure ?? ''));
  return ask(locale, q.question, q.options, q.hints);
};
