// SQLite's WAL checkpoints, off the event loop. SQLite copies the WAL back into the database file
// every 1,000 pages, inside the commit that crosses the mark, with two fsyncs: 4 to 16 ms measured
// here, during which no turn runs (a turn is about 1 ms). So the process's one writer connection
// does no checkpoint (wal_autocheckpoint = 0) and a worker thread, on a connection of its own,
// runs a PASSIVE checkpoint every few hundred milliseconds: it copies what is committed without
// taking any lock the writer or the readers wait for. The writer starts the WAL file over once a
// checkpoint has copied all of it; under writes without a pause that never happens, so when the
// WAL passes a size the writer checkpoints once itself (most of the copying is done by then).
// If the worker fails, the writer checkpoints as SQLite does by default.
import { Worker } from 'node:worker_threads';

export interface WalCheckpointOptions {
  /** how often the worker checkpoints (default 250 ms) */
  everyMs?: number;
  /** WAL pages past which the writer checkpoints itself (default 3,000: about 12 MB) */
  maxPages?: number;
}

export interface WalCheckpoints {
  /** what the worker reported last: pages in the WAL, pages copied */
  last(): { log: number; checkpointed: number } | undefined;
  /** ends the worker (its connection closed); the writer checkpoints as by default from then on */
  stop(): Promise<void>;
}

/** What the writer's connection must let us do. */
export interface WalWriter {
  /** runs a PRAGMA on the writer's connection, in its turn (bot/db/serialized.ts) */
  pragma(sql: string): Promise<unknown>;
}

// (Plain JavaScript: the worker runs it as is, in the tests as in the build. The driver's path comes
// from the main thread, so that the worker loads the same module.)
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('cache_size = -1024'); // (a checkpoint reads the WAL, not through the page cache)
const pass = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message) });
  }
};
const timer = setInterval(pass, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage({ ready: true });
`;

/**
 * Starts the checkpoints of `file` in a worker thread and turns the writer's own off. Resolves once
 * the worker runs; undefined when it could not start (the writer then checkpoints as by default).
 */
export async function startWalCheckpoints(
  file: string,
  writer: WalWriter,
  options: WalCheckpointOptions = {},
): Promise<WalCheckpoints | undefined> {
  const everyMs = options.everyMs ?? 250;
  const maxPages = options.maxPages ?? 3000;
  let worker: Worker;
  try {
    worker = new Worker(WORKER, {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), file, everyMs },
      // (its heap holds a few small objects: kept small, it costs about 10 MB of RSS)
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 },
    });
  } catch {
    return undefined;
  }
  worker.unref();
  let last: { log: number; checkpointed: number } | undefined;
  let stopping = false;
  let writerCheckpointing = false;
  const byDefault = () => writer.pragma('PRAGMA wal_autocheckpoint = 1000').catch(() => undefined);
  let ready!: (started: boolean) => void;
  const started = new Promise<boolean>((resolve) => (ready = resolve));
  const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', () => undefined); // (its exit follows: handled below)
  void ended.then(() => {
    ready(false); // (it never started, or the promise is settled already)
    if (!stopping) void byDefault(); // the worker died: SQLite's own checkpoints again
  });
  type Report = { ready: true } | { log: number; checkpointed: number } | { error: string };
  worker.on('message', (m: Report) => {
    if ('ready' in m) return ready(true);
    if ('error' in m) return; // (a pass that failed: the next one tries again)
    last = m;
    // Still large after a pass: writes never paused long enough for the WAL to start over.
    if (m.log > maxPages && !writerCheckpointing && !stopping) {
      writerCheckpointing = true;
      void writer
        .pragma('PRAGMA wal_checkpoint(PASSIVE)')
        .catch(() => undefined)
        .finally(() => (writerCheckpointing = false));
    }
  });
  // (The worker's connection open before the writer's checkpoints stop; should the worker end
  // later, the writer's are back, queued after this.)
  if (!(await started)) return undefined;
  const stop = async () => {
    if (stopping) return ended;
    stopping = true;
    worker.postMessage('stop');
    const timer = setTimeout(() => void worker.terminate(), 2000);
    await ended;
    clearTimeout(timer);
    await byDefault();
  };
  try {
    await writer.pragma('PRAGMA wal_autocheckpoint = 0');
  } catch {
    await stop(); // (the writer keeps its own checkpoints)
    return undefined;
  }
  return {
    last: () => last,
    stop,
  };
}
