import type { Job } from '../scheduler';
import type { JobDeps } from './index';

export function attendanceJobs(deps: JobDeps): Job[] {
  void deps;
  return [];
}
