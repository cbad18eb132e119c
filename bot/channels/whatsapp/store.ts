// The WhatsApp channel's rows in the case database, all in the Message table:
// - inbound: every message is stored when its webhook arrives (status queued; its provider id,
//   "whatsapp:<wamid>", is unique, so a delivery Meta repeats is stored once), claimed by one
//   instance for processing (processing, with a lease), then handled (received);
// - outbound, the outbox: queued -> sending (claimed, with a lease) -> sent -> delivered -> read,
//   or failed with Meta's code; a queued row without a next attempt time is parked: it waits for
//   the person to write (outside the 24-hour window, or after "stop");
// - statuses that arrive before their message's send is recorded (direction "status"), applied
//   when it is.
// Hot statements are hand-written SQL with the rows as one JSON parameter (see db/jsonRows.ts):
// Prisma's per-query cost would otherwise dominate at hundreds of messages a second.
import type { Database, Prisma } from '../../db/client';
import { Batcher } from '../../db/batcher';
import { columnList, dbTimestamp, jsonTable, selectFromJson, type JsonColumns } from '../../db/jsonRows';
import { SqlParams } from '../../db/rawSql';
import { urgentLane } from '../../db/serialized';
import type { PrismaStorage, WriteRequest } from '../../storage/prismaStorage';
import type { DeliveryStatus, InboundEvent, StatusEvent } from './webhook';
import { CHANNEL_ID } from './inbound';

const CHANNEL = `'${CHANNEL_ID}'`;

export interface QueuedInbound {
  id: number;
  event: InboundEvent;
}

export interface ClaimedInbound {
  event: InboundEvent;
  /** this claim included */
  attempts: number;
  /** when the webhook brought it */
  receivedAt: Date;
}

export interface TurnCommit {
  /** the turn's state writes (collected by deferStateWrites) */
  writes: WriteRequest[];
  replies: NewOutbound[];
  /** the message the turn handled, and what we keep of it */
  inbound?: { id: number; to: string; payload: Record<string, unknown>; beneficiaryId?: number; contactId?: number; forget: boolean };
  /** when the person wrote, with their ids (the 24-hour window, their other id) */
  touch?: { event: InboundEvent; receivedAt: Date };
}

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
  language: string | null;
  firstName: string | null;
  lastInboundAt: Date | null;
  createdAt: Date;
}

export type Settlement =
  | { id: number; outcome: 'sent'; providerId: string; payload: Record<string, unknown>; to: string | null }
  | { id: number; outcome: 'retry'; at: Date; errorCode?: number; errorTitle?: string }
  | { id: number; outcome: 'failed'; errorCode?: number; errorTitle?: string }
  /** not tried: back in the queue at `at` (null: parked until the person writes) */
  | { id: number; outcome: 'release'; at: Date | null };

/** Where a status may take a message; it never goes back (a read may come before its delivered). */
const RANK: Record<string, number> = { queued: 0, sending: 1, sent: 2, failed: 3, delivered: 4, read: 5 };
const RANK_SQL = `CASE "status" ${Object.entries(RANK).map(([s, r]) => `WHEN '${s}' THEN ${r}`).join(' ')} ELSE 0 END`;

export interface AppliedStatus {
  id: number;
  status: DeliveryStatus;
  /** the failure this status reported (and recorded), if it did */
  failedWith?: number;
}

const INBOUND_COLUMNS: JsonColumns = {
  direction: 'text',
  channel: 'text',
  conversationId: 'text',
  providerId: 'text',
  kind: 'text',
  status: 'text',
  payload: 'json',
  createdAt: 'timestamp',
  updatedAt: 'timestamp',
};

const REF_COLUMNS: JsonColumns = {
  channel: 'text',
  userKey: 'text',
  altUserKey: 'text',
  conversationId: 'text',
  serviceUrl: 'text',
  reference: 'json',
  lastInboundAt: 'timestamp',
  createdAt: 'timestamp',
  updatedAt: 'timestamp',
};

