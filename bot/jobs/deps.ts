// What the scheduled jobs need from the application.
import type { Database } from '../db/client';
import type { QuietHours } from '../services/quietHours';
import type { Job } from './scheduler';

export interface JobDeps {
  db: Database;
  now: () => Date;
  timeZone: string;
  quiet?: QuietHours;
  /** the cron expressions of the configurable jobs */
  schedule: { checkIns: string; reminders: string; attendance: string };
  /** messages were queued: the channels' senders take them now */
  delivered: () => void;
}

/** The options every sending job passes on. */
export interface SendOptions {
  timeZone: string;
  quiet?: QuietHours;
}

/**
 * A job that queues messages (check-ins, reminders, attendance requests): it runs `send` at the
 * present time and wakes the senders when `queued` says it queued any.
 */
export function sendingJob<R>(
  deps: JobDeps,
  name: string,
  cron: string,
  send: (db: Database, now: Date, options: SendOptions) => Promise<R>,
  queued: (result: R) => number,
): Job {
  return {
    name,
    cron,
    run: async () => {
      const result = await send(deps.db, deps.now(), { timeZone: deps.timeZone, quiet: deps.quiet });
      if (queued(result)) deps.delivered();
      return result;
    },
  };
}
