// The web chat's conversations in PostgreSQL, for several instances of the service on one database
// (store.ts says why; SQLite keeps them in memory, conversations.ts). The same guarantees as in
// memory, shared by every instance:
// - a conversation (WebChatConversation) with its tokens (WebChatToken: only a token's SHA-256 is
//   kept) and its activities (WebChatActivity), each numbered in the conversation: its seq is the
//   Direct Line watermark;
// - bounds: activities per conversation (count and bytes: the oldest go when one is added, under
//   the conversation's row lock), bytes in all (the conversations idle the longest lose their
//   activities; an instance checks the total at most a second after passing it, and at once when
//   its own writes may have passed it), and conversations (at the cap, one nobody reads is
//   forgotten; when every one is read, a new visitor is refused);
// - spoken clips a page plays (WebChatClip, 15 minutes, with their conversation): any instance
//   serves them, whichever made them;
// - sweep(): expired tokens and clips, and idle conversations nobody reads go (the `directline-sweep` job);
// - turns: a conversation's turns run one after the other across instances (a session advisory
//   lock per conversation on the same connection; whoever waits is told by a NOTIFY when the turn
//   ends, and asks again every second in case it missed it; a connection that drops lets go of its
//   locks, so a dead instance holds none);
// - wake-ups: an activity is written with a NOTIFY of its conversation's id in the same statement
//   (so it is sent when the row is committed); every instance LISTENs on one connection of its own
//   and wakes its own long polls of that conversation. No query runs while a poll waits. The
//   connection is opened again when it drops (the polls waiting meanwhile are woken, to ask again),
//   and a poll still ends at its timeout.
import crypto from 'node:crypto';
import type { Activity } from 'botbuilder';
import { Client } from 'pg';
import type { Db } from '../../db/client';
import { dbTimestamp } from '../../db/jsonRows';
import type { Logger } from '../../runtime/logger';
import { safeError } from '../../runtime/safeError';
import {
  activityId,
  random,
  storeLimits,
  TooManyConversationsError,
  type ConversationStoreOptions,
} from './conversations';
import type { WebChatConversation, WebChatStore } from './store';

/** the NOTIFY channel: the payload is a conversation's id */
export const WAKE_CHANNEL = 'passerelle_webchat';
/** the NOTIFY channel of the end of a turn: the payload is its conversation's id */
export const TURN_CHANNEL = 'passerelle_webchat_turn';
/** the advisory locks of web chat turns are (this, hashtext(conversation id)) */
const TURN_LOCK_SPACE = 72707370;
/** a turn waiting for another instance's asks again this often, and runs anyway after TURN_WAIT_MS */
const TURN_RETRY_MS = 1000;
const TURN_WAIT_MS = 60_000;
/** the listener's connection, as pg_stat_activity names it */
export const LISTENER_NAME = 'passerelle-webchat-listener';
/** a conversation read within this time is watched (someone has the chat open) */
const WATCHED_MS = 30_000;
/** a conversation's poll time is written at most this often by an instance (pages poll all the time) */
const POLL_WRITE_MS = 5_000;
/** how often an instance sums the bytes of all conversations while it writes */
const TOTAL_CHECK_MS = 1_000;

/** What is kept of a token: its SHA-256 (a token is 256 random bits: no salt needed). */
export const tokenHash = (token: string) => crypto.createHash('sha256').update(token).digest('base64url');
const at = (ms: number) => dbTimestamp(new Date(ms));

interface ConversationRow {
  id: string;
  userId: string | null;
  locale: string | null;
  started: boolean;
}

const conversationOf = (r: ConversationRow): WebChatConversation => ({
  id: r.id,
  ...(r.userId !== null && { userId: r.userId }),
  ...(r.locale !== null && { locale: r.locale }),
  started: r.started,
});

const COLUMNS = `c."id", c."userId", c."locale", c."started"`;

export interface PgWebChatStoreOptions extends ConversationStoreOptions {
  /** the database's URL, for the LISTEN connection */
  url: string;
  log: Logger;
}

