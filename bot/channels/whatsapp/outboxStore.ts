// The WhatsApp outbox, in the Message table (direction "out"): queued -> sending (claimed, with a
// lease) -> sent -> delivered -> read, or failed with Meta's code; a queued row without a next
// attempt time is parked: it waits for the person to write (outside the 24-hour window, or after
// "stop"). What became of each send is group-committed (settle); statuses that had come before
// their send was recorded are applied then (statusStore.ts).
import type { Database } from '../../db/client';
import { Batcher } from '../../db/batcher';
import { retryLostRaces } from '../../db/retry';
import { dbTimestamp, insertFromJson, jsonTable, type JsonColumns } from '../../db/jsonRows';
import { SqlParams } from '../../db/rawSql';
import { sqlReader } from '../../db/sqlReads';
import { sqlStatement, sqlTransaction } from '../../db/sqlTransaction';
import { CHANNEL_ID } from './inbound';
import type { AppliedStatus, StatusStore } from './statusStore';
import { CHANNEL, idList, json, MESSAGE_COLUMNS, providerIdOf, type Tx } from './storeSql';
import { listens, voiceModeOf } from '../../voice/voiceMiddleware';

export interface NewOutbound {
  /** the person's key on WhatsApp (wa_id or business-scoped id) */
  to: string;
  beneficiaryId?: number | null;
  contactId?: number | null;
  /** reply | notification | broadcast | reminder | checkin | attendance */
  kind: string;
  payload: Record<string, unknown>;
  /** null: parked until the person writes */
  nextAttemptAt: Date | null;
  dedupeKey?: string;
}

/** An outbound row claimed for sending, with what the sender needs to know about its person. */
export interface ClaimedOutbound {
  id: number;
  to: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  beneficiaryId: number | null;
  contactId: number | null;
  optedOut: boolean;
  /** a beneficiary who hears the bot, as their case says (voiceMode "listen", or reads little or not at all) */
  listens: boolean;
  language: string | null;
  firstName: string | null;
  lastInboundAt: Date | null;
  /** when Meta's pair rate lets this person's next message go, as the last sender recorded it */
  paceDueAt: Date | null;
  createdAt: Date;
}

export type Settlement = (
  | { id: number; outcome: 'sent'; providerId: string; payload: Record<string, unknown>; to: string | null }
  | { id: number; outcome: 'retry'; at: Date; errorCode?: number; errorTitle?: string }
  | { id: number; outcome: 'failed'; errorCode?: number; errorTitle?: string }
  /** not tried: back in the queue at `at` (null: parked until the person writes) */
  | { id: number; outcome: 'release'; at: Date | null }
) & {
  /** the person's pair-rate due time after this message (their ConversationRef.paceDueAt) */
  pace?: { to: string; due: Date };
};

const OUTBOUND_COLUMNS: JsonColumns = {
  ...MESSAGE_COLUMNS,
  beneficiaryId: 'int',
  contactId: 'int',
  nextAttemptAt: 'timestamp',
  dedupeKey: 'text',
};

export class OutboxStore {
  private readonly settlements: Batcher<Settlement, null>;
  private readonly provider: Database['provider'];
  /** told of statuses that had come before their message's send was recorded, once applied */
  onLateStatuses?: (applied: AppliedStatus[]) => void;
  /** told when a batch of the people's pace could not be written (recordPace) */
  onPaceNotRecorded?: (err: Error) => void;

  constructor(
    private readonly db: Database,
    private readonly statuses: StatusStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.provider = db.provider;
    this.settlements = new Batcher((rows) => this.settleBatch(rows), 500);
  }

  /** Adds messages to the outbox, in the caller's transaction when it gives one. */
  async enqueue(tx: Tx | undefined, rows: NewOutbound[]): Promise<void> {
    if (!rows.length) return;
    const now = dbTimestamp(this.now());
    const data = rows.map((r) => ({
      direction: 'out',
      channel: CHANNEL_ID,
      conversationId: r.to,
      beneficiaryId: r.beneficiaryId ?? null,
      contactId: r.contactId ?? null,
      kind: r.kind,
      status: 'queued',
      payload: r.payload,
      nextAttemptAt: r.nextAttemptAt && dbTimestamp(r.nextAttemptAt),
      dedupeKey: r.dedupeKey ?? null,
      createdAt: now,
      updatedAt: now,
    }));
    const sql = `${insertFromJson(this.provider, 'Message', OUTBOUND_COLUMNS)} ON CONFLICT DO NOTHING`;
    await (tx ?? this.db.prisma).$executeRawUnsafe(sql, JSON.stringify(data));
  }

