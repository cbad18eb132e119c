// The shape of the renderer of one area's proactive messages (check-ins, attendance...), on its own
// so that the areas and cards/notifications, which lists them, do not import each other.
import type { LanguageCode } from '../bot/i18n/languages';
import type { NotificationPayload } from '../bot/services/notifications';
import type { Message } from './messages';

/** Renders the proactive messages of one area: undefined for other keys. */
export type NotificationRenderer = (
  payload: NotificationPayload,
  locale: LanguageCode,
  timeZone: string,
) => Message | undefined;
