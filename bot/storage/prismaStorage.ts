// Bot Framework Storage over the BotState table, honouring eTags like the SDK's MemoryStorage:
// a write whose eTag is neither "*" nor empty must match the stored one, or it is refused.
// Reads and writes of concurrent turns are coalesced into one statement per batch (see Batcher).
import crypto from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { Database } from '../db/client';
import { Batcher } from '../db/batcher';
import { inList, valuesList } from '../db/sql';

interface Row {
  key: string;
  data: string;
  etag: string;
}

interface WriteRequest {
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

export class PrismaStorage implements Storage {
  private readonly reads: Batcher<string, Row | undefined>;
  private readonly writes: Batcher<WriteRequest, Error | null>;

  constructor(private readonly db: Database) {
    this.reads = new Batcher((keys) => this.readBatch(keys));
    this.writes = new Batcher((requests) => this.writeBatch(requests));
  }

  async read(keys: string[]): Promise<StoreItems> {
    const rows = await Promise.all(keys.map((k) => this.reads.add(k)));
    const items: StoreItems = {};
    for (const row of rows) {
      if (row) items[row.key] = { ...JSON.parse(row.data), eTag: row.etag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    const results = await Promise.all(
      Object.entries(changes).map(([key, item]) => {
        const { eTag, ...data } = (item ?? {}) as { eTag?: string };
        return this.writes.add({
          key,
          data: JSON.stringify(data),
          expected: eTag && eTag !== '*' ? eTag : undefined,
          etag: crypto.randomBytes(9).toString('base64url'),
        });
      }),
    );
    const error = results.find((r) => r !== null);
    if (error) throw error;
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length) await this.db.prisma.botState.deleteMany({ where: { key: { in: keys } } });
  }

  private async readBatch(keys: string[]): Promise<(Row | undefined)[]> {
    const unique = [...new Set(keys)];
    const rows = await this.db.prisma.$queryRawUnsafe<Row[]>(
      `SELECT "key", "data", "etag" FROM "BotState" WHERE "key" IN (${inList(this.db.provider, unique.length)})`,
      ...unique,
    );
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return keys.map((k) => byKey.get(k));
  }

  private async writeBatch(requests: WriteRequest[]): Promise<(Error | null)[]> {
    const provider = this.db.provider;
    const keys = [...new Set(requests.map((r) => r.key))];
    return this.db.prisma.$transaction(async (tx) => {
      // FOR UPDATE keeps another PostgreSQL instance from writing these rows until we commit;
      // SQLite has a single writer, so its transaction is enough. Rows are locked, and new rows
      // inserted, in key order: two instances writing the same keys in different orders would
      // otherwise deadlock (PostgreSQL then aborts one batch, failing every turn in it).
      const lock = provider === 'postgresql' ? ' FOR UPDATE' : '';
      const current = await tx.$queryRawUnsafe<{ key: string; etag: string }[]>(
        `SELECT "key", "etag" FROM "BotState" WHERE "key" IN (${inList(provider, keys.length)}) ORDER BY "key"${lock}`,
        ...keys,
      );
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
      if (accepted.size) {
        const now = new Date();
        const rows = [...accepted.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        const params = rows.flatMap((r) => [r.key, r.data, r.etag, now]);
        await tx.$executeRawUnsafe(
          `INSERT INTO "BotState" ("key", "data", "etag", "updatedAt") VALUES ${valuesList(provider, accepted.size, 4)}
           ON CONFLICT ("key") DO UPDATE SET "data" = excluded."data", "etag" = excluded."etag", "updatedAt" = excluded."updatedAt"`,
          ...params,
        );
      }
      return results;
    });
  }
}
