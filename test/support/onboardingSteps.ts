// The step onboarding added between the language and consent (issue 14): "Do you prefer to read or
// to listen? 1 read / 2 listen". Tests that are not about voice answer "read", so that they go on
// testing what they tested, and check on the way that the question came, in the person's language.
import type { Activity } from 'botbuilder';
import { translator } from '../../bot/i18n/translator';
import type { LanguageCode } from '../../bot/i18n/languages';

type Replies = Partial<Activity>[];

/** Whether a reply is the voice question in `language` (the question, then its numbered options). */
export function isVoiceQuestion(reply: Partial<Activity> | undefined, language: LanguageCode): boolean {
  const t = translator(language);
  const lines = (reply?.text ?? '').split('\n');
  return (
    reply?.locale === language &&
    lines[0] === t('voice.question') &&
    lines[1] === `1. ${t('voice.read')}` &&
    lines[2] === `2. ${t('voice.listen')}`
  );
}

/** `asked` ends with the voice question in `language`. */
export function expectVoiceQuestion(asked: Replies, language: LanguageCode): void {
  expect(asked.at(-1)?.text).toContain(translator(language)('voice.question'));
  expect(isVoiceQuestion(asked.at(-1), language)).toBe(true);
}

/**
 * `asked` (the replies to the language, chosen or confirmed) ends with the voice question in
 * `language`; the person answers "read" with `answer` ('1', or '١' / '۱' where a test writes
 * Arabic-Indic or Persian digits). Returns the replies to that answer: the consent text and question.
 */
export async function chooseRead(
  send: (text: string) => Promise<Replies>,
  asked: Replies,
  language: LanguageCode,
  answer = '1',
): Promise<Replies> {
  expectVoiceQuestion(asked, language);
  return send(answer);
}