export class PgWebChatStore implements WebChatStore {
  private readonly now: () => number;
  private readonly limits: ReturnType<typeof storeLimits>;
  /** this instance's long polls, by conversation */
  private readonly waiters = new Map<string, Set<() => void>>();
  /** this instance's turns waiting for another instance's turn, by conversation */
  private readonly turnWaiters = new Map<string, Set<() => void>>();
  /** when this instance last kept a clip for a conversation ("conversation id clip id") */
  private readonly clipsKept = new Map<string, number>();
  /** when this instance last wrote a conversation's poll time */
  private readonly polledAt = new Map<string, number>();
  private readonly listener: Listener;
  private knownTotal = 0;
  private writtenSinceCheck = 0;
  private lastTotalCheck = 0;
  private checking?: Promise<void>;

  private constructor(
    private readonly prisma: Db,
    private readonly options: PgWebChatStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.limits = storeLimits(options);
    this.listener = new Listener(
      options.url,
      options.log,
      { [WAKE_CHANNEL]: (id) => this.wake(id), [TURN_CHANNEL]: (id) => this.turnEnded(id) },
      () => this.wakeAll(),
    );
  }

  /** The store, once its LISTEN connection listens (a failure to connect is retried in the background). */
  static async open(prisma: Db, options: PgWebChatStoreOptions): Promise<PgWebChatStore> {
    const store = new PgWebChatStore(prisma, options);
    await store.listener.start();
    return store;
  }

  /**
   * The key the page's links to its files and clips are signed with (bot/media/links.ts): made by
   * the first instance, kept in the database (a BotState row of its own), so that a link made by
   * one instance opens on any other.
   */
  async linkKey(): Promise<Buffer> {
    const key = 'webchat/link-key/';
    const data = JSON.stringify({ key: crypto.randomBytes(32).toString('base64') });
    await this.query(
      `INSERT INTO "BotState" ("key", "data", "etag", "updatedAt") VALUES ($1, $2, '1', now())
       ON CONFLICT ("key") DO NOTHING`,
      key,
      data,
    );
    const [row] = await this.query<{ data: string }>(`SELECT "data" FROM "BotState" WHERE "key" = $1`, key);
    return Buffer.from((JSON.parse(row!.data) as { key: string }).key, 'base64');
  }

  get tokenTtlSeconds(): number {
    return this.options.tokenTtlSeconds;
  }

  /** the LISTEN connection is up (tests) */
  get listening(): boolean {
    return this.listener.up;
  }

  private query<T>(sql: string, ...values: unknown[]): Promise<T[]> {
    return this.prisma.$queryRawUnsafe<T[]>(sql, ...values);
  }

  async create(userId?: string, locale?: string) {
    const max = this.limits.maxConversations;
    if ((await this.count()) >= max) {
      await this.sweep();
      if ((await this.count()) >= max && !(await this.forgetOneUnread())) throw new TooManyConversationsError();
    }
    const id = random(18);
    const token = random(32);
    const now = this.now();
    await this.query(
      `WITH c AS (
         INSERT INTO "WebChatConversation" ("id", "userId", "locale", "lastActiveAt")
         VALUES ($1, $2, $3, $4::timestamp(3)) RETURNING "id")
       INSERT INTO "WebChatToken" ("hash", "conversationId", "expiresAt")
       SELECT $5, "id", $6::timestamp(3) FROM c RETURNING "conversationId"`,
      id,
      userId ?? null,
      locale ?? null,
      at(now),
      tokenHash(token),
      at(now + this.options.tokenTtlSeconds * 1000),
    );
    return { conversation: { id, userId, locale, started: false }, token };
  }

  async get(id: string) {
    const [row] = await this.query<ConversationRow>(
      `SELECT ${COLUMNS} FROM "WebChatConversation" c WHERE c."id" = $1`,
      id,
    );
    return row && conversationOf(row);
  }

  async conversationOfToken(token: string) {
    const hash = tokenHash(token);
    const [row] = await this.query<ConversationRow & { expired: boolean }>(
      `SELECT ${COLUMNS}, t."expiresAt" <= $2::timestamp(3) AS "expired"
       FROM "WebChatToken" t JOIN "WebChatConversation" c ON c."id" = t."conversationId" WHERE t."hash" = $1`,
      hash,
      at(this.now()),
    );
    if (!row) return undefined;
    if (row.expired) {
      await this.query(`DELETE FROM "WebChatToken" WHERE "hash" = $1 RETURNING "hash"`, hash);
      return undefined;
    }
    return conversationOf(row);
  }

