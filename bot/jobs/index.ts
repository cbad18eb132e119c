// The jobs that reach out to people on a schedule (APP_TIMEZONE): the daily check-ins of people in
// an immersion, the evening reminders, the employers' attendance requests. Each queues outbox
// messages idempotently (unique keys in the database, so two runs or two instances send once),
// then asks the channels to deliver them. Every job reads the injected clock.
import type { Job } from './scheduler';
import { attendanceJobs } from './attendance';
import { checkInJobs } from './checkIns';
import { reminderJobs } from './reminders';
import type { JobDeps } from './deps';

export type { JobDeps };

export function proactiveJobs(deps: JobDeps): Job[] {
  return [...checkInJobs(deps), ...reminderJobs(deps), ...attendanceJobs(deps)];
}
