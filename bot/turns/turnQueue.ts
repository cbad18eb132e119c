// Runs the turns of one conversation one after the other (a person's messages are handled in the
// order they were sent), turns of different conversations in parallel but at most `maxRunning` at
// once; and knows when all are done.
//
// Why a bound: every turn in progress keeps its dialog contexts, state and replies alive. With 200
// people answering at once and no bound, each young-generation collection copies all of that
// (issue 16: scavenges took a quarter of the CPU); 16 at once keep the batches of writes full and
// the live set small. A turn waits for a place before it joins its conversation's line, so a turn
// that holds a place never waits for one that does not (no deadlock): the turns ahead of it in its
// line hold places already. A turn waiting for a slow service (a transcription) keeps its place:
// 16 of those at once make the others wait, as WhatsApp's own bound (32 handled at once) did.
import type { Provider } from '../db/migrate';

export const TURNS_AT_ONCE = 16;

/**
 * The bound for a database: on SQLite a turn's statements run in this process, and the bound only
 * saves work. On PostgreSQL a turn mostly waits for the server, and the more turns wait together
 * the fuller the batches of writes: a bound of 16 (or 64) cost about a tenth of the throughput, so
 * there is none.
 */
export function turnsAtOnce(provider: Provider): number {
  return provider === 'sqlite' ? TURNS_AT_ONCE : Infinity;
}

export class TurnQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private inFlight = 0;
  private running = 0;
  /** turns waiting for a place, first come first served */
  private readonly waiting: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly maxRunning = TURNS_AT_ONCE) {
    if (!(maxRunning >= 1)) throw new RangeError('TurnQueue: maxRunning must be at least 1');
  }

  /**
   * Runs `task` after the conversation's earlier turns. `unbounded`: it takes no place (a message
   * sent to someone else from within a turn, which holds a place already and waits for it).
   */
  run<T>(key: string, task: () => Promise<T>, options: { unbounded?: boolean } = {}): Promise<T> {
    this.inFlight++;
    if (options.unbounded) return this.inLine(key, task, false);
    if (this.running < this.maxRunning) {
      this.running++;
      return this.inLine(key, task, true);
    }
    return new Promise<T>((resolve, reject) => {
      // (release hands its place over: `running` stays the same)
      this.waiting.push(() => this.inLine(key, task, true).then(resolve, reject));
    });
  }

  private inLine<T>(key: string, task: () => Promise<T>, holdsPlace: boolean): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
      if (holdsPlace) this.release();
      if (--this.inFlight === 0) this.idleWaiters.splice(0).forEach((w) => w());
    });
    return result;
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  /** Turns running or waiting. */
  get size(): number {
    return this.inFlight;
  }

  /** Resolves once no turn is running or waiting. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
