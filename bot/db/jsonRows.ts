// Many rows in one statement with one parameter: the rows travel as a JSON array and the database
// unpacks them (SQLite json_each, PostgreSQL jsonb_to_recordset). The SQL text stays the same
// whatever the number of rows, and Prisma handles one string instead of thousands of parameters
// (a multi-row VALUES list or createMany costs ~0.4 ms per row in Prisma's JS engine here).
import type { Provider } from './migrate';

export type JsonColumnType = 'text' | 'int' | 'json' | 'timestamp';

export type JsonColumns = Record<string, JsonColumnType>;

const PG_TYPES: Record<JsonColumnType, string> = {
  text: 'text',
  int: 'integer',
  json: 'jsonb',
  timestamp: 'timestamp(3)',
};

/**
 * `SELECT <columns> FROM <the JSON array in parameter n>`, ready for INSERT ... SELECT.
 * (SQLite placeholders are positional: the array must be the n-th parameter passed.)
 */
export function selectFromJson(provider: Provider, columns: JsonColumns, n = 1): string {
  const names = Object.keys(columns);
  if (provider === 'postgresql') {
    const types = names.map((c) => `"${c}" ${PG_TYPES[columns[c]]}`).join(', ');
    return `SELECT ${names.map((c) => `x."${c}"`).join(', ')} FROM jsonb_to_recordset($${n}::jsonb) AS x(${types})`;
  }
  // json_extract gives objects back as JSON text, which is how SQLite stores Prisma's Json.
  // "WHERE true" keeps SQLite from reading a following ON CONFLICT as part of the SELECT.
  return `SELECT ${names.map((c) => `json_extract(value, '$.${c}')`).join(', ')} FROM json_each(?) WHERE true`;
}

/** `INSERT INTO "<table>" (<columns>) SELECT ...` of the JSON array in parameter 1; ON CONFLICT may follow. */
export function insertFromJson(provider: Provider, table: string, columns: JsonColumns): string {
  return `INSERT INTO "${table}" (${columnList(columns)}) ${selectFromJson(provider, columns)}`;
}

export function columnList(columns: JsonColumns): string {
  return Object.keys(columns)
    .map((c) => `"${c}"`)
    .join(', ');
}

/** A DateTime as Prisma writes it (SQLite text; PostgreSQL reads it as a UTC timestamp). */
export function dbTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/** `(SELECT ...)` listing the strings of the JSON array in parameter n, for `"col" IN <this>`. */
export function jsonStrings(provider: Provider, n = 1): string {
  return provider === 'postgresql'
    ? `(SELECT jsonb_array_elements_text($${n}::jsonb))`
    : '(SELECT value FROM json_each(?))';
}

/**
 * The JSON array in parameter `placeholder` as a table named `alias`, with one column per key,
 * for `UPDATE ... FROM <this> WHERE "Table"."id" = alias."id"` (both providers have UPDATE FROM).
 */
export function jsonTable(provider: Provider, columns: JsonColumns, placeholder: string, alias = 'x'): string {
  const names = Object.keys(columns);
  if (provider === 'postgresql') {
    const types = names.map((c) => `"${c}" ${PG_TYPES[columns[c]]}`).join(', ');
    return `jsonb_to_recordset(${placeholder}::jsonb) AS ${alias}(${types})`;
  }
  const values = names.map((c) => `json_extract(value, '$.${c}') AS "${c}"`).join(', ');
  return `(SELECT ${values} FROM json_each(${placeholder})) AS ${alias}`;
}
