// Scheduled jobs (node-cron) in APP_TIMEZONE. A job never overlaps itself, a failing run is logged
// and the next one still happens, and stop() waits for running jobs to finish.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from './logger';

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

  add(job: Job): void {
    if (!cron.validate(job.cron)) throw new Error(`job ${job.name}: invalid cron expression "${job.cron}"`);
    let busy = false;
    const task = cron.createTask(
      job.cron,
      async () => {
        if (busy) return;
        busy = true;
        const started = Date.now();
        const run = job
          .run()
          .then((result) => this.log.debug({ job: job.name, ms: Date.now() - started, result }, 'job done'))
          .catch((err: Error) => this.log.error({ job: job.name, err: { message: err.message, stack: err.stack } }, 'job failed'))
          .finally(() => {
            busy = false;
            this.running.delete(run);
          });
        this.running.add(run);
        await run;
      },
      { timezone: this.timezone, name: job.name, noOverlap: true },
    );
    this.tasks.push(task);
  }

  start(): void {
    for (const task of this.tasks) task.start();
  }

  async stop(): Promise<void> {
    for (const task of this.tasks) await task.destroy();
    await Promise.all([...this.running]);
  }
}
