// The daily check-in of people in an immersion (CHECKIN_CRON), and closing the unanswered ones
// the next morning (no_reply; two in a row: an alert for the CIP).
import { ANSWER_UNTIL_HOUR, closeCheckIns, sendCheckIns } from '../services/checkIns';
import type { Job } from './scheduler';
import { sendingJob, type JobDeps } from './deps';

export function checkInJobs(deps: JobDeps): Job[] {
  return [
    sendingJob(deps, 'checkins', deps.schedule.checkIns, sendCheckIns, (r) => r.asked),
    { name: 'checkins-close', cron: `1 ${ANSWER_UNTIL_HOUR} * * *`, run: () => closeCheckIns(deps.db, deps.now()) },
  ];
}