const OUTBOUND_COLUMNS: JsonColumns = {
  direction: 'text',
  channel: 'text',
  conversationId: 'text',
  beneficiaryId: 'int',
  contactId: 'int',
  kind: 'text',
  status: 'text',
  payload: 'json',
  nextAttemptAt: 'timestamp',
  dedupeKey: 'text',
  createdAt: 'timestamp',
  updatedAt: 'timestamp',
};

type Tx = Pick<Prisma.TransactionClient, '$executeRawUnsafe' | '$queryRawUnsafe'>;

export function providerIdOf(wamid: string): string {
  return `${CHANNEL_ID}:${wamid}`;
}

export class WhatsAppStore {
  private readonly inserts: Batcher<InboundEvent, number | undefined>;
  private readonly settlements: Batcher<Settlement, null>;
  private readonly claims: Batcher<number, ClaimedInbound | undefined>;
  private readonly commits: Batcher<TurnCommit, boolean>;
  private readonly provider: Database['provider'];
  /** for what the webhook does before its 200 (SQLite: ahead of the queued statements) */
  private readonly urgent: Database['prisma'];
  /** told of statuses that had come before their message's send was recorded, once applied */
  onLateStatuses?: (applied: AppliedStatus[]) => void;

  constructor(
    private readonly db: Database,
    private readonly storage: PrismaStorage,
    /** how long a claim holds, ms */
    private readonly leaseMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.provider = db.provider;
    this.urgent = urgentLane(db.prisma);
    this.inserts = new Batcher((events) => this.insertInbound(events), 200);
    this.claims = new Batcher((ids) => this.claimBatch(ids), 200);
    this.commits = new Batcher((turns) => this.commitBatch(turns), 100);
    this.settlements = new Batcher((rows) => this.settleBatch(rows), 500);
  }

  // ---- inbound ----

  /** Stores a webhook's messages; resolves with the rows that are new (not seen before). */
  async storeInbound(events: InboundEvent[]): Promise<QueuedInbound[]> {
    const ids = await Promise.all(events.map((e) => this.inserts.add(e)));
    return events.flatMap((event, i) => (ids[i] === undefined ? [] : [{ id: ids[i]!, event }]));
  }

  private async insertInbound(events: InboundEvent[]): Promise<(number | undefined)[]> {
    const now = dbTimestamp(this.now());
    const rows = events.map((e) => ({
      direction: 'in',
      channel: CHANNEL_ID,
      conversationId: e.userKey,
      providerId: providerIdOf(e.wamid),
      kind: 'reply',
      status: 'queued',
      payload: { event: e },
      createdAt: now,
      updatedAt: now,
    }));
    const p = new SqlParams(this.provider);
    const sql = `INSERT INTO "Message" (${columnList(INBOUND_COLUMNS)}) ${selectFromJson(this.provider, INBOUND_COLUMNS)}
      ON CONFLICT DO NOTHING RETURNING "id", "providerId"`;
    p.add(JSON.stringify(rows));
    const inserted = await this.urgent.$queryRawUnsafe<{ id: number; providerId: string }[]>(sql, ...p.values);
    const byProvider = new Map(inserted.map((r) => [r.providerId, Number(r.id)]));
    // The same message twice in one batch: the first one only.
    return rows.map((r) => {
      const id = byProvider.get(r.providerId);
      byProvider.delete(r.providerId);
      return id;
    });
  }

  /**
   * Takes a stored message for processing: only when no earlier message of the same person is
   * still waiting (a person's messages are handled in order, whichever instance stored them).
   * Claims of the moment share one statement.
   */
  claimInbound(id: number): Promise<ClaimedInbound | undefined> {
    return this.claims.add(id);
  }

