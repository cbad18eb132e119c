// Group commit: callers add items and await their own result; items added while a batch is being
// written wait for the next one. Concurrent turns thus share one statement (and one transaction)
// instead of paying the database round trip, and Prisma's per-query cost, each.

export type BatchHandler<I, R> = (items: I[]) => Promise<R[]>;

interface Pending<I, R> {
  item: I;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class Batcher<I, R> {
  private queue: Pending<I, R>[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly handler: BatchHandler<I, R>,
    private readonly maxBatch = 500,
  ) {}

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when everything added so far has been written. */
  async drain(): Promise<void> {
    while (this.queue.length || this.running) {
      await new Promise((r) => setImmediate(r));
    }
  }

  private schedule() {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    // setImmediate lets every turn that is ready in this tick join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush() {
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      const results = await this.handler(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (err) {
      batch.forEach((p) => p.reject(err));
    } finally {
      this.running = false;
      if (this.queue.length) this.schedule();
    }
  }
}
