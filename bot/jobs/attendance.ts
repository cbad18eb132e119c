// Employers' attendance requests (see services/attendance): every 5 minutes for the shifts that
// just ended, and once a day at ATTENDANCE_CRON for the day's immersion shifts.
import { requestImmersionAttendance, requestShiftAttendance } from '../services/attendance';
import type { Job } from './scheduler';
import type { JobDeps } from './deps';

export function attendanceJobs(deps: JobDeps): Job[] {
  const options = { timeZone: deps.timeZone, quiet: deps.quiet };
  const job = (name: string, cron: string, request: typeof requestShiftAttendance): Job => ({
    name,
    cron,
    run: async () => {
      const result = await request(deps.db, deps.now(), options);
      if (result.asked) deps.delivered();
      return result;
    },
  });
  return [
    job('attendance-shifts', '*/5 * * * *', requestShiftAttendance),
    job('attendance-immersions', deps.schedule.attendance, requestImmersionAttendance),
  ];
}
