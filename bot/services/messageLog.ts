// The record of every inbound and outbound message (Message rows). Rows of concurrent turns are
// written together (one createMany per batch); a turn awaits its own rows before it ends.
import type { Database, Prisma } from '../db/client';
import { Batcher } from '../db/batcher';

export type MessageRow = Prisma.MessageCreateManyInput;

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === 'P2002';
}

export class MessageLog {
  private readonly batcher: Batcher<MessageRow, null>;

  constructor(private readonly db: Database) {
    this.batcher = new Batcher((rows) => this.write(rows));
  }

  record(row: MessageRow): Promise<null> {
    return this.batcher.add(row);
  }

  drain(): Promise<void> {
    return this.batcher.drain();
  }

  private async write(rows: MessageRow[]): Promise<null[]> {
    try {
      await this.db.prisma.message.createMany({ data: rows });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // A provider id seen before (a message delivered twice) must not cost the others their row.
      for (const row of rows) {
        await this.db.prisma.message.create({ data: row }).catch((e) => {
          if (!isUniqueViolation(e)) throw e;
        });
      }
    }
    return rows.map(() => null);
  }
}
