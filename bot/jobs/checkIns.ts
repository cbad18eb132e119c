import type { Job } from '../scheduler';
import type { JobDeps } from './index';

export function checkInJobs(deps: JobDeps): Job[] {
  void deps;
  return [];
}
