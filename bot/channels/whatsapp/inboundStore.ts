// The WhatsApp channel's inbound messages, in the Message table (direction "in"): every message is
// stored when its webhook arrives (status queued; its provider id, "whatsapp:<wamid>", is unique,
// so a delivery Meta repeats is stored once), claimed by one instance for processing (processing,
// with a lease), then handled (received) when its turn commits, with the turn's state and replies
// (into the outbox, outboxStore.ts). Also where to reach people: when and with which ids they last
// wrote (ConversationRef), and forgetting those who never consented.
// Inserts, claims and commits of the moment are group-committed (db/batcher.ts).
import type { Database } from '../../db/client';
import { Batcher } from '../../db/batcher';
import { dbTimestamp, insertFromJson, jsonTable, type JsonColumns } from '../../db/jsonRows';
import { SqlParams } from '../../db/rawSql';
import { urgentLane } from '../../db/serialized';
import { sqlStatement, sqlTransaction } from '../../db/sqlTransaction';
import type { PrismaStorage, WriteRequest } from '../../turns/prismaStorage';
import type { InboundEvent } from './webhook';
import { CHANNEL_ID } from './inbound';
import type { NewOutbound, OutboxStore } from './outboxStore';
import { CHANNEL, idList, json, MESSAGE_COLUMNS, providerIdOf, textList, type Tx } from './storeSql';

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
  inbound?: {
    id: number;
    to: string;
    payload: Record<string, unknown>;
    beneficiaryId?: number;
    contactId?: number;
    forget: boolean;
  };
  /** when the person wrote, with their ids (the 24-hour window, their other id) */
  touch?: { event: InboundEvent; receivedAt: Date };
}

const INBOUND_COLUMNS: JsonColumns = { ...MESSAGE_COLUMNS, providerId: 'text' };

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

export class InboundStore {
  private readonly inserts: Batcher<InboundEvent, number | undefined>;
  private readonly claims: Batcher<number, ClaimedInbound | undefined>;
  private readonly commits: Batcher<TurnCommit, boolean>;
  private readonly provider: Database['provider'];
  /** for what the webhook does before its 200 (SQLite: ahead of the queued statements) */
  private readonly urgent: Database['prisma'];