  private async claimBatch(ids: number[]): Promise<(ClaimedInbound | undefined)[]> {
    const now = this.now();
    const p = new SqlParams(this.provider);
    const sql = `UPDATE "Message" SET "status" = 'processing', "claimedUntil" = ${p.add(new Date(now.getTime() + this.leaseMs), 'timestamp')},
        "attempts" = "attempts" + 1, "updatedAt" = ${p.add(now, 'timestamp')}
      WHERE "id" IN ${idList(this.provider, p, ids)} AND "direction" = 'in' AND "channel" = ${CHANNEL}
        AND ("status" = 'queued' OR ("status" = 'processing' AND "claimedUntil" < ${p.add(now, 'timestamp')}))
        AND NOT EXISTS (SELECT 1 FROM "Message" e WHERE e."conversationId" = "Message"."conversationId" AND e."channel" = ${CHANNEL}
          AND e."direction" = 'in' AND e."id" < "Message"."id"
          AND (e."status" = 'queued' OR (e."status" = 'processing' AND e."claimedUntil" >= ${p.add(now, 'timestamp')})))
      RETURNING "id", "payload", "attempts", "createdAt"`;
    const rows = await this.db.prisma.$queryRawUnsafe<{ id: number; payload: unknown; attempts: number; createdAt: Date | string }[]>(sql, ...p.values);
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    return ids.map((id) => {
      const row = byId.get(id);
      const event = row && (json(row.payload) as { event?: InboundEvent }).event;
      return row && event ? { event, attempts: Number(row.attempts), receivedAt: new Date(row.createdAt) } : undefined;
    });
  }

  async inboundStatus(id: number): Promise<string | undefined> {
    return (await this.db.prisma.message.findUnique({ where: { id }, select: { status: true } }))?.status;
  }

  /** Stored messages nobody is handling: stored by an instance that stopped, or whose claim lapsed. */
  async unhandledInbound(olderThanMs: number, limit = 500): Promise<{ id: number; userKey: string }[]> {
    const now = this.now();
    const p = new SqlParams(this.provider);
    const sql = `SELECT "id", "conversationId" FROM (
        SELECT "id", "conversationId" FROM "Message" WHERE "direction" = 'in' AND "status" = 'queued' AND "channel" = ${CHANNEL} AND "createdAt" < ${p.add(new Date(now.getTime() - olderThanMs), 'timestamp')}
        UNION ALL
        SELECT "id", "conversationId" FROM "Message" WHERE "direction" = 'in' AND "status" = 'processing' AND "channel" = ${CHANNEL} AND "claimedUntil" < ${p.add(now, 'timestamp')}
      ) AS stranded ORDER BY "id" LIMIT ${p.add(limit, 'int')}`;
    const rows = await this.db.prisma.$queryRawUnsafe<{ id: number; conversationId: string }[]>(sql, ...p.values);
    return rows.map((r) => ({ id: Number(r.id), userKey: r.conversationId }));
  }

  /** A message that could not be handled after several tries: kept, marked failed, not tried again. */
  async failInbound(id: number, reason: string): Promise<void> {
    await this.db.prisma.message.updateMany({ where: { id, status: 'processing' }, data: { status: 'failed', errorTitle: reason.slice(0, 200), claimedUntil: null, failedAt: this.now() } });
  }

  // ---- where to reach people ----

  /**
   * Commits a turn (with the turns of other people that end at the same moment, in one
   * transaction): its state, its replies into the outbox, the message it handled marked handled
   * (what we keep of it: the activity, or nothing when the person refused consent), the person's
   * parked messages released (they are here: their window is open), and when they last wrote (the
   * 24-hour window: counted from when their message reached us; should Meta count otherwise, its
   * 131047 makes the template go). False when the turn's state changed meanwhile (another
   * instance): nothing of it was written, it must run again.
   */
  commit(turn: TurnCommit): Promise<boolean> {
    return this.commits.add(turn);
  }

