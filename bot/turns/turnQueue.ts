// Runs the turns of one conversation one after the other (a person's messages are handled in the
// order they were sent), turns of different conversations in parallel; and knows when all are done.
export class TurnQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    this.inFlight++;
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
      if (--this.inFlight === 0) this.idleWaiters.splice(0).forEach((w) => w());
    });
    return result;
  }

  get size(): number {
    return this.inFlight;
  }

  /** Resolves once no turn is running or waiting. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
