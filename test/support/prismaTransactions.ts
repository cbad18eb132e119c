// Counts the interactive transactions a Prisma client opens, for tests that check a unit of work
// runs on SQLite's connection instead (bot/db/sqlTransaction.ts). A $transaction of our own goes
// in front of the class's (SQLite's client is a Proxy, bot/db/serialized.ts, that hands calls on
// to its target); restore() removes it. (PostgreSQL's client is a Proxy of Prisma's own: SQLite only.)
export function countPrismaTransactions(client: object): { opened(): number; restore(): void } {
  const original = Reflect.get(Object.getPrototypeOf(client), '$transaction') as (...a: unknown[]) => unknown;
  let opened = 0;
  Object.defineProperty(client, '$transaction', {
    configurable: true,
    value(this: unknown, ...args: unknown[]) {
      opened++;
      return original.apply(this, args);
    },
  });
  return {
    opened: () => opened,
    restore: () => void delete (client as { $transaction?: unknown }).$transaction,
  };
}