  async issueToken(conversation: WebChatConversation) {
    const token = random(32);
    await this.query(
      `INSERT INTO "WebChatToken" ("hash", "conversationId", "expiresAt") VALUES ($1, $2, $3::timestamp(3))
       RETURNING "hash"`,
      tokenHash(token),
      conversation.id,
      at(this.now() + this.options.tokenTtlSeconds * 1000),
    );
    return token;
  }

  async refreshToken(conversation: WebChatConversation, old: string) {
    await this.query(
      `DELETE FROM "WebChatToken" WHERE "hash" = $1 AND "conversationId" = $2 RETURNING "hash"`,
      tokenHash(old),
      conversation.id,
    );
    return this.issueToken(conversation);
  }

  async start(conversation: WebChatConversation, userId?: string, locale?: string) {
    // The row is locked first, so that of two instances opening it at once only one greets.
    const [row] = await this.query<{ wasStarted: boolean; userId: string | null; locale: string | null }>(
      `UPDATE "WebChatConversation" AS c
       SET "userId" = COALESCE(c."userId", $2), "locale" = COALESCE(c."locale", $3), "started" = true
       FROM (SELECT "id", "started" FROM "WebChatConversation" WHERE "id" = $1 FOR UPDATE) AS old
       WHERE c."id" = old."id"
       RETURNING old."started" AS "wasStarted", c."userId", c."locale"`,
      conversation.id,
      userId ?? null,
      locale ?? null,
    );
    if (!row) return false; // forgotten meanwhile
    conversation.userId = row.userId ?? undefined;
    conversation.locale = row.locale ?? undefined;
    conversation.started = true;
    return !row.wasStarted;
  }

  async setUser(conversation: WebChatConversation, userId: string) {
    const [row] = await this.query<{ userId: string }>(
      `UPDATE "WebChatConversation" SET "userId" = COALESCE("userId", $2) WHERE "id" = $1 RETURNING "userId"`,
      conversation.id,
      userId,
    );
    return (conversation.userId = row?.userId ?? userId);
  }

  async forget(conversation: WebChatConversation) {
    // Tokens and activities go with it (ON DELETE CASCADE); every instance's polls of it wake.
    await this.query(
      `WITH gone AS (DELETE FROM "WebChatConversation" WHERE "id" = $1 RETURNING "id")
       SELECT 1 AS "n" FROM gone CROSS JOIN LATERAL (SELECT pg_notify('${WAKE_CHANNEL}', gone."id")) AS n`,
      conversation.id,
    );
    this.polledAt.delete(conversation.id);
    this.wake(conversation.id);
  }

  async append(conversation: WebChatConversation, activity: Activity) {
    // Kept without its id, which is the conversation's and the watermark's (added when read).
    const { id: _id, ...rest } = activity;
    const json = JSON.stringify(rest);
    const size = Buffer.byteLength(json);
    // One statement: the watermark is taken under the conversation's row lock, the activity is
    // written, and the NOTIFY goes out when they are committed.
    const [row] = await this.query<{ seq: number; firstSeq: number; bytes: number }>(
      `WITH c AS (
         UPDATE "WebChatConversation" SET "lastSeq" = "lastSeq" + 1, "bytes" = "bytes" + $3,
           "lastActiveAt" = $4::timestamp(3)
         WHERE "id" = $1 RETURNING "id", "lastSeq", "firstSeq", "bytes"),
       a AS (
         INSERT INTO "WebChatActivity" ("conversationId", "seq", "activity", "bytes")
         SELECT "id", "lastSeq", $2, $3 FROM c)
       SELECT c."lastSeq" AS "seq", c."firstSeq", c."bytes" FROM c
       CROSS JOIN LATERAL (SELECT pg_notify('${WAKE_CHANNEL}', c."id")) AS n`,
      conversation.id,
      json,
      size,
      at(this.now()),
    );
    if (!row) return (activity.id = activityId(conversation.id, 0)); // forgotten meanwhile
    activity.id = activityId(conversation.id, row.seq);
    const { maxActivities: maxCount, maxConversationBytes: maxBytes, maxTotalBytes: max } = this.limits;
    if (row.seq - row.firstSeq + 1 > maxCount || row.bytes > maxBytes) await this.trimConversation(conversation.id);
    this.writtenSinceCheck += size;
    if (this.knownTotal + this.writtenSinceCheck > max || this.now() - this.lastTotalCheck >= TOTAL_CHECK_MS)
      await (this.checking ??= this.checkTotal(conversation.id).finally(() => (this.checking = undefined)));
    this.wake(conversation.id); // at once here; the other instances by the NOTIFY
    return activity.id;
  }

