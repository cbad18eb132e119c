// The text of queued notifications, made when they are sent, in the person's language.
import type { LanguageCode } from '../bot/languages';
import { translator } from '../bot/i18n';
import type { NotificationPayload } from '../bot/services/notifications';
import { formatDateTime, titleOf } from './format';
import { say, type Message } from './messages';

interface SessionRef {
  workshopCode: string;
  title?: string;
  startsAt: string;
  place: string;
}

export function renderNotification(payload: NotificationPayload, locale: LanguageCode, timeZone: string): Message {
  const t = translator(locale);
  switch (payload.key) {
    case 'notifications.waitlistPromoted': {
      const s = payload.session as SessionRef;
      return say(
        locale,
        t('notifications.waitlistPromoted', {
          title: titleOf(t, s),
          when: formatDateTime(new Date(s.startsAt), locale, timeZone),
          place: s.place,
        }),
      );
    }
    default:
      // A key without its own rendering: its text, with the payload's values.
      return say(locale, t(payload.key, payload as Record<string, unknown>));
  }
}