  constructor(
    private readonly db: Database,
    private readonly storage: PrismaStorage,
    /** where a turn's replies go */
    private readonly outbox: OutboxStore,
    /** how long a claim holds, ms */
    private readonly leaseMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.provider = db.provider;
    this.urgent = urgentLane(db.prisma);
    this.inserts = new Batcher((events) => this.insertInbound(events), 200);
    this.claims = new Batcher((ids) => this.claimBatch(ids), 200);
    this.commits = new Batcher((turns) => this.commitBatch(turns), 100);
  }

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
    const sql = `${insertFromJson(this.provider, 'Message', INBOUND_COLUMNS)}
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
   * still waiting or being handled (a person's messages are handled in order, whichever instance
   * stored them). An earlier one whose claim lapsed (its instance died, or its turn outlived the
   * lease) still holds the later ones back until it is taken again (stranded messages are looked
   * for every few seconds): otherwise a later message could be answered first. Claims of the
   * moment share one statement.
   */
  claimInbound(id: number): Promise<ClaimedInbound | undefined> {
    return this.claims.add(id);
  }

  private async claimBatch(ids: number[]): Promise<(ClaimedInbound | undefined)[]> {
    const now = this.now();
    const p = new SqlParams(this.provider);
    // (NOT INDEXED, SQLite only: it still finds the rows by id, where without it SQLite preferred
    // to walk every received message through the (direction, ...) index)
    const sql = `UPDATE "Message"${this.provider === 'sqlite' ? ' NOT INDEXED' : ''} SET "status" = 'processing',
        "claimedUntil" = ${p.add(new Date(now.getTime() + this.leaseMs), 'timestamp')},
        "attempts" = "attempts" + 1, "updatedAt" = ${p.add(now, 'timestamp')}
      WHERE "id" IN ${idList(this.provider, p, ids)} AND "direction" = 'in' AND "channel" = ${CHANNEL}
        AND ("status" = 'queued' OR ("status" = 'processing' AND "claimedUntil" < ${p.add(now, 'timestamp')}))
        AND NOT EXISTS (SELECT 1 FROM "Message" e
          WHERE e."conversationId" = "Message"."conversationId" AND e."channel" = ${CHANNEL}
          AND e."direction" = 'in' AND e."id" < "Message"."id" AND e."status" IN ('queued', 'processing'))
      RETURNING "id", "payload", "attempts", "createdAt"`;
    const rows = await sqlStatement<{ id: number; payload: unknown; attempts: number; createdAt: Date | string }>(
      this.db.prisma,
      sql,
      p.values,
    );
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    return ids.map((id) => {
      const row = byId.get(id);
      const event = row && (json(row.payload) as { event?: InboundEvent }).event;
      return row && event ? { event, attempts: Number(row.attempts), receivedAt: new Date(row.createdAt) } : undefined;
    });
  }

  /** A turn still runs on this message: its claim holds another lease from now (the claim is kept). */
  async holdInbound(id: number): Promise<void> {
    await this.db.prisma.message.updateMany({
      where: { id, status: 'processing' },
      data: { claimedUntil: new Date(this.now().getTime() + this.leaseMs) },
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
        SELECT "id", "conversationId" FROM "Message" WHERE "direction" = 'in' AND "status" = 'queued'
          AND "channel" = ${CHANNEL} AND "createdAt" < ${p.add(new Date(now.getTime() - olderThanMs), 'timestamp')}
        UNION ALL
        SELECT "id", "conversationId" FROM "Message" WHERE "direction" = 'in' AND "status" = 'processing'
          AND "channel" = ${CHANNEL} AND "claimedUntil" < ${p.add(now, 'timestamp')}
      ) AS stranded ORDER BY "id" LIMIT ${p.add(limit, 'int')}`;
    const rows = await this.db.prisma.$queryRawUnsafe<{ id: number; conversationId: string }[]>(sql, ...p.values);
    return rows.map((r) => ({ id: Number(r.id), userKey: r.conversationId }));
  }

  /** A message that could not be handled after several tries: kept, marked failed, not tried again. */
  async failInbound(id: number, reason: string): Promise<void> {
    await this.db.prisma.message.updateMany({
      where: { id, status: 'processing' },
      data: { status: 'failed', errorTitle: reason.slice(0, 200), claimedUntil: null, failedAt: this.now() },
    });
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
    // (SQL of our own only: on SQLite the turns' transaction holds the writer for its statements only)
    return sqlTransaction(this.db.prisma, async (tx) => {
      const written = await this.storage.writeGroupsWithin(
        tx,
        turns.map((t) => t.writes),
      );
      const done = turns.filter((_, i) => written[i]);
      await this.outbox.enqueue(
        tx,
        done.flatMap((t) => t.replies),
      );
      const handled = done.flatMap((t) => (t.inbound ? [t.inbound] : []));
      if (handled.length) {
        // (the time a parameter: the statements' text is the same every time, compiled once)
        const p = new SqlParams(this.provider);
        const updatedAt = p.add(now, 'timestamp'); // (SQLite's parameters are positional: SET's first)
        const rows = handled.map((h) => ({
          id: h.id,
          payload: h.forget ? { forgotten: true } : h.payload,
          b: h.beneficiaryId ?? null,
          c: h.contactId ?? null,
          keep: h.forget ? null : h.to,
        }));
        const table = jsonTable(
          this.provider,
          { id: 'int', payload: 'json', b: 'int', c: 'int', keep: 'text' },
          p.add(JSON.stringify(rows)),
        );
        await tx.$executeRawUnsafe(
          `UPDATE "Message" SET "status" = 'received', "claimedUntil" = NULL, "payload" = x."payload",
              "beneficiaryId" = x."b", "contactId" = x."c", "conversationId" = x."keep", "updatedAt" = ${updatedAt}
            FROM ${table} WHERE "Message"."id" = x."id"`,
          ...p.values,
        );
        // After a "stop", only the replies among the parked messages: proactive ones keep waiting.
        const q = new SqlParams(this.provider);
        await tx.$executeRawUnsafe(
          `UPDATE "Message" SET "nextAttemptAt" = ${q.add(now, 'timestamp')}
            WHERE "channel" = ${CHANNEL} AND "direction" = 'out' AND "status" = 'queued' AND "nextAttemptAt" IS NULL
              AND "conversationId" IN ${textList(
                this.provider,
                q,
                handled.map((h) => h.to),
              )}
              AND ("kind" = 'reply' OR "beneficiaryId" IS NULL
                OR NOT EXISTS (SELECT 1 FROM "Beneficiary" b
                  WHERE b."id" = "Message"."beneficiaryId" AND b."optedOutAt" IS NOT NULL))`,
          ...q.values,
        );
      }
      await this.touch(
        tx,
        turns.flatMap((t) => (t.touch ? [t.touch] : [])),
        stamp,
      );
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
        row: {
          channel: CHANNEL_ID,
          userKey: event.userKey,
          altUserKey: alt,
          conversationId: event.userKey,
          serviceUrl: `${CHANNEL_ID}:`,
          reference,
          lastInboundAt: dbTimestamp(receivedAt),
          createdAt: stamp,
          updatedAt: stamp,
        },
      });
    }
    const later = this.provider === 'postgresql' ? 'GREATEST' : 'MAX';
    await tx.$executeRawUnsafe(
      `${insertFromJson(this.provider, 'ConversationRef', REF_COLUMNS)}
        ON CONFLICT ("channel", "userKey") DO UPDATE SET
          "lastInboundAt" = CASE WHEN "ConversationRef"."lastInboundAt" IS NULL THEN excluded."lastInboundAt"
            ELSE ${later}("ConversationRef"."lastInboundAt", excluded."lastInboundAt") END,
          "altUserKey" = COALESCE(excluded."altUserKey", "ConversationRef"."altUserKey"),
          "updatedAt" = excluded."updatedAt"`,
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
        where: {
          channel: CHANNEL_ID,
          conversationId: { in: keys },
          beneficiaryId: null,
          contactId: null,
          status: { notIn: ['queued', 'sending', 'processing'] },
        },
      });
      const states = await tx.botState.deleteMany({
        where: { key: { in: keys.flatMap((k) => [`${CHANNEL_ID}/users/${k}/`, `${CHANNEL_ID}/conversations/${k}/`]) } },
      });
      await tx.conversationRef.deleteMany({ where: { id: { in: refs.map((r) => r.id) } } });
      return { people: refs.length, messages: messages.count, states: states.count };
    });
  }

  /** A person who writes with their business-scoped id only, known to us by their wa_id: that key. */
  async keyOfAltId(bsuid: string): Promise<string | undefined> {
    const ref = await this.urgent.conversationRef.findFirst({
      where: { channel: CHANNEL_ID, altUserKey: bsuid },
      select: { userKey: true },
    });
    return ref?.userKey;
  }

  drain(): Promise<void> {
    return Promise.all([this.inserts.drain(), this.claims.drain(), this.commits.drain()]).then(() => undefined);
  }
}
