// What a CIP wrote from the dashboard, as the person reads it: a ready-made message in their
// language (the day and time as their language writes them, the papers translated), or the CIP's
// own text as it is; then the CIP's signature. The dashboard shows the French of the same lines.
import { textOf, translator } from '../bot/i18n/translator';
import type { LanguageCode } from '../bot/i18n/languages';
import { CIP_MESSAGE_KEY, type CipMessageContent, type CipMessagePayload } from '../bot/services/cipMessages';
import { formatDay, formatTime, isolateLatin, listSeparator } from './format';
import { say } from './messages';
import type { NotificationRenderer } from './notificationRenderer';

// The CIP typed a day and a time on the office's clock: they are shown as typed, whatever the zone.
const dayOf = (day: string) => new Date(`${day}T12:00:00Z`);
const timeOf = (time: string) => new Date(`2000-01-01T${time}:00Z`);

/** The lines of the message in `locale`: the message, then the signature. */
export function cipMessageLines(content: CipMessageContent, from: string, locale: LanguageCode): string[] {
  const t = translator(locale);
  const signature = isolateLatin(t('cipMessages.signature', { name: from }), locale);
  if ('text' in content) return [content.text, signature];
  const values: Record<string, string> = {};
  if ('day' in content) values.day = formatDay(dayOf(content.day), locale, 'UTC');
  if ('time' in content) values.time = formatTime(timeOf(content.time), locale, 'UTC');
  if ('papers' in content)
    values.papers = content.papers.map((p) => t(`cipMessages.papers.${p}`)).join(listSeparator(locale));
  if ('phone' in content) values.phone = content.phone;
  return [isolateLatin(textOf(locale, `cipMessages.${content.template}`, values), locale), signature];
}

export const renderCipMessage: NotificationRenderer = (payload, locale) => {
  if (payload.key !== CIP_MESSAGE_KEY) return undefined;
  const { content, from } = payload as CipMessagePayload;
  return say(locale, ...cipMessageLines(content, from, locale));
};
