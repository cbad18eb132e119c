// Meta's delivery statuses of our messages (sent, delivered, read, failed), applied to their
// outbound rows forward only. A status that arrives before its message's send is recorded is kept
// as a row of its own (direction "status") and applied when the send is (outboxStore.ts).
import type { Database } from '../../db/client';
import { SqlParams } from '../../db/rawSql';
import { urgentLane } from '../../db/serialized';
import type { DeliveryStatus, StatusEvent } from './webhook';
import { CHANNEL_ID } from './inbound';
import { CHANNEL, json, providerIdOf, textList } from './storeSql';

/** Where a status may take a message; it never goes back (a read may come before its delivered). */
const RANK: Record<string, number> = { queued: 0, sending: 1, sent: 2, failed: 3, delivered: 4, read: 5 };
const RANK_SQL = `CASE "status" ${Object.entries(RANK)
  .map(([s, r]) => `WHEN '${s}' THEN ${r}`)
  .join(' ')} ELSE 0 END`;

export interface AppliedStatus {
  id: number;
  status: DeliveryStatus;
  /** the failure this status reported (and recorded), if it did */
  failedWith?: number;
}

export class StatusStore {
  private readonly provider: Database['provider'];
  /** for what the webhook does before its 200 (SQLite: ahead of the queued statements) */
  private readonly urgent: Database['prisma'];

  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.provider = db.provider;
    this.urgent = urgentLane(db.prisma);
  }

  /**
   * Applies delivery statuses to our messages, forward only. A status whose message is not known
   * yet (its send is being recorded at this very moment) is kept and applied when it is.
   */
  async applyStatuses(statuses: StatusEvent[]): Promise<AppliedStatus[]> {
    const applied: AppliedStatus[] = [];
    for (const s of statuses) {
      const done = await this.applyStatus(s);
      if (done) {
        applied.push(done);
        continue;
      }
      await this.keepOrphan(s);
      // Recorded meanwhile? Then apply it now (the sender checks orphans after recording, too).
      const late = await this.applyStatus(s);
      if (late) {
        applied.push(late);
        await this.dropOrphans([s.wamid]);
      }
    }
    return applied;
  }

  private async applyStatus(s: StatusEvent): Promise<AppliedStatus | undefined> {
    const p = new SqlParams(this.provider);
    const rank = RANK[s.status];
    const failed = s.status === 'failed';
    const error = s.errors[0];
    const advancing = `${RANK_SQL} < ${rank}`;
    // Parameters are added where they appear, in order (SQLite's "?" are positional).
    const sets = [`"status" = CASE WHEN ${advancing} THEN '${s.status}' ELSE "status" END`];
    if (rank >= RANK.delivered) sets.push(`"deliveredAt" = COALESCE("deliveredAt", ${p.add(s.at, 'timestamp')})`);
    if (s.status === 'read') sets.push(`"readAt" = COALESCE("readAt", ${p.add(s.at, 'timestamp')})`);
    if (failed) {
      sets.push(
        `"failedAt" = CASE WHEN ${advancing} THEN ${p.add(s.at, 'timestamp')} ELSE "failedAt" END`,
        `"errorCode" = CASE WHEN ${advancing} THEN ${p.add(error?.code ?? null, 'int')} ELSE "errorCode" END`,
        `"errorTitle" = CASE WHEN ${advancing} THEN ${p.add(error?.title ?? null, 'text')} ELSE "errorTitle" END`,
      );
    }
    sets.push(`"updatedAt" = ${p.add(this.now(), 'timestamp')}`);
    const sql = `UPDATE "Message" SET ${sets.join(', ')}
      WHERE "providerId" = ${p.add(providerIdOf(s.wamid))} AND "direction" = 'out'
      RETURNING "id", "status", "errorCode"`;
    const rows = await this.urgent.$queryRawUnsafe<{ id: number; status: string; errorCode: number | null }[]>(
      sql,
      ...p.values,
    );
    if (!rows.length) return undefined;
    const row = rows[0];
    return {
      id: Number(row.id),
      status: s.status,
      ...(failed && row.status === 'failed' && row.errorCode !== null && { failedWith: Number(row.errorCode) }),
    };
  }

  private async keepOrphan(s: StatusEvent): Promise<void> {
    const p = new SqlParams(this.provider);
    const now = this.now();
    await this.urgent.$executeRawUnsafe(
      `INSERT INTO "Message" ("direction", "channel", "providerId", "status", "payload", "createdAt", "updatedAt")
        VALUES ('status', ${CHANNEL}, ${p.add(orphanId(s.wamid, s.status))}, ${p.add(s.status)},
          ${p.add(JSON.stringify({ ...s, at: s.at.toISOString() }), 'jsonb')},
          ${p.add(now, 'timestamp')}, ${p.add(now, 'timestamp')})
        ON CONFLICT DO NOTHING`,
      ...p.values,
    );
  }

  /** After sends were recorded: the statuses that had come before them. */
  async applyOrphans(wamids: string[]): Promise<AppliedStatus[]> {
    if (!wamids.length) return [];
    const ids = wamids.flatMap((w) => Object.keys(RANK).map((status) => orphanId(w, status)));
    const p = new SqlParams(this.provider);
    const list = textList(this.provider, p, ids);
    const orphans = await this.db.prisma.$queryRawUnsafe<{ id: number; payload: unknown }[]>(
      `SELECT "id", "payload" FROM "Message" WHERE "direction" = 'status' AND "providerId" IN ${list} ORDER BY "id"`,
      ...p.values,
    );
    if (!orphans.length) return [];
    const applied: AppliedStatus[] = [];
    for (const o of orphans) {
      const s = json(o.payload) as StatusEvent & { at: string };
      const done = await this.applyStatus({ ...s, at: new Date(s.at) });
      if (done) applied.push(done);
    }
    await this.dropOrphans([...new Set(orphans.map((o) => (json(o.payload) as StatusEvent).wamid))]);
    return applied;
  }

  private async dropOrphans(wamids: string[]) {
    const ids = wamids.flatMap((w) => Object.keys(RANK).map((status) => orphanId(w, status)));
    await this.db.prisma.message.deleteMany({ where: { direction: 'status', providerId: { in: ids } } });
  }

  /** Statuses of messages we never sent (sent from elsewhere on the same number), after a week. */
  async purgeOrphans(olderThanMs = 7 * 86400_000): Promise<number> {
    const { count } = await this.db.prisma.message.deleteMany({
      where: {
        direction: 'status',
        channel: CHANNEL_ID,
        createdAt: { lt: new Date(this.now().getTime() - olderThanMs) },
      },
    });
    return count;
  }
}

function orphanId(wamid: string, status: string): string {
  return `${CHANNEL_ID}-status:${status}:${wamid}`;
}
