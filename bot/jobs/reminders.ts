// The evening reminder of tomorrow's workshops and shifts (REMINDER_CRON).
import { sendReminders } from '../services/reminders';
import type { Job } from './scheduler';
import { sendingJob, type JobDeps } from './deps';

export function reminderJobs(deps: JobDeps): Job[] {
  return [sendingJob(deps, 'reminders', deps.schedule.reminders, sendReminders, (r) => r.reminded)];
}
