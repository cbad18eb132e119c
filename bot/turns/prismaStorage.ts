// Bot Framework Storage over the BotState table, honouring eTags like the SDK's MemoryStorage:
// a write whose eTag is neither "*" nor empty must match the stored one, or it is refused.
// Reads and writes of concurrent turns are coalesced into one statement per batch (see Batcher).
// A channel that commits a whole turn at once (WhatsApp: state, replies and the message's
// "handled" mark in one transaction) marks the turn with `deferStateWrites`: the bot then hands
// the turn's state to it (see PasserelleBot) instead of writing it, and the channel writes it with
// `writeGroupsWithin` in its own transaction (the turns of many people at once: each turn's
// writes are taken whole, or not at all).
import crypto from 'node:crypto';
import type { Storage, StoreItems, TurnContext } from 'botbuilder-core';
import type { Database } from '../db/client';
import { Batcher } from '../db/batcher';
import { dbTimestamp, insertFromJson, jsonStrings, type JsonColumns } from '../db/jsonRows';
import { sqlReader } from '../db/sqlReads';
import { sqlTransaction, type SqlClient } from '../db/sqlTransaction';
import { readFromText, stateText, textToWrite } from './changeCheckedState';

interface Row {
  key: string;
  data: string;
  etag: string;
}

export interface WriteRequest {
  key: string;
  data: string;
  /** undefined or '*': overwrite whatever is stored */
  expected?: string;
  etag: string;
}

export class ETagConflictError extends Error {
  constructor(readonly key: string) {
    super(`Storage: eTag conflict writing "${key}": it was changed since it was read`);
    this.name = 'ETagConflictError';
  }
}

// eTags: unique per process (random prefix) and per write (counter), cheaper than random bytes.
const ETAG_PREFIX = crypto.randomBytes(6).toString('base64url');
let etagCounter = 0;
const nextETag = () => `${ETAG_PREFIX}.${(++etagCounter).toString(36)}`;

const COLUMNS: JsonColumns = { key: 'text', data: 'text', etag: 'text', updatedAt: 'timestamp' };

const DEFERRED = Symbol('passerelle.deferredStateWrites');

/** This turn's state is to be collected, not written: the returned list receives its writes. */
export function deferStateWrites(context: TurnContext): WriteRequest[] {
  const writes: WriteRequest[] = [];
  context.turnState.set(DEFERRED, writes);
  return writes;
}

/** Where this turn's state writes go, when a channel deferred them. */
export function deferredStateWrites(context: TurnContext): WriteRequest[] | undefined {
  return context.turnState.get(DEFERRED);
}

export class PrismaStorage implements Storage {
  private readonly reads: Batcher<string, Row | undefined>;
  private readonly writes: Batcher<WriteRequest, Error | null>;
  private readonly sql: { read: string; lock: string; upsert: string };

  constructor(private readonly db: Database) {
    this.reads = new Batcher((keys) => this.readBatch(keys));
    this.writes = new Batcher((requests) => this.writeBatch(requests));
    const keys = jsonStrings(db.provider);
    // FOR UPDATE keeps another PostgreSQL instance from writing these rows until we commit;
    // SQLite has a single writer, so its transaction is enough. Rows are locked, and new rows
    // inserted, in key order: two instances writing the same keys in different orders would
    // otherwise deadlock (PostgreSQL then aborts one batch, failing every turn in it).
    const lock = db.provider === 'postgresql' ? ' FOR UPDATE' : '';
    this.sql = {
      read: `SELECT "key", "data", "etag" FROM "BotState" WHERE "key" IN ${keys}`,
      lock: `SELECT "key", "etag" FROM "BotState" WHERE "key" IN ${keys} ORDER BY "key"${lock}`,
      upsert: `${insertFromJson(db.provider, 'BotState', COLUMNS)}
        ON CONFLICT ("key") DO UPDATE
          SET "data" = excluded."data", "etag" = excluded."etag", "updatedAt" = excluded."updatedAt"`,
    };
  }

