// SQLite through better-sqlite3 is one connection per process: while an interactive transaction
// waits between its statements, any other query would run on that same connection, inside the
// transaction, and vanish with its rollback. So on SQLite every query and every transaction of the
// client takes a turn: a transaction holds the connection until it commits or rolls back. (The
// transaction's own queries, on its `tx` client, are not held. Inside a transaction, use `tx`:
// the outer client would wait for the transaction, which waits for it.)
// PostgreSQL gives each transaction a connection of its own and needs none of this.
// A few statements must not wait behind the queue (storing a webhook before its acknowledgement):
// on the client's `$urgent` lane (see urgentLane) they go next, before the queued ones.
import type { Db } from './client';

class Turns {
  private busy = false;
  private readonly urgent: (() => void)[] = [];
  private readonly normal: (() => void)[] = [];

  run<T>(work: () => PromiseLike<T>, urgent = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        Promise.resolve()
          .then(work)
          .then(resolve, reject)
          .finally(() => this.next());
      };
      if (!this.busy) {
        this.busy = true;
        start();
      } else (urgent ? this.urgent : this.normal).push(start);
    });
  }

  private next() {
    const start = this.urgent.shift() ?? this.normal.shift();
    if (start) start();
    else this.busy = false;
  }
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
          return typeof value === 'function' ? (...args: unknown[]) => turns.run(() => value.apply(target, args), urgent) : value;
        },
      });
    let other: Db | undefined;
    return new Proxy(client, {
      get(target, prop, receiver) {
        if (prop === '$urgent') return urgent ? undefined : (other ??= lane(true));
        const value = Reflect.get(target, prop, receiver);
        if (prop === '$transaction' || (typeof prop === 'string' && RAW.has(prop))) {
          return (...args: unknown[]) => turns.run(() => (value as (...a: unknown[]) => PromiseLike<unknown>).apply(target, args), urgent);
        }
        if (typeof prop === 'string' && !prop.startsWith('$') && !prop.startsWith('_') && value && typeof value === 'object') {
          if (!models.has(prop)) models.set(prop, model(value));
          return models.get(prop);
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return lane(false);
}