  /** Within the conversation's limits: its oldest activities go (the newest always stays). */
  private async trimConversation(id: string) {
    const { maxActivities: maxCount, maxConversationBytes: maxBytes } = this.limits;
    await this.prisma.$transaction(async (tx) => {
      const [locked] = await tx.$queryRawUnsafe<{ id: string }[]>(
        `SELECT "id" FROM "WebChatConversation" WHERE "id" = $1 FOR UPDATE`,
        id,
      );
      if (!locked) return;
      const rows = await tx.$queryRawUnsafe<{ seq: number; bytes: number }[]>(
        `SELECT "seq", "bytes" FROM "WebChatActivity" WHERE "conversationId" = $1 ORDER BY "seq" DESC`,
        id,
      );
      let kept = 0;
      let bytes = 0;
      for (const r of rows) {
        if (kept > 0 && (kept + 1 > maxCount || bytes + r.bytes > maxBytes)) break;
        kept++;
        bytes += r.bytes;
      }
      if (kept === rows.length) return;
      const first = rows[kept - 1].seq;
      await tx.$executeRawUnsafe(`DELETE FROM "WebChatActivity" WHERE "conversationId" = $1 AND "seq" < $2`, id, first);
      await tx.$executeRawUnsafe(
        `UPDATE "WebChatConversation" SET "firstSeq" = $2, "bytes" = $3 WHERE "id" = $1`,
        id,
        first,
        bytes,
      );
    });
  }

  /**
   * Past the total: the activities of the conversations idle the longest go, `keep`'s last (its
   * newest stays). Each instance sums the total here when its own writes may have passed it, and
   * every second while it writes (to see the others').
   */
  private async checkTotal(keep?: string) {
    const max = this.limits.maxTotalBytes;
    this.lastTotalCheck = this.now();
    this.writtenSinceCheck = 0;
    let [{ total }] = await this.query<{ total: number }>(
      `SELECT COALESCE(SUM("bytes"), 0)::float8 AS "total" FROM "WebChatConversation"`,
    );
    this.knownTotal = total;
    while (total > max) {
      const victims = await this.query<{ id: string; bytes: number }>(
        `SELECT "id", "bytes" FROM "WebChatConversation" WHERE "bytes" > 0 AND "id" <> $1
         ORDER BY "lastActiveAt" LIMIT 200`,
        keep ?? '',
      );
      let over = total - max;
      const chosen: string[] = [];
      for (const v of victims) {
        if (over <= 0) break;
        chosen.push(v.id);
        over -= v.bytes;
      }
      const freed = chosen.length ? await this.emptyConversations(chosen) : 0;
      if (!freed) break; // (the ones left are being written to: the next check sees them)
      total -= freed;
    }
    if (total > max && keep) total -= await this.emptyConversations([keep], true);
    this.knownTotal = total;
  }

