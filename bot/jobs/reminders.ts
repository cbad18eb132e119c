// The evening reminder of tomorrow's workshops and shifts (REMINDER_CRON).
import { sendReminders } from '../services/reminders';
import type { Job } from './scheduler';
import type { JobDeps } from './deps';

export function reminderJobs(deps: JobDeps): Job[] {
  return [
    {
      name: 'reminders',
      cron: deps.schedule.reminders,
      run: async () => {
        const result = await sendReminders(deps.db, deps.now(), { timeZone: deps.timeZone, quiet: deps.quiet });
        if (result.reminded) deps.delivered();
        return result;
      },
    },
  ];
}