  async read(keys: string[]): Promise<StoreItems> {
    const rows = await Promise.all(keys.map((k) => this.reads.add(k)));
    const items: StoreItems = {};
    for (const row of rows) {
      if (!row) continue;
      const item = { ...JSON.parse(row.data), eTag: row.etag };
      readFromText(item, row.data);
      items[row.key] = item;
    }
    return items;
  }

  /** The writes `changes` make (each with its new eTag), to write now or in a channel's commit. */
  prepare(changes: StoreItems): WriteRequest[] {
    return Object.entries(changes).map(([key, item]): WriteRequest => {
      const eTag = (item as { eTag?: string } | undefined)?.eTag;
      // (the text the save compared, when it just made it; else the state's text, eTag left out)
      const text = (item && textToWrite(item)) ?? stateText(item ?? {});
      return { key, data: text, expected: eTag && eTag !== '*' ? eTag : undefined, etag: nextETag() };
    });
  }

  async write(changes: StoreItems): Promise<void> {
    const results = await Promise.all(this.prepare(changes).map((r) => this.writes.add(r)));
    const error = results.find((r) => r !== null);
    if (error) throw error;
  }

  /**
   * Writes collected state inside the caller's transaction, a group (one turn's writes) at a
   * time: a group with a stale eTag is not written at all. Says which groups were written.
   */
  async writeGroupsWithin(tx: SqlClient, groups: WriteRequest[][]): Promise<boolean[]> {
    const all = groups.flat();
    if (!all.length) return groups.map(() => true);
    const keys = [...new Set(all.map((r) => r.key))];
    const current = await tx.$queryRawUnsafe<{ key: string; etag: string }[]>(this.sql.lock, JSON.stringify(keys));
    const etags = new Map(current.map((r) => [r.key, r.etag]));
    const accepted = new Map<string, WriteRequest>();
    const written = groups.map((group) => {
      if (group.some((r) => r.expected !== undefined && etags.has(r.key) && etags.get(r.key) !== r.expected))
        return false;
      for (const r of group) {
        etags.set(r.key, r.etag);
        accepted.set(r.key, r);
      }
      return true;
    });
    await this.upsert(tx, [...accepted.values()]);
    return written;
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length) await this.db.prisma.botState.deleteMany({ where: { key: { in: keys } } });
  }

  private async readBatch(keys: string[]): Promise<(Row | undefined)[]> {
    // (past Prisma's client, as the other reads of every turn: bot/db/sqlReads.ts; the last write of
    // a conversation's state is committed before its next turn reads it)
    const rows = await sqlReader(this.db.prisma).rows<Row>(this.sql.read, [JSON.stringify([...new Set(keys)])]);
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return keys.map((k) => byKey.get(k));
  }

  private async writeBatch(requests: WriteRequest[]): Promise<(Error | null)[]> {
    // (on SQLite, on the connection itself: bot/db/sqlTransaction.ts)
    return sqlTransaction(this.db.prisma, (tx) => this.writeRows(tx, requests));
  }

  private async writeRows(tx: SqlClient, requests: WriteRequest[]): Promise<(Error | null)[]> {
    const keys = [...new Set(requests.map((r) => r.key))];
    const current = await tx.$queryRawUnsafe<{ key: string; etag: string }[]>(this.sql.lock, JSON.stringify(keys));
    const etags = new Map(current.map((r) => [r.key, r.etag]));
    const accepted = new Map<string, WriteRequest>();
    const results = requests.map((r) => {
      const stored = etags.get(r.key);
      if (r.expected !== undefined && stored !== undefined && stored !== r.expected) {
        return new ETagConflictError(r.key);
      }
      etags.set(r.key, r.etag);
      accepted.set(r.key, r); // the last accepted write of a key wins, in order
      return null;
    });
    await this.upsert(tx, [...accepted.values()]);
    return results;
  }

  /** New rows in key order (the lock order: two instances never wait for each other in a circle). */
  private async upsert(tx: SqlClient, accepted: WriteRequest[]) {
    if (!accepted.length) return;
    const updatedAt = dbTimestamp(new Date());
    const rows = accepted
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((r) => ({ key: r.key, data: r.data, etag: r.etag, updatedAt }));
    await tx.$executeRawUnsafe(this.sql.upsert, JSON.stringify(rows));
  }
}