  /** Meta said the person's window is closed (131047): this message goes as a template, or waits. */
  async markWindowClosed(id: number, at: Date): Promise<void> {
    const row = await this.db.prisma.message.findUnique({ where: { id }, select: { payload: true } });
    if (!row) return;
    await this.db.prisma.message.update({
      where: { id },
      data: { payload: { ...(row.payload as object), windowClosedAt: at.getTime() } },
    });
  }

  /**
   * A free-form message Meta failed afterwards with 131047: a copy goes again as its template (or
   * waits for the person). Once per message, however often the status is delivered.
   */
  async requeueWindowClosed(id: number, at: Date): Promise<boolean> {
    const row = await this.db.prisma.message.findUnique({ where: { id } });
    if (!row || row.direction !== 'out') return false;
    const payload = row.payload as Record<string, unknown>;
    if (payload.sentAs || payload.form === 'nudge' || payload.forgotten) return false; // it was a template already
    const before = await this.db.prisma.message.count({ where: { dedupeKey: `whatsapp:reengage:${id}` } });
    await this.enqueue(undefined, [
      {
        to: row.conversationId!,
        beneficiaryId: row.beneficiaryId,
        contactId: row.contactId,
        kind: row.kind,
        payload: { ...payload, windowClosedAt: at.getTime(), retryOf: id },
        nextAttemptAt: at,
        dedupeKey: `whatsapp:reengage:${id}`,
      },
    ]);
    return before === 0;
  }