  private async commitBatch(turns: TurnCommit[]): Promise<boolean[]> {
    const now = this.now();
    const stamp = dbTimestamp(now);
    return this.db.prisma.$transaction(async (tx) => {
      const written = await this.storage.writeGroupsWithin(tx, turns.map((t) => t.writes));
      const done = turns.filter((_, i) => written[i]);
      await this.enqueue(tx, done.flatMap((t) => t.replies));
      const handled = done.flatMap((t) => (t.inbound ? [t.inbound] : []));
      if (handled.length) {
        const p = new SqlParams(this.provider);
        const rows = handled.map((h) => ({ id: h.id, payload: h.forget ? { forgotten: true } : h.payload, b: h.beneficiaryId ?? null, c: h.contactId ?? null, keep: h.forget ? null : h.to }));
        const table = jsonTable(this.provider, { id: 'int', payload: 'json', b: 'int', c: 'int', keep: 'text' }, p.add(JSON.stringify(rows)));
        await tx.$executeRawUnsafe(
          `UPDATE "Message" SET "status" = 'received', "claimedUntil" = NULL, "payload" = x."payload", "beneficiaryId" = x."b", "contactId" = x."c", "conversationId" = x."keep", "updatedAt" = '${stamp}'
            FROM ${table} WHERE "Message"."id" = x."id"`,
          ...p.values,
        );
        // After a "stop", only the replies among the parked messages: proactive ones keep waiting.
        const q = new SqlParams(this.provider);
        await tx.$executeRawUnsafe(
          `UPDATE "Message" SET "nextAttemptAt" = '${stamp}'
            WHERE "channel" = ${CHANNEL} AND "direction" = 'out' AND "status" = 'queued' AND "nextAttemptAt" IS NULL
              AND "conversationId" IN ${textList(this.provider, q, handled.map((h) => h.to))}
              AND ("kind" = 'reply' OR "beneficiaryId" IS NULL
                OR NOT EXISTS (SELECT 1 FROM "Beneficiary" b WHERE b."id" = "Message"."beneficiaryId" AND b."optedOutAt" IS NOT NULL))`,
          ...q.values,
        );
      }
      await this.touch(tx, turns.flatMap((t) => (t.touch ? [t.touch] : [])), stamp);
      return written;
    });
  }

  /** Where and when each person last wrote, on the channel's ConversationRef rows (one statement). */
  private async touch(tx: Tx, touches: NonNullable<TurnCommit['touch']>[], stamp: string) {
    if (!touches.length) return;
    const latest = new Map<string, { row: Record<string, unknown>; at: number }>();
    for (const { event, receivedAt } of touches) {
      const at = receivedAt.getTime();
      if ((latest.get(event.userKey)?.at ?? -1) >= at) continue;
      const alt = event.waId && event.bsuid && event.userKey === event.waId ? event.bsuid : null;
      const reference = {
        channelId: CHANNEL_ID,
        serviceUrl: `${CHANNEL_ID}:`,
        user: { id: event.userKey, role: 'user' },
        bot: { id: event.phoneNumberId, role: 'bot' },
        conversation: { id: event.userKey, isGroup: false, conversationType: 'personal' },
      };
      latest.set(event.userKey, {
        at,
        row: { channel: CHANNEL_ID, userKey: event.userKey, altUserKey: alt, conversationId: event.userKey, serviceUrl: `${CHANNEL_ID}:`, reference, lastInboundAt: dbTimestamp(receivedAt), createdAt: stamp, updatedAt: stamp },
      });
    }
    const later = this.provider === 'postgresql' ? 'GREATEST' : 'MAX';
    await tx.$executeRawUnsafe(
      `INSERT INTO "ConversationRef" (${columnList(REF_COLUMNS)}) ${selectFromJson(this.provider, REF_COLUMNS)}
        ON CONFLICT ("channel", "userKey") DO UPDATE SET
          "lastInboundAt" = CASE WHEN "ConversationRef"."lastInboundAt" IS NULL THEN excluded."lastInboundAt" ELSE ${later}("ConversationRef"."lastInboundAt", excluded."lastInboundAt") END,
          "altUserKey" = COALESCE(excluded."altUserKey", "ConversationRef"."altUserKey"), "updatedAt" = excluded."updatedAt"`,
      JSON.stringify([...latest.values()].map((l) => l.row)),
    );
  }