  /** Drops the activities of these conversations (but the newest with `keepNewest`); returns the bytes freed. */
  private emptyConversations(ids: string[], keepNewest = false): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      // Locked first (one being written to is skipped: it is active, not idle), then read afresh.
      const locked = await tx.$queryRawUnsafe<{ id: string; lastSeq: number; bytes: number }[]>(
        `SELECT "id", "lastSeq", "bytes" FROM "WebChatConversation"
         WHERE "id" IN (SELECT jsonb_array_elements_text($1::jsonb)) FOR UPDATE SKIP LOCKED`,
        JSON.stringify(ids),
      );
      let freed = 0;
      for (const c of locked) {
        const keepFrom = keepNewest ? c.lastSeq : c.lastSeq + 1;
        await tx.$executeRawUnsafe(
          `DELETE FROM "WebChatActivity" WHERE "conversationId" = $1 AND "seq" < $2`,
          c.id,
          keepFrom,
        );
        const [left] = await tx.$queryRawUnsafe<{ bytes: number }[]>(
          `UPDATE "WebChatConversation" SET "firstSeq" = $2,
             "bytes" = COALESCE((SELECT SUM("bytes") FROM "WebChatActivity" WHERE "conversationId" = $1), 0)
           WHERE "id" = $1 RETURNING "bytes"`,
          c.id,
          keepFrom,
        );
        freed += c.bytes - (left?.bytes ?? 0);
      }
      return freed;
    });
  }

  /** At the conversation cap: forgets the least recently active conversation nobody reads. */
  private async forgetOneUnread(): Promise<boolean> {
    const [gone] = await this.query<{ id: string }>(
      `WITH victim AS (
         SELECT "id" FROM "WebChatConversation"
         WHERE ("lastPolledAt" IS NULL OR "lastPolledAt" < $1::timestamp(3))
           AND "id" NOT IN (SELECT jsonb_array_elements_text($2::jsonb))
         ORDER BY "lastActiveAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
       DELETE FROM "WebChatConversation" WHERE "id" IN (SELECT "id" FROM victim) RETURNING "id"`,
      at(this.now() - WATCHED_MS),
      JSON.stringify([...this.waiters.keys()]),
    );
    return !!gone;
  }

  async since(conversation: WebChatConversation, watermark?: string) {
    const from = Number.parseInt(watermark ?? '', 10) || 0;
    // One statement: the watermark and the activities are of the same moment.
    const rows = await this.query<{ lastSeq: number; seq: number | null; activity: string | null }>(
      `SELECT c."lastSeq", a."seq", a."activity" FROM "WebChatConversation" c
       LEFT JOIN "WebChatActivity" a ON a."conversationId" = c."id" AND a."seq" > $2
       WHERE c."id" = $1 ORDER BY a."seq"`,
      conversation.id,
      from,
    );
    if (!rows.length) return { activities: [], watermark: String(Math.max(0, from)) };
    const activities = rows.filter((r) => r.seq !== null).map((r) => this.activityOf(conversation.id, r));
    return { activities, watermark: String(rows[0].lastSeq) };
  }

  async recent(conversation: WebChatConversation, count: number) {
    const rows = await this.query<{ seq: number; activity: string }>(
      `SELECT "seq", "activity" FROM "WebChatActivity" WHERE "conversationId" = $1 ORDER BY "seq" DESC LIMIT $2`,
      conversation.id,
      count,
    );
    return rows.reverse().map((r) => this.activityOf(conversation.id, r));
  }

  private activityOf(conversationId: string, row: { seq: number | null; activity: string | null }): Activity {
    return { ...(JSON.parse(row.activity!) as Activity), id: activityId(conversationId, row.seq!) };
  }

  async waitForActivity(
    conversation: WebChatConversation,
    watermark: string | undefined,
    ms: number,
    signal?: AbortSignal,
  ): Promise<void> {
    if (ms <= 0 || signal?.aborted) return;
    const id = conversation.id;
    let finish!: () => void;
    const woken = new Promise<void>((resolve) => {
      const waiters = this.waiters.get(id) ?? new Set();
      this.waiters.set(id, waiters);
      finish = () => {
        clearTimeout(timer);
        waiters.delete(finish);
        if (!waiters.size && this.waiters.get(id) === waiters) this.waiters.delete(id);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      waiters.add(finish);
      signal?.addEventListener('abort', finish);
    });
    // Waiting already, then looking: news written meanwhile wakes it.
    try {
      const from = Number.parseInt(watermark ?? '', 10) || 0;
      const [{ news }] = await this.query<{ news: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM "WebChatActivity" WHERE "conversationId" = $1 AND "seq" > $2) AS "news"`,
        id,
        from,
      );
      if (news) finish();
    } catch (err) {
      finish();
      throw err;
    }
    return woken;
  }

  async polled(conversation: WebChatConversation) {
    const now = this.now();
    const last = this.polledAt.get(conversation.id);
    if (last !== undefined && now - last < POLL_WRITE_MS) return;
    if (this.polledAt.size >= 50_000) this.polledAt.clear();
    this.polledAt.set(conversation.id, now);
    await this.query(
      `UPDATE "WebChatConversation" SET "lastPolledAt" = $2::timestamp(3) WHERE "id" = $1 RETURNING "id"`,
      conversation.id,
      at(now),
    );
  }

  async isWatched(conversation: WebChatConversation) {
    if (this.waiters.has(conversation.id)) return true;
    // A poll waiting on another instance wrote its time less than POLL_WRITE_MS + its wait ago.
    const [row] = await this.query<{ watched: boolean }>(
      `SELECT COALESCE("lastPolledAt" > $2::timestamp(3), false) AS "watched" FROM "WebChatConversation"
       WHERE "id" = $1`,
      conversation.id,
      at(this.now() - WATCHED_MS),
    );
    return !!row?.watched;
  }

  async exclusive<T>(conversationId: string, task: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + TURN_WAIT_MS;
    let locked: boolean | undefined;
    for (;;) {
      // Listening for the end of the other turn before asking: it cannot end unseen in between.
      let ended!: () => void;
      const end = new Promise<void>((resolve) => (ended = resolve));
      const waiting = this.turnWaiters.get(conversationId) ?? new Set();
      this.turnWaiters.set(conversationId, waiting);
      waiting.add(ended);
      try {
        locked = await this.listener.tryLock(TURN_LOCK_SPACE, conversationId);
        if (locked !== false || Date.now() >= deadline) break;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([end, new Promise((r) => (timer = setTimeout(r, TURN_RETRY_MS)))]);
        clearTimeout(timer);
      } finally {
        waiting.delete(ended);
        if (!waiting.size && this.turnWaiters.get(conversationId) === waiting) this.turnWaiters.delete(conversationId);
      }
    }
    if (locked === false) this.options.log.warn("web chat: a turn ran beside another instance's after 60 s of waiting");
    try {
      return await task();
    } finally {
      if (locked) await this.listener.unlock(TURN_LOCK_SPACE, conversationId, TURN_CHANNEL);
    }
  }

  private turnEnded(conversationId: string) {
    for (const w of [...(this.turnWaiters.get(conversationId) ?? [])]) w();
  }

  async keepClip(conversationId: string, clipId: string, audio: () => Promise<Buffer>, ttlMs: number) {
    const key = `${conversationId} ${clipId}`;
    const now = this.now();
    // (The same clip again soon, a menu for one: kept already.)
    if (now - (this.clipsKept.get(key) ?? -Infinity) < ttlMs / 3) return;
    if (this.clipsKept.size >= 10_000) this.clipsKept.clear();
    const expiresAt = new Date(now + ttlMs);
    try {
      await this.prisma.webChatClip.upsert({
        where: { conversationId_clipId: { conversationId, clipId } },
        create: { conversationId, clipId, audio: new Uint8Array(await audio()), expiresAt },
        update: { expiresAt },
      });
      this.clipsKept.set(key, now);
    } catch (err) {
      // The conversation is gone (its page with it), or the database failed: this instance still serves it.
      this.options.log.warn({ err: safeError(err) }, 'web chat: a spoken clip is not shared with the other instances');
    }
  }

  async clip(conversationId: string, clipId: string) {
    const row = await this.prisma.webChatClip.findUnique({
      where: { conversationId_clipId: { conversationId, clipId } },
    });
    return row && row.expiresAt.getTime() > this.now() ? Buffer.from(row.audio) : undefined;
  }

  async count() {
    const [{ n }] = await this.query<{ n: number }>(`SELECT count(*)::int AS "n" FROM "WebChatConversation"`);
    return n;
  }

  wakeAll() {
    for (const id of [...this.waiters.keys()]) this.wake(id);
  }

  private wake(id: string) {
    for (const w of [...(this.waiters.get(id) ?? [])]) w();
  }

  async sweep() {
    const now = this.now();
    await this.query(`DELETE FROM "WebChatToken" WHERE "expiresAt" <= $1::timestamp(3) RETURNING "hash"`, at(now));
    await this.query(`DELETE FROM "WebChatClip" WHERE "expiresAt" <= $1::timestamp(3) RETURNING "clipId"`, at(now));
    // Idle, and nobody reads it: not polled lately (a poll waiting anywhere wrote its time), none waiting here.
    const gone = await this.query<{ id: string }>(
      `DELETE FROM "WebChatConversation"
       WHERE "lastActiveAt" < $1::timestamp(3) AND ("lastPolledAt" IS NULL OR "lastPolledAt" < $2::timestamp(3))
         AND "id" NOT IN (SELECT jsonb_array_elements_text($3::jsonb))
       RETURNING "id"`,
      at(now - this.options.idleSeconds * 1000),
      at(now - WATCHED_MS),
      JSON.stringify([...this.waiters.keys()]),
    );
    for (const { id } of gone) this.polledAt.delete(id);
    await (this.checking ??= this.checkTotal().finally(() => (this.checking = undefined)));
    return gone.length;
  }

  async close() {
    await this.listener.close();
    this.wakeAll();
  }
}

/**
 * One LISTEN connection of the instance: each NOTIFY wakes this instance's polls of its
 * conversation (or its turns waiting for another instance's turn). When the connection drops, the
 * polls waiting are woken (they ask again) and it is opened again, waiting longer each time (up to
 * 10 s). The turns' advisory locks are taken on it too: they go with it if the instance dies.
 */
class Listener {
  private client?: Client;
  private closed = false;
  private retryMs = 250;
  private timer?: NodeJS.Timeout;
  private pinger?: NodeJS.Timeout;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly channels: Record<string, (payload: string) => void>,
    private readonly onGap: () => void,
  ) {}

  get up(): boolean {
    return !!this.client;
  }

  /** Listens now; when the database does not answer, tries again in the background. */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (err) {
      this.log.warn({ err: safeError(err) }, 'web chat: cannot LISTEN yet; long polls end at their timeout meanwhile');
      this.retry();
    }
  }

  private async connect() {
    const client = new Client({ connectionString: this.url, application_name: LISTENER_NAME, keepAlive: true });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    client.on('notification', (n) => {
      if (n.payload) this.channels[n.channel]?.(n.payload);
    });
    try {
      await client.connect();
      for (const channel of Object.keys(this.channels)) await client.query(`LISTEN ${channel}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) return void (await client.end().catch(() => undefined));
    this.client = client;
    this.retryMs = 250;
    // A connection cut without a word (a firewall, a failover) shows when a query gets no answer.
    this.pinger = setInterval(() => {
      const timeout = setTimeout(() => this.lost(client, new Error('no answer to the ping')), 10_000);
      client.query('SELECT 1').then(
        () => clearTimeout(timeout),
        (err: Error) => (clearTimeout(timeout), this.lost(client, err)),
      );
    }, 30_000);
    this.pinger.unref();
  }

  private lost(client: Client, err?: Error) {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.pinger);
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    if (this.closed) return;
    this.log.warn({ err: err && safeError(err) }, 'web chat: the LISTEN connection dropped; opening it again');
    this.onGap(); // what was notified meanwhile is not known: the polls ask again
    this.retry();
  }

  private retry() {
    if (this.closed) return;
    this.timer = setTimeout(async () => {
      try {
        await this.connect();
        this.log.info('web chat: listening again');
        this.onGap();
      } catch {
        this.retryMs = Math.min(10_000, this.retryMs * 2);
        this.retry();
      }
    }, this.retryMs);
    this.timer.unref();
  }

  /** Takes the session lock (space, hashtext(key)): true; false when another session holds it; undefined when down. */
  async tryLock(space: number, key: string): Promise<boolean | undefined> {
    const client = this.client;
    if (!client) return undefined;
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
        space,
        key,
      ]);
      return rows[0].ok;
    } catch {
      return undefined;
    }
  }

  /** Lets go of the lock and says so on `channel` (a lock lost with its connection is gone already). */
  async unlock(space: number, key: string, channel: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    await client
      .query('SELECT pg_advisory_unlock($1, hashtext($2)) AS ok, pg_notify($3, $2) AS n', [space, key, channel])
      .catch(() => undefined);
  }

  async close() {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
    }
  }
}
