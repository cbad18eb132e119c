import type { Job } from '../scheduler';
import type { JobDeps } from './index';

export function reminderJobs(deps: JobDeps): Job[] {
  void deps;
  return [];
}
