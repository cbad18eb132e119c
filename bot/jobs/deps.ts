// What the scheduled jobs need from the application.
import type { Database } from '../db/client';
import type { QuietHours } from '../services/quietHours';

export interface JobDeps {
  db: Database;
  now: () => Date;
  timeZone: string;
  quiet?: QuietHours;
  /** the cron expressions of the configurable jobs */
  schedule: { checkIns: string; reminders: string; attendance: string };
  /** messages were queued: the channels' senders take them now */
  delivered: () => void;
}
