// The record of every inbound and outbound message (Message rows). Rows of concurrent turns are
// written together, one statement per batch; a turn awaits its own rows before it ends. A row
// whose provider id (or dedupe key) is already stored is skipped: a message delivered twice is
// recorded once, and never costs the other rows of its batch their place.
import type { Database } from '../db/client';
import { Batcher } from '../db/batcher';
import { columnList, dbTimestamp, insertFromJson, type JsonColumns } from '../db/jsonRows';
import { sqliteRowWriter } from '../db/sqliteWrites';

export interface MessageRecord {
  direction: 'in' | 'out';
  channel: string;
  conversationId?: string | null;
  conversationRefId?: number | null;
  beneficiaryId?: number | null;
  contactId?: number | null;
  providerId?: string | null;
  /** reply | broadcast | reminder | checkin | attendance | system (default reply) */
  kind?: string;
  status: string;
  payload: Record<string, unknown>;
}

const COLUMNS: JsonColumns = {
  direction: 'text',
  channel: 'text',
  conversationId: 'text',
  conversationRefId: 'int',
  beneficiaryId: 'int',
  contactId: 'int',
  providerId: 'text',
  kind: 'text',
  status: 'text',
  payload: 'json',
  sentAt: 'timestamp',
  createdAt: 'timestamp',
  updatedAt: 'timestamp',
};

/** The columns in their order, for one row's values (SQLite). */
const NAMES = Object.keys(COLUMNS) as (keyof MessageRecord | 'sentAt' | 'createdAt' | 'updatedAt')[];

export class MessageLog {
  private readonly batcher: Batcher<MessageRecord, null>;
  private readonly sql: string;
  /** one row's INSERT (SQLite, written directly) */
  private readonly rowSql: string;

  constructor(private readonly db: Database) {
    this.batcher = new Batcher((rows) => this.write(rows), 200);
    this.sql = `${insertFromJson(db.provider, 'Message', COLUMNS)} ON CONFLICT DO NOTHING`;
    this.rowSql =
      `INSERT INTO "Message" (${columnList(COLUMNS)}) VALUES (${NAMES.map(() => '?').join(', ')}) ` +
      'ON CONFLICT DO NOTHING';
  }

  record(row: MessageRecord): Promise<null> {
    return this.batcher.add(row);
  }

  drain(): Promise<void> {
    return this.batcher.drain();
  }

  private async write(rows: MessageRecord[]): Promise<null[]> {
    const now = dbTimestamp(new Date());
    const records = rows.map((r) => ({
      ...r,
      kind: r.kind ?? 'reply',
      sentAt: r.direction === 'out' && r.status === 'sent' ? now : null,
      createdAt: now,
      updatedAt: now,
    }));
    // SQLite: each row by a prepared statement on the connection itself (bot/db/sqliteWrites.ts)
    const direct = sqliteRowWriter(this.db.prisma);
    if (direct) {
      await direct.insertEach(
        this.rowSql,
        records.map((r) => NAMES.map((c) => (c === 'payload' ? JSON.stringify(r.payload) : (r[c] ?? null)))),
      );
    } else await this.db.prisma.$executeRawUnsafe(this.sql, JSON.stringify(records));
    return rows.map(() => null);
  }
}
