// What SQLite does with the statements some work runs: the SQL texts run (on any connection, with
// their last arguments), and the plan of each (EXPLAIN QUERY PLAN), for tests that check a query
// reads through an index instead of walking a table.
import BetterSqlite3 from 'better-sqlite3';

type Run = (...args: unknown[]) => unknown;

/** The SQL texts run on any SQLite connection while `work` runs, with their last arguments. */
export async function statementsRun(work: () => Promise<unknown>): Promise<Map<string, unknown[]>> {
  const statement = Object.getPrototypeOf(new BetterSqlite3(':memory:').prepare('SELECT 1')) as Record<string, Run>;
  const methods = ['all', 'get', 'run', 'iterate'] as const;
  const originals = methods.map((m) => statement[m]);
  const seen = new Map<string, unknown[]>();
  methods.forEach((m, i) => {
    statement[m] = function (this: { source: string }, ...args: unknown[]) {
      seen.set(this.source, args);
      return originals[i].apply(this, args);
    };
  });
  try {
    await work();
  } finally {
    methods.forEach((m, i) => (statement[m] = originals[i]));
  }
  return seen;
}

/** The lines of a statement's plan, on a connection to the same database. */
export function planOf(
  connection: { prepare(sql: string): { all(...args: unknown[]): unknown[] } },
  sql: string,
  args: unknown[],
): string[] {
  return (connection.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail);
}
