// Parameters of hand-written SQL for both providers: SQLite takes "?" in order, PostgreSQL "$n",
// with a cast where the parameter is compared to a typed column (pg sends them as text).
// Timestamps travel in the form Prisma stores them (see dbTimestamp), so that SQLite compares
// like with like.
import type { Provider } from './migrate';
import { dbTimestamp } from './jsonRows';

const CASTS = { timestamp: 'timestamp(3)', int: 'integer', text: 'text', jsonb: 'jsonb' } as const;

export class SqlParams {
  readonly values: unknown[] = [];

  constructor(readonly provider: Provider) {}

  /** The placeholder of a new parameter; add them in the order they appear in the SQL text. */
  add(value: unknown, type?: keyof typeof CASTS): string {
    this.values.push(value instanceof Date ? dbTimestamp(value) : value);
    if (this.provider === 'sqlite') return '?';
    return type ? `$${this.values.length}::${CASTS[type]}` : `$${this.values.length}`;
  }

  /** `IN` a list of integer ids, one parameter: a JSON array (SQLite), an integer array (PostgreSQL). */
  inIds(ids: number[]): string {
    return this.provider === 'postgresql'
      ? `= ANY(${this.add(ids)}::integer[])`
      : `IN (SELECT value FROM json_each(${this.add(JSON.stringify(ids))}))`;
  }
}

/**
 * The provider of a Prisma client, or of a transaction's client (which has no reader of its own).
 * (db/client.ts' providerOf reads it from a database URL.)
 */
export function providerOfClient(client: object): Provider {
  return (client as { _activeProvider?: string })._activeProvider === 'postgresql' ? 'postgresql' : 'sqlite';
}
