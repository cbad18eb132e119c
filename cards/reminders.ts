// The evening reminder of tomorrow's workshops and shifts, in the person's language:
// "Tomorrow, Tuesday 3 March: / Workshop: ... / Work: ... / 1 I'll be there / 2 I can't come".
import { translator } from '../bot/i18n/translator';
import type { LanguageCode } from '../bot/i18n/languages';
import type { ReminderItem, ReminderPayload } from '../bot/services/reminders';
import { yesNoOptions, type Question } from './questions';
import { formatDay, formatTimeRange, titleOf } from './format';
import { ask } from './messages';
import type { NotificationRenderer } from './notificationRenderer';

/** "1 I'll be there / 2 I can't come" (values yes and no). */
export function reminderQuestion(locale: LanguageCode, intro: string[] = []): Question {
  const t = translator(locale);
  return yesNoOptions(locale, [...intro, t('reminders.question')], { yes: t('reminders.yes'), no: t('reminders.no') });
}

/** One line of the reminder: "Workshop: Papers, 14:00 – 16:00, Passerelle Blois." */
export function reminderLine(locale: LanguageCode, timeZone: string, item: ReminderItem): string {
  const t = translator(locale);
  const time = formatTimeRange(new Date(item.startsAt), new Date(item.endsAt), locale, timeZone);
  return item.type === 'workshop'
    ? t('reminders.workshop', { title: titleOf(t, item), time, place: item.place })
    : t('reminders.shift', { structure: item.structure, time });
}

export const renderReminder: NotificationRenderer = (payload, locale, timeZone) => {
  if (payload.key !== 'reminders.tomorrow') return undefined;
  const { items } = payload as ReminderPayload;
  const t = translator(locale);
  const day = formatDay(new Date(items[0].startsAt), locale, timeZone);
  const q = reminderQuestion(locale, [
    t('reminders.intro', { day }),
    ...items.map((i) => reminderLine(locale, timeZone, i)),
  ]);
  return ask(locale, q.question, q.options, q.hints);
};
