// The proactive messages of this area, in the person's language (see cards/notifications).
import type { NotificationRenderer } from './notifications';

export const renderCheckIn: NotificationRenderer = () => undefined;
