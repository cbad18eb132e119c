// The daily check-in of people in an immersion (CHECKIN_CRON), and closing the unanswered ones
// the next morning (no_reply; two in a row: an alert for the CIP).
import { ANSWER_UNTIL_HOUR, closeCheckIns, sendCheckIns } from '../services/checkIns';
import type { Job } from './scheduler';
import type { JobDeps } from './deps';

export function checkInJobs(deps: JobDeps): Job[] {
  return [
    {
      name: 'checkins',
      cron: deps.schedule.checkIns,
      run: async () => {
        const result = await sendCheckIns(deps.db, deps.now(), { timeZone: deps.timeZone, quiet: deps.quiet });
        if (result.asked) deps.delivered();
        return result;
      },
    },
    { name: 'checkins-close', cron: `1 ${ANSWER_UNTIL_HOUR} * * *`, run: () => closeCheckIns(deps.db, deps.now()) },
  ];
}
