// SQLite through better-sqlite3 is one connection per process: while an interactive transaction
// waits between its statements, any other query would run on that same connection, inside the
// transaction, and vanish with its rollback. So on SQLite every query and every transaction of the
// client takes a turn: a transaction holds the connection until it commits or rolls back. (The
// transaction's own queries, on its `tx` client, are not held. Inside a transaction, use `tx`:
// the outer client would wait for the transaction, which waits for it.)
// PostgreSQL gives each transaction a connection of its own and needs none of this.
// A few statements must not wait behind the queue (storing a webhook before its acknowledgement):
// on the client's `$urgent` lane (see urgentLane) they go next, before the queued ones.
// (The client's type from the generated client itself, not from ./client, which imports this file.)
import type { PrismaClient as Db } from '../../prisma/generated/sqlite/client';

class Turns {
  private tail: Promise<unknown> = Promise.resolve();
  /** operations chained and not settled yet */
  private pending = 0;
  private readonly urgent: {
    work: () => PromiseLike<unknown>;
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
  }[] = [];

  run<T>(work: () => PromiseLike<T>, urgent = false): Promise<T> {
    // An urgent operation waits only for the one running: it goes before the queued ones.
    if (urgent && this.pending > 0) {
      return new Promise<T>((resolve, reject) =>
        this.urgent.push({ work, resolve: resolve as (v: unknown) => void, reject }),
      );
    }
    this.pending++;
    const result = this.tail.then(work, work);
    this.tail = result.then(this.settled, this.settled);
    return result;
  }

  /** After each operation: the urgent ones that came meanwhile, before the next in line. */
  private readonly settled = (): Promise<void> | undefined => {
    this.pending--;
    return this.urgent.length ? this.drain() : undefined;
  };

  private async drain() {
    while (this.urgent.length) {
      const next = this.urgent.shift()!;
      try {
        next.resolve(await next.work());
      } catch (err) {
        next.reject(err);
      }
    }
  }
}

/**
 * Runs `work` when the connection is the caller's alone, as a query of the client would (SQLite):
 * no transaction of the client is open meanwhile. Undefined for a client that is not serialized.
 */
export function exclusively(db: Db): (<T>(work: () => T | PromiseLike<T>) => Promise<T>) | undefined {
  return (db as Db & { $exclusive?: <T>(work: () => T | PromiseLike<T>) => Promise<T> }).$exclusive;
}

/** The client whose statements go before the queued ones (SQLite); the client itself otherwise. */
export function urgentLane(db: Db): Db {
  return (db as Db & { $urgent?: Db }).$urgent ?? db;
}

const RAW = new Set(['$queryRaw', '$executeRaw', '$queryRawUnsafe', '$executeRawUnsafe']);

export function serialized(client: Db): Db {
  const turns = new Turns();
  const lane = (urgent: boolean): Db => {
    const models = new Map<PropertyKey, unknown>();
    const model = (delegate: object) =>
      new Proxy(delegate, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          // Operations (findMany, create...) take a turn; `fields` and the rest pass through.
          return typeof value === 'function'
            ? (...args: unknown[]) => turns.run(() => value.apply(target, args), urgent)
            : value;
        },
      });
    let other: Db | undefined;
    return new Proxy(client, {
      get(target, prop, receiver) {
        if (prop === '$urgent') return urgent ? undefined : (other ??= lane(true));
        if (prop === '$exclusive') return <T>(work: () => T | PromiseLike<T>) => turns.run(async () => work(), urgent);
        const value = Reflect.get(target, prop, receiver);
        if (prop === '$transaction' || (typeof prop === 'string' && RAW.has(prop))) {
          return (...args: unknown[]) =>
            turns.run(() => (value as (...a: unknown[]) => PromiseLike<unknown>).apply(target, args), urgent);
        }
        if (
          typeof prop === 'string' &&
          !prop.startsWith('$') &&
          !prop.startsWith('_') &&
          value &&
          typeof value === 'object'
        ) {
          if (!models.has(prop)) models.set(prop, model(value));
          return models.get(prop);
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return lane(false);
}
