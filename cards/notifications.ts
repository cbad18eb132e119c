// The text of proactive messages (notifications, invitations...), made when they are sent, in
// the person's language. A message that asks something is a numbered question like any other, so
// that the answer (by voice, keyboard or a tap, maybe days later) is understood the same way.
import type { LanguageCode } from '../bot/i18n/languages';
import { textOf, translator } from '../bot/i18n/translator';
import type { NotificationPayload } from '../bot/services/notifications';
import { yesNoOptions, type Question } from './questions';
import { formatDateTime, formatDay, formatTimeRange, titleOf } from './format';
import { ask, say, type Message } from './messages';
import { renderAttendance } from './attendance';
import { renderCheckIn } from './checkIns';
import { renderReminder } from './reminders';
import { renderCipMessage } from './cipMessages';
import type { NotificationRenderer } from './notificationRenderer';

interface SessionRef {
  workshopCode: string;
  title?: string;
  startsAt: string;
  endsAt?: string;
  place: string;
}

/** "Will you come? 1 I'll come / 2 not this time" (values yes and no). */
export function invitationQuestion(locale: LanguageCode): Question {
  const t = translator(locale);
  return yesNoOptions(locale, t('broadcasts.invitation.question'), {
    yes: t('broadcasts.invitation.yes'),
    no: t('broadcasts.invitation.no'),
  });
}

export type { NotificationRenderer };

const AREAS: NotificationRenderer[] = [renderCheckIn, renderReminder, renderAttendance, renderCipMessage];

export function renderNotification(payload: NotificationPayload, locale: LanguageCode, timeZone: string): Message {
  for (const render of AREAS) {
    const message = render(payload, locale, timeZone);
    if (message) return message;
  }
  const t = translator(locale);
  switch (payload.key) {
    case 'notifications.waitlistPromoted':
    case 'notifications.sessionCancelled': {
      const s = payload.session as SessionRef;
      return say(
        locale,
        t(payload.key, {
          title: titleOf(t, s),
          when: formatDateTime(new Date(s.startsAt), locale, timeZone),
          place: s.place,
        }),
      );
    }
    case 'broadcasts.invitation': {
      const s = payload.session as SessionRef;
      const start = new Date(s.startsAt);
      const q = invitationQuestion(locale);
      const lines = [
        t('broadcasts.invitation.intro'),
        t('workshops.booked.title', { title: titleOf(t, s) }),
        t('workshops.booked.day', { day: formatDay(start, locale, timeZone) }),
        t('workshops.booked.time', {
          time: s.endsAt
            ? formatTimeRange(start, new Date(s.endsAt), locale, timeZone)
            : formatDateTime(start, locale, timeZone),
        }),
        t('workshops.booked.place', { place: s.place }),
        q.question as string,
      ];
      return ask(locale, lines, q.options, q.hints);
    }
    default:
      // A key without its own rendering: its text, with the payload's values.
      return say(locale, textOf(locale, payload.key, payload as Record<string, unknown>));
  }
}