  /**
   * People who wrote but never consented (nor are an employer contact): after `days` without a
   * message, what we kept of them goes, their number with it: messages, where to reach them, the
   * conversation state. Says how many of each went.
   */
  async forgetStrangers(days = 30): Promise<{ people: number; messages: number; states: number }> {
    const cutoff = new Date(this.now().getTime() - days * 86400_000);
    const refs = await this.db.prisma.conversationRef.findMany({
      where: { channel: CHANNEL_ID, beneficiaryId: null, contactId: null, lastInboundAt: { lt: cutoff } },
      select: { id: true, userKey: true },
      take: 1000,
    });
    if (!refs.length) return { people: 0, messages: 0, states: 0 };
    const keys = refs.map((r) => r.userKey);
    return this.db.prisma.$transaction(async (tx) => {
      const messages = await tx.message.deleteMany({
        where: { channel: CHANNEL_ID, conversationId: { in: keys }, beneficiaryId: null, contactId: null, status: { notIn: ['queued', 'sending', 'processing'] } },
      });
      const states = await tx.botState.deleteMany({ where: { key: { in: keys.flatMap((k) => [`${CHANNEL_ID}/users/${k}/`, `${CHANNEL_ID}/conversations/${k}/`]) } } });
      await tx.conversationRef.deleteMany({ where: { id: { in: refs.map((r) => r.id) } } });
      return { people: refs.length, messages: messages.count, states: states.count };
    });
  }

  /** A person who writes with their business-scoped id only, known to us by their wa_id: that key. */
  async keyOfAltId(bsuid: string): Promise<string | undefined> {
    const ref = await this.urgent.conversationRef.findFirst({ where: { channel: CHANNEL_ID, altUserKey: bsuid }, select: { userKey: true } });
    return ref?.userKey;
  }

