// SQLite through better-sqlite3 is one connection per process: while an interactive transaction
// waits between its statements, any other query would run on that same connection, inside the
// transaction, and vanish with its rollback. So on SQLite every query and every transaction of the
// client takes a turn: a transaction holds the connection until it commits or rolls back. (The
// transaction's own queries, on its `tx` client, are not held. Inside a transaction, use `tx`:
// the outer client would wait for the transaction, which waits for it.)
// PostgreSQL gives each transaction a connection of its own and needs none of this.
import type { Db } from './client';

class Turns {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => PromiseLike<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

const RAW = new Set(['$queryRaw', '$executeRaw', '$queryRawUnsafe', '$executeRawUnsafe']);

export function serialized(client: Db): Db {
  const turns = new Turns();
  const models = new Map<PropertyKey, unknown>();

  const model = (delegate: object) =>
    new Proxy(delegate, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        // Operations (findMany, create...) take a turn; `fields` and the rest pass through.
        return typeof value === 'function' ? (...args: unknown[]) => turns.run(() => value.apply(target, args)) : value;
      },
    });

  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === '$transaction' || (typeof prop === 'string' && RAW.has(prop))) {
        return (...args: unknown[]) => turns.run(() => (value as (...a: unknown[]) => PromiseLike<unknown>).apply(target, args));
      }
      if (typeof prop === 'string' && !prop.startsWith('$') && !prop.startsWith('_') && value && typeof value === 'object') {
        if (!models.has(prop)) models.set(prop, model(value));
        return models.get(prop);
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
