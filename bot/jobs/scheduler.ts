// Scheduled jobs (node-cron) in APP_TIMEZONE. A job never overlaps itself, a failing run is logged
// and the next one still happens, and stop() waits for running jobs to finish.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../runtime/logger';
import { safeError } from '../runtime/safeError';

export interface Job {
  name: string;
  /** a cron expression, e.g. "0 17 * * 1-5" */
  cron: string;
  run(): Promise<unknown>;
}

export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly timezone: string,
    private readonly log: Logger,
  ) {}

  private readonly jobs = new Map<string, { job: Job; busy?: Promise<unknown> }>();

  add(job: Job): void {
    if (!cron.validate(job.cron)) throw new Error(`job ${job.name}: invalid cron expression "${job.cron}"`);
    if (this.jobs.has(job.name)) throw new Error(`job ${job.name}: added twice`);
    this.jobs.set(job.name, { job });
    const task = cron.createTask(
      job.cron,
      async () => {
        await this.run(job.name).catch(() => undefined); // logged by run()
      },
      { timezone: this.timezone, name: job.name, noOverlap: true },
    );
    this.tasks.push(task);
  }

  /** The names of the jobs, in the order they were added. */
  names(): string[] {
    return [...this.jobs.keys()];
  }

  /**
   * Runs a job now (its schedule, or a test or an operator asking): a job already running is
   * not started again, the caller gets the running one's result.
   */
  run(name: string): Promise<unknown> {
    const entry = this.jobs.get(name);
    if (!entry) return Promise.reject(new Error(`no job named ${name}`));
    if (entry.busy) return entry.busy;
    const started = Date.now();
    const run = entry.job
      .run()
      .then((result) => {
        this.log.info({ job: name, ms: Date.now() - started, result }, 'job done');
        return result;
      })
      .catch((err: Error) => {
        this.log.error({ job: name, err: safeError(err) }, 'job failed');
        throw err;
      })
      .finally(() => {
        entry.busy = undefined;
        this.running.delete(settled);
      });
    const settled = run.catch(() => undefined);
    entry.busy = run;
    this.running.add(settled);
    return run;
  }

  start(): void {
    for (const task of this.tasks) task.start();
  }

  async stop(): Promise<void> {
    for (const task of this.tasks) await task.destroy();
    await Promise.all([...this.running]);
  }
}