  /**
   * Claims up to `limit` messages that are due, at most one per person and always a person's
   * oldest one not yet sent: so a person's messages go out in order, even across instances.
   */
  async claimOutbound(limit: number, leaseMs: number): Promise<ClaimedOutbound[]> {
    const now = this.now();
    const p = new SqlParams(this.provider);
    const lock = this.provider === 'postgresql' ? ' FOR UPDATE SKIP LOCKED' : '';
    // (Parameters are added in the order they appear: SQLite's "?" are positional.)
    // The oldest due rows, in two parts that the (direction, status, nextAttemptAt) index reads
    // in order, a few more than asked (some wait behind a person's earlier message): with an OR,
    // or sorting every due row, each claim would read the whole backlog. Whether an earlier message
    // of the person still has to go out is two look-ups of the (conversationId, direction, status,
    // id) index, one per status: with an OR, SQLite walked all the person's messages for each row.
    // On PostgreSQL, a row another instance claimed between this statement's snapshot and its lock
    // is re-checked against its new version, but only on the conditions about m itself (not those
    // of the derived tables, read in the old snapshot): so m states its claimable state too.
    const take = limit * 4;
    const sql = `UPDATE "Message" SET "status" = 'sending',
        "claimedUntil" = ${p.add(new Date(now.getTime() + leaseMs), 'timestamp')},
        "attempts" = "attempts" + 1, "updatedAt" = ${p.add(now, 'timestamp')}
      WHERE "id" IN (SELECT m."id" FROM "Message" m
        WHERE ((m."status" = 'queued' AND m."nextAttemptAt" <= ${p.add(now, 'timestamp')})
            OR (m."status" = 'sending' AND m."claimedUntil" < ${p.add(now, 'timestamp')}))
          AND m."id" IN (
            SELECT "id" FROM (SELECT d."id" FROM "Message" d
              WHERE d."direction" = 'out' AND d."status" = 'queued' AND d."nextAttemptAt" <= ${p.add(now, 'timestamp')}
              AND d."channel" = ${CHANNEL} ORDER BY d."nextAttemptAt" LIMIT ${p.add(take, 'int')}) AS due
            UNION ALL
            SELECT "id" FROM (SELECT d."id" FROM "Message" d
              WHERE d."direction" = 'out' AND d."status" = 'sending' AND d."claimedUntil" < ${p.add(now, 'timestamp')}
              AND d."channel" = ${CHANNEL} LIMIT ${p.add(take, 'int')}) AS lapsed)
          AND NOT EXISTS (SELECT 1 FROM "Message" e
            WHERE e."conversationId" = m."conversationId" AND e."direction" = 'out' AND e."status" = 'sending'
            AND e."id" < m."id" AND e."channel" = ${CHANNEL})
          -- (a reply waiting to be retried holds back what follows; a proactive message waiting for the
          -- end of the quiet hours does not hold back the replies of the night, nor does a parked one)
          AND NOT EXISTS (SELECT 1 FROM "Message" e
            WHERE e."conversationId" = m."conversationId" AND e."direction" = 'out' AND e."status" = 'queued'
            AND e."id" < m."id" AND e."channel" = ${CHANNEL} AND e."nextAttemptAt" IS NOT NULL
            AND (e."kind" = 'reply' OR e."nextAttemptAt" <= ${p.add(now, 'timestamp')}))
        ORDER BY m."id" LIMIT ${p.add(limit, 'int')}${lock})
      RETURNING "id"`;
    const claimed = await sqlStatement<{ id: number }>(this.db.prisma, sql, p.values);
    if (!claimed.length) return [];
    const q = new SqlParams(this.provider);
    const list = idList(
      this.provider,
      q,
      claimed.map((r) => Number(r.id)),
    );
    // (read past Prisma, bot/db/sqlReads.ts: the claim above is committed)
    const rows = await sqlReader(this.db.prisma).rows<{
      id: number;
      conversationId: string;
      kind: string;
      payload: unknown;
      attempts: number;
      beneficiaryId: number | null;
      contactId: number | null;
      optedOutAt: Date | null;
      language: string | null;
      firstName: string | null;
      reads: string | null;
      voiceMode: string | null;
      lastInboundAt: Date | string | null;
      paceDueAt: Date | string | null;
      createdAt: Date | string;
    }>(
      // The person is a beneficiary, or an employer contact (contactId, no beneficiaryId).
      `SELECT m."id", m."conversationId", m."kind", m."payload", m."attempts", m."beneficiaryId", m."contactId",
          m."createdAt",
          COALESCE(b."optedOutAt", c."optedOutAt") AS "optedOutAt", COALESCE(b."language", c."language") AS "language",
          COALESCE(b."firstName", c."firstName") AS "firstName", b."reads", b."voiceMode", r."lastInboundAt",
          r."paceDueAt"
        FROM "Message" m
        LEFT JOIN "Beneficiary" b ON b."id" = m."beneficiaryId"
        LEFT JOIN "Contact" c ON c."id" = m."contactId"
        LEFT JOIN "ConversationRef" r ON r."channel" = ${CHANNEL} AND r."userKey" = m."conversationId"
        WHERE m."id" IN ${list} ORDER BY m."id"`,
      q.values,
    );
    return rows.map((r) => ({
      id: Number(r.id),
      to: r.conversationId,
      kind: r.kind,
      payload: json(r.payload) as Record<string, unknown>,
      attempts: Number(r.attempts),
      beneficiaryId: r.beneficiaryId === null ? null : Number(r.beneficiaryId),
      contactId: r.contactId === null ? null : Number(r.contactId),
      optedOut: r.optedOutAt !== null,
      listens: listens({ voice: voiceModeOf(r.voiceMode), reads: r.reads ?? undefined }),
      language: r.language,
      firstName: r.firstName,
      lastInboundAt: r.lastInboundAt === null ? null : new Date(r.lastInboundAt),
      paceDueAt: r.paceDueAt === null ? null : new Date(r.paceDueAt),
      createdAt: new Date(r.createdAt),
    }));
  }

  /** Records what became of a claimed message (group-committed with the other sends of the moment). */
  settle(s: Settlement): Promise<null> {
    return this.settlements.add(s);
  }

  drain(): Promise<void> {
    return this.settlements.drain();
  }

