// The jobs that reach out to people on a schedule (APP_TIMEZONE): the daily check-ins of people in
// an immersion, the evening reminders, the employers' attendance requests. Each queues outbox
// messages idempotently (unique keys in the database, so two runs or two instances send once),
// then asks the channels to deliver them. Every job reads the injected clock.
import type { Database } from '../db/client';
import type { Job } from '../scheduler';
import type { QuietHours } from '../services/quietHours';
import { attendanceJobs } from './attendance';
import { checkInJobs } from './checkIns';
import { reminderJobs } from './reminders';

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

export function proactiveJobs(deps: JobDeps): Job[] {
  return [...checkInJobs(deps), ...reminderJobs(deps), ...attendanceJobs(deps)];
}
