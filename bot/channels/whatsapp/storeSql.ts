// What the WhatsApp stores (inboundStore.ts, outboxStore.ts, statusStore.ts) share: the channel's
// name in SQL, the transaction type, the columns of the messages they write, message ids of the
// provider, and JSON lists for "IN".
import type { Database } from '../../db/client';
import type { JsonColumns } from '../../db/jsonRows';
import type { SqlParams } from '../../db/rawSql';
import type { SqlClient } from '../../db/sqlTransaction';
import { CHANNEL_ID } from './inbound';

/** The channel's name as an SQL literal. */
export const CHANNEL = `'${CHANNEL_ID}'`;

/** A transaction's client: Prisma's, or bot/db/sqlTransaction.ts' on SQLite's connection. */
export type Tx = SqlClient;

/** What every Message row the channel inserts (from JSON rows) fills in, in or out. */
export const MESSAGE_COLUMNS: JsonColumns = {
  direction: 'text',
  channel: 'text',
  conversationId: 'text',
  kind: 'text',
  status: 'text',
  payload: 'json',
  createdAt: 'timestamp',
  updatedAt: 'timestamp',
};

export function providerIdOf(wamid: string): string {
  return `${CHANNEL_ID}:${wamid}`;
}

/** `(ids of the JSON array)`, for `"id" IN <this>`. */
export function idList(provider: Database['provider'], p: SqlParams, ids: number[]): string {
  const param = p.add(JSON.stringify(ids));
  return provider === 'postgresql'
    ? `(SELECT (jsonb_array_elements_text(${param}::jsonb))::int)`
    : `(SELECT value FROM json_each(${param}))`;
}

export function textList(provider: Database['provider'], p: SqlParams, values: string[]): string {
  const param = p.add(JSON.stringify(values));
  return provider === 'postgresql'
    ? `(SELECT jsonb_array_elements_text(${param}::jsonb))`
    : `(SELECT value FROM json_each(${param}))`;
}

/** A JSON column's value (SQLite gives it as text). */
export function json(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}