  // ---- outbound ----

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
    const sql = `INSERT INTO "Message" (${columnList(OUTBOUND_COLUMNS)}) ${selectFromJson(this.provider, OUTBOUND_COLUMNS)} ON CONFLICT DO NOTHING`;
    await (tx ?? this.db.prisma).$executeRawUnsafe(sql, JSON.stringify(data));
  }

  /** Meta said the person's window is closed (131047): this message goes as a template, or waits. */
  async markWindowClosed(id: number, at: Date): Promise<void> {
    const row = await this.db.prisma.message.findUnique({ where: { id }, select: { payload: true } });
    if (!row) return;
    await this.db.prisma.message.update({ where: { id }, data: { payload: { ...(row.payload as object), windowClosedAt: at.getTime() } } });
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
    // or sorting every due row, each claim would read the whole backlog.
    const take = limit * 4;
    const sql = `UPDATE "Message" SET "status" = 'sending', "claimedUntil" = ${p.add(new Date(now.getTime() + leaseMs), 'timestamp')},
        "attempts" = "attempts" + 1, "updatedAt" = ${p.add(now, 'timestamp')}
      WHERE "id" IN (SELECT m."id" FROM "Message" m
        WHERE m."id" IN (
            SELECT "id" FROM (SELECT d."id" FROM "Message" d WHERE d."direction" = 'out' AND d."status" = 'queued' AND d."nextAttemptAt" <= ${p.add(now, 'timestamp')}
              AND d."channel" = ${CHANNEL} ORDER BY d."nextAttemptAt" LIMIT ${p.add(take, 'int')}) AS due
            UNION ALL
            SELECT "id" FROM (SELECT d."id" FROM "Message" d WHERE d."direction" = 'out' AND d."status" = 'sending' AND d."claimedUntil" < ${p.add(now, 'timestamp')}
              AND d."channel" = ${CHANNEL} LIMIT ${p.add(take, 'int')}) AS lapsed)
          AND NOT EXISTS (SELECT 1 FROM "Message" e WHERE e."conversationId" = m."conversationId" AND e."channel" = ${CHANNEL}
            AND e."direction" = 'out' AND e."id" < m."id"
            -- (a reply waiting to be retried holds back what follows; a proactive message waiting for the
            -- end of the quiet hours does not hold back the replies of the night, nor does a parked one)
            AND ((e."status" = 'queued' AND e."nextAttemptAt" IS NOT NULL AND (e."kind" = 'reply' OR e."nextAttemptAt" <= ${p.add(now, 'timestamp')})) OR e."status" = 'sending'))
        ORDER BY m."id" LIMIT ${p.add(limit, 'int')}${lock})
      RETURNING "id"`;
    const claimed = await this.db.prisma.$queryRawUnsafe<{ id: number }[]>(sql, ...p.values);
    if (!claimed.length) return [];
    const q = new SqlParams(this.provider);
    const list = idList(this.provider, q, claimed.map((r) => Number(r.id)));
    const rows = await this.db.prisma.$queryRawUnsafe<
      { id: number; conversationId: string; kind: string; payload: unknown; attempts: number; beneficiaryId: number | null; contactId: number | null; optedOutAt: Date | null; language: string | null; firstName: string | null; lastInboundAt: Date | string | null; createdAt: Date | string }[]
    >(
      // The person is a beneficiary, or an employer contact (contactId, no beneficiaryId).
      `SELECT m."id", m."conversationId", m."kind", m."payload", m."attempts", m."beneficiaryId", m."contactId", m."createdAt",
          COALESCE(b."optedOutAt", c."optedOutAt") AS "optedOutAt", COALESCE(b."language", c."language") AS "language",
          COALESCE(b."firstName", c."firstName") AS "firstName", r."lastInboundAt"
        FROM "Message" m
        LEFT JOIN "Beneficiary" b ON b."id" = m."beneficiaryId"
        LEFT JOIN "Contact" c ON c."id" = m."contactId"
        LEFT JOIN "ConversationRef" r ON r."channel" = ${CHANNEL} AND r."userKey" = m."conversationId"
        WHERE m."id" IN ${list} ORDER BY m."id"`,
      ...q.values,
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
      language: r.language,
      firstName: r.firstName,
      lastInboundAt: r.lastInboundAt === null ? null : new Date(r.lastInboundAt),
      createdAt: new Date(r.createdAt),
    }));
  }

  /** Records what became of a claimed message (group-committed with the other sends of the moment). */
  settle(s: Settlement): Promise<null> {
    return this.settlements.add(s);
  }

  drain(): Promise<void> {
    return Promise.all([this.inserts.drain(), this.claims.drain(), this.commits.drain(), this.settlements.drain()]).then(() => undefined);
  }

  private async settleBatch(all: Settlement[]): Promise<null[]> {
    const now = dbTimestamp(this.now());
    const by = <K extends Settlement['outcome']>(k: K) => all.filter((s): s is Extract<Settlement, { outcome: K }> => s.outcome === k);
    const sent = by('sent');
    await this.db.prisma.$transaction(async (tx) => {
      if (sent.length) {
        await this.updateFrom(tx, { id: 'int', providerId: 'text', payload: 'json', to: 'text' },
          sent.map((s) => ({ id: s.id, providerId: providerIdOf(s.providerId), payload: s.payload, to: s.to })),
          `"status" = 'sent', "providerId" = x."providerId", "payload" = x."payload", "conversationId" = x."to", "sentAt" = '${now}', "claimedUntil" = NULL, "errorCode" = NULL, "errorTitle" = NULL, "updatedAt" = '${now}'`);
      }
      const retry = by('retry');
      if (retry.length) {
        await this.updateFrom(tx, { id: 'int', at: 'timestamp', code: 'int', title: 'text' },
          retry.map((s) => ({ id: s.id, at: dbTimestamp(s.at), code: s.errorCode ?? null, title: s.errorTitle ?? null })),
          `"status" = 'queued', "nextAttemptAt" = x."at", "claimedUntil" = NULL, "errorCode" = x."code", "errorTitle" = x."title", "updatedAt" = '${now}'`);
      }
      const failed = by('failed');
      if (failed.length) {
        await this.updateFrom(tx, { id: 'int', code: 'int', title: 'text' },
          failed.map((s) => ({ id: s.id, code: s.errorCode ?? null, title: s.errorTitle ?? null })),
          `"status" = 'failed', "failedAt" = '${now}', "claimedUntil" = NULL, "errorCode" = x."code", "errorTitle" = x."title", "updatedAt" = '${now}'`);
      }
      const released = by('release');
      if (released.length) {
        await this.updateFrom(tx, { id: 'int', at: 'timestamp' },
          released.map((s) => ({ id: s.id, at: s.at && dbTimestamp(s.at) })),
          `"status" = 'queued', "nextAttemptAt" = x."at", "claimedUntil" = NULL, "attempts" = "attempts" - 1, "updatedAt" = '${now}'`);
      }
    });
    if (sent.length) {
      // Statuses that came before these sends were recorded (rare: checked with one query).
      const late = await this.applyOrphans(sent.map((s) => s.providerId));
      if (late.length) this.onLateStatuses?.(late);
    }
    return all.map(() => null);
  }

  /** UPDATE "Message" SET <set> FROM <rows as a table x> WHERE id = x.id AND it is still being sent. */
  private async updateFrom(tx: Tx, columns: JsonColumns, rows: Record<string, unknown>[], set: string) {
    const p = new SqlParams(this.provider);
    const table = jsonTable(this.provider, columns, p.add(JSON.stringify(rows)));
    await tx.$executeRawUnsafe(`UPDATE "Message" SET ${set} FROM ${table} WHERE "Message"."id" = x."id" AND "Message"."status" = 'sending'`, ...p.values);
  }

  /** A notification row the notifier hands to this channel: queued in the WhatsApp outbox for `to`. */
  async adoptNotification(id: number, to: string): Promise<boolean> {
    const { count } = await this.db.prisma.message.updateMany({
      where: { id, status: 'sending' },
      data: { channel: CHANNEL_ID, conversationId: to, status: 'queued', claimedUntil: null, nextAttemptAt: this.now() },
    });
    return count === 1;
  }

  // ---- statuses ----

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
    const rows = await this.urgent.$queryRawUnsafe<{ id: number; status: string; errorCode: number | null }[]>(sql, ...p.values);
    if (!rows.length) return undefined;
    const row = rows[0];
    return { id: Number(row.id), status: s.status, ...(failed && row.status === 'failed' && row.errorCode !== null && { failedWith: Number(row.errorCode) }) };
  }

  private async keepOrphan(s: StatusEvent): Promise<void> {
    const p = new SqlParams(this.provider);
    const now = this.now();
    await this.urgent.$executeRawUnsafe(
      `INSERT INTO "Message" ("direction", "channel", "providerId", "status", "payload", "createdAt", "updatedAt")
        VALUES ('status', ${CHANNEL}, ${p.add(orphanId(s.wamid, s.status))}, ${p.add(s.status)}, ${p.add(JSON.stringify({ ...s, at: s.at.toISOString() }), 'jsonb')},
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
      where: { direction: 'status', channel: CHANNEL_ID, createdAt: { lt: new Date(this.now().getTime() - olderThanMs) } },
    });
    return count;
  }
}

/** `(ids of the JSON array)`, for `"id" IN <this>`. */
function idList(provider: Database['provider'], p: SqlParams, ids: number[]): string {
  const param = p.add(JSON.stringify(ids));
  return provider === 'postgresql' ? `(SELECT (jsonb_array_elements_text(${param}::jsonb))::int)` : `(SELECT value FROM json_each(${param}))`;
}

function textList(provider: Database['provider'], p: SqlParams, values: string[]): string {
  const param = p.add(JSON.stringify(values));
  return provider === 'postgresql' ? `(SELECT jsonb_array_elements_text(${param}::jsonb))` : `(SELECT value FROM json_each(${param}))`;
}

function orphanId(wamid: string, status: string): string {
  return `${CHANNEL_ID}-status:${status}:${wamid}`;
}

function json(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}
