// Employers' attendance requests (see services/attendance): every 5 minutes for the shifts that
// just ended, and once a day at ATTENDANCE_CRON for the day's immersion shifts.
import { requestImmersionAttendance, requestShiftAttendance } from '../services/attendance';
import type { Job } from './scheduler';
import { sendingJob, type JobDeps } from './deps';

export function attendanceJobs(deps: JobDeps): Job[] {
  return [
    sendingJob(deps, 'attendance-shifts', '*/5 * * * *', requestShiftAttendance, (r) => r.asked),
    sendingJob(deps, 'attendance-immersions', deps.schedule.attendance, requestImmersionAttendance, (r) => r.asked),
  ];
}