  private async settleBatch(all: Settlement[]): Promise<null[]> {
    const now = this.now();
    const by = <K extends Settlement['outcome']>(k: K) =>
      all.filter((s): s is Extract<Settlement, { outcome: K }> => s.outcome === k);
    const sent = by('sent');
    // every settlement ends the claim (the time a parameter: the statement's text is the same every
    // time, compiled once, bot/db/statementCache.ts)
    const unclaimed = (p: SqlParams) => `"claimedUntil" = NULL, "updatedAt" = ${p.add(now, 'timestamp')}`;
    // (A deadlock or a write conflict lost to a turn is tried again: a send not recorded would go twice.)
    await retryLostRaces(() =>
      sqlTransaction(this.db.prisma, async (tx) => {
        if (sent.length) {
          await this.updateFrom(
            tx,
            { id: 'int', providerId: 'text', payload: 'json', to: 'text' },
            sent.map((s) => ({ id: s.id, providerId: providerIdOf(s.providerId), payload: s.payload, to: s.to })),
            (p) =>
              `"status" = 'sent', "providerId" = x."providerId", "payload" = x."payload", "conversationId" = x."to", ` +
              `"sentAt" = ${p.add(now, 'timestamp')}, "errorCode" = NULL, "errorTitle" = NULL, ${unclaimed(p)}`,
          );
        }
        const retry = by('retry');
        if (retry.length) {
          await this.updateFrom(
            tx,
            { id: 'int', at: 'timestamp', code: 'int', title: 'text' },
            retry.map((s) => ({
              id: s.id,
              at: dbTimestamp(s.at),
              code: s.errorCode ?? null,
              title: s.errorTitle ?? null,
            })),
            (p) => `"status" = 'queued', "nextAttemptAt" = x."at", "errorCode" = x."code", "errorTitle" = x."title",
            ${unclaimed(p)}`,
          );
        }
        const failed = by('failed');
        if (failed.length) {
          await this.updateFrom(
            tx,
            { id: 'int', code: 'int', title: 'text' },
            failed.map((s) => ({ id: s.id, code: s.errorCode ?? null, title: s.errorTitle ?? null })),
            (p) => `"status" = 'failed', "failedAt" = ${p.add(now, 'timestamp')}, "errorCode" = x."code",
              "errorTitle" = x."title", ${unclaimed(p)}`,
          );
        }
        const released = by('release');
        if (released.length) {
          await this.updateFrom(
            tx,
            { id: 'int', at: 'timestamp' },
            released.map((s) => ({ id: s.id, at: s.at && dbTimestamp(s.at) })),
            (p) => `"status" = 'queued', "nextAttemptAt" = x."at", "attempts" = "attempts" - 1, ${unclaimed(p)}`,
          );
        }
      }),
    );
    await this.recordPace(all);
    if (sent.length) {
      // Statuses that came before these sends were recorded (rare: checked with one query).
      const late = await this.statuses.applyOrphans(sent.map((s) => s.providerId));
      if (late.length) this.onLateStatuses?.(late);
    }
    return all.map(() => null);
  }

  /**
   * The people's pace after these sends (ConversationRef.paceDueAt), once the sends are recorded,
   * in a statement of its own: a turn's transaction locks a person's ConversationRef, then their
   * messages; taking them the other way round in one transaction deadlocked. Should it fail, the
   * sends stay recorded and only this instance knows the pace until the next send. On SQLite (one
   * process) the sender's memory is the whole story: nothing to write.
   */
  private async recordPace(all: Settlement[]) {
    if (this.provider !== 'postgresql') return;
    const paced = all.filter((s) => s.pace);
    if (!paced.length) return;
    const p = new SqlParams(this.provider);
    const rows = paced.map((s) => ({ to: s.pace!.to, due: dbTimestamp(s.pace!.due) }));
    const table = jsonTable(this.provider, { to: 'text', due: 'timestamp' }, p.add(JSON.stringify(rows)));
    await this.db.prisma
      .$executeRawUnsafe(
        `UPDATE "ConversationRef" SET "paceDueAt" = x."due" FROM ${table}
          WHERE "ConversationRef"."channel" = ${CHANNEL} AND "ConversationRef"."userKey" = x."to"`,
        ...p.values,
      )
      .catch((err: Error) => this.onPaceNotRecorded?.(err));
  }

  /** UPDATE "Message" SET <set> FROM <rows as a table x> WHERE id = x.id AND it is still being sent. */
  private async updateFrom(
    tx: Tx,
    columns: JsonColumns,
    rows: Record<string, unknown>[],
    set: (p: SqlParams) => string,
  ) {
    const p = new SqlParams(this.provider);
    // (SQLite's parameters are positional: the SET clause's come first)
    const assignments = set(p);
    const table = jsonTable(this.provider, columns, p.add(JSON.stringify(rows)));
    await tx.$executeRawUnsafe(
      `UPDATE "Message" SET ${assignments} FROM ${table}
        WHERE "Message"."id" = x."id" AND "Message"."status" = 'sending'`,
      ...p.values,
    );
  }

  /** A notification row the notifier hands to this channel: queued in the WhatsApp outbox for `to`. */
  async adoptNotification(id: number, to: string): Promise<boolean> {
    const { count } = await this.db.prisma.message.updateMany({
      where: { id, status: 'sending' },
      data: {
        channel: CHANNEL_ID,
        conversationId: to,
        status: 'queued',
        claimedUntil: null,
        nextAttemptAt: this.now(),
      },
    });
    return count === 1;
  }
}
