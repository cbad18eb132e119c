// The built-in web chat's Direct Line conversations, kept in memory like the real service keeps
// them for a while: each has a random token scoped to it and the list of its activities, read by
// watermark. People's state (language, dialogs) lives in the database, not here: a restart only
// makes the page open a new conversation.
// Memory is bounded whatever clients send: activities per conversation (count and bytes: the
// oldest go first), bytes in all (the conversations idle the longest lose their activities first:
// their pages have read them long ago), and conversations (at the cap, one nobody reads is
// forgotten to make room; only when every one is read is a new visitor refused).
import crypto from 'node:crypto';
import type { Activity } from 'botbuilder-core';

export interface DirectLineConversation {
  id: string;
  /** the Direct Line user id, once known (from the token or the first activity) */
  userId?: string;
  locale?: string;
  started: boolean;
  /** activities in order; activities[i] has watermark `offset + i + 1` */
  activities: Activity[];
  /** the size of each of `activities` (its JSON, bytes), and their sum */
  sizes: number[];
  bytes: number;
  offset: number;
  /** its live tokens (revoked with it) */
  tokens: Set<string>;
  lastActiveAt: number;
  /** when a client last asked for its activities (a page with the chat open polls all the time) */
  lastPolledAt: number;
  waiters: Set<() => void>;
}

interface TokenEntry {
  conversationId: string;
  expiresAt: number;
}

export interface ConversationStoreOptions {
  tokenTtlSeconds: number;
  idleSeconds: number;
  /** activities kept per conversation; older ones can no longer be fetched */
  maxActivities?: number;
  /** bytes of activities kept per conversation (default 256 KB); older ones go */
  maxConversationBytes?: number;
  /** bytes of activities kept in all (default 64 MB); the least recently active conversations' go */
  maxTotalBytes?: number;
  maxConversations?: number;
  now?: () => number;
}

export class TooManyConversationsError extends Error {}

/** A random id or token (base64url), shared by both stores (this one and pgStore.ts). */
export const random = (bytes: number) => crypto.randomBytes(bytes).toString('base64url');

/** An activity's id: its conversation's and its watermark (both stores). */
export const activityId = (conversationId: string, watermark: number) =>
  `${conversationId}|${String(watermark).padStart(7, '0')}`;

/** The bounds of a store, its options' or the defaults (both stores keep the same). */
export function storeLimits(options: ConversationStoreOptions) {
  return {
    maxActivities: options.maxActivities ?? 1000,
    maxConversationBytes: options.maxConversationBytes ?? 256 * 1024,
    maxTotalBytes: options.maxTotalBytes ?? 64 * 1024 * 1024,
    maxConversations: options.maxConversations ?? 20000,
  };
}

export class ConversationStore {
  private readonly conversations = new Map<string, DirectLineConversation>();
  private readonly tokens = new Map<string, TokenEntry>();
  private readonly now: () => number;
  private totalBytes = 0;
  private readonly limits: ReturnType<typeof storeLimits>;

  constructor(private readonly options: ConversationStoreOptions) {
    this.limits = storeLimits(options);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.conversations.size;
  }

  /** bytes of activities held, all conversations together */
  get bytes(): number {
    return this.totalBytes;
  }

  create(userId?: string, locale?: string): { conversation: DirectLineConversation; token: string } {
    if (this.conversations.size >= this.limits.maxConversations) {
      this.sweep();
      if (this.conversations.size >= this.limits.maxConversations && !this.forgetOneUnread())
        throw new TooManyConversationsError();
    }
    const conversation: DirectLineConversation = {
      id: random(18),
      userId,
      locale,
      started: false,
      activities: [],
      sizes: [],
      bytes: 0,
      offset: 0,
      tokens: new Set(),
      lastActiveAt: this.now(),
      lastPolledAt: 0,
      waiters: new Set(),
    };
    this.conversations.set(conversation.id, conversation);
    return { conversation, token: this.issueToken(conversation) };
  }

  get(id: string): DirectLineConversation | undefined {
    return this.conversations.get(id);
  }

  issueToken(conversation: DirectLineConversation): string {
    const token = random(32);
    this.tokens.set(token, {
      conversationId: conversation.id,
      expiresAt: this.now() + this.options.tokenTtlSeconds * 1000,
    });
    conversation.tokens.add(token);
    return token;
  }

  /** A fresh token for the conversation; the one it replaces stops working at once. */
  refreshToken(conversation: DirectLineConversation, old: string): string {
    this.revokeToken(conversation, old);
    return this.issueToken(conversation);
  }

  private revokeToken(conversation: DirectLineConversation, token: string): void {
    if (this.tokens.get(token)?.conversationId === conversation.id) this.tokens.delete(token);
    conversation.tokens.delete(token);
  }

  /** Forgets a conversation now: its activities and tokens go, and whoever waits on it wakes. */
  forget(conversation: DirectLineConversation): void {
    if (this.conversations.get(conversation.id) !== conversation) return;
    this.conversations.delete(conversation.id);
    for (const token of conversation.tokens) this.tokens.delete(token);
    conversation.tokens.clear();
    this.drop(conversation, conversation.activities.length);
    this.wake(conversation);
  }

  /** The conversation a token opens, if the token is known and not expired. */
  conversationOfToken(token: string): DirectLineConversation | undefined {
    const entry = this.tokens.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.tokens.delete(token);
      this.conversations.get(entry.conversationId)?.tokens.delete(token);
      return undefined;
    }
    return this.conversations.get(entry.conversationId);
  }

  get tokenTtlSeconds(): number {
    return this.options.tokenTtlSeconds;
  }

  /** Adds an activity, gives it its id, and wakes whoever waits for news. */
  append(conversation: DirectLineConversation, activity: Activity): string {
    const watermark = conversation.offset + conversation.activities.length + 1;
    activity.id = activityId(conversation.id, watermark);
    if (this.conversations.get(conversation.id) !== conversation) return activity.id; // forgotten meanwhile
    const size = Buffer.byteLength(JSON.stringify(activity));
    conversation.activities.push(activity);
    conversation.sizes.push(size);
    conversation.bytes += size;
    this.totalBytes += size;
    // Within the conversation's limits: the oldest go (the newest always stays).
    const { maxActivities: maxCount, maxConversationBytes: maxBytes } = this.limits;
    let drop = Math.max(0, conversation.activities.length - maxCount);
    let bytes = conversation.bytes - conversation.sizes.slice(0, drop).reduce((a, b) => a + b, 0);
    while (bytes > maxBytes && drop < conversation.activities.length - 1) bytes -= conversation.sizes[drop++];
    this.drop(conversation, drop);
    conversation.lastActiveAt = this.now();
    // The map stays in order of activity (the least recently active first), for trimWhole().
    this.conversations.delete(conversation.id);
    this.conversations.set(conversation.id, conversation);
    this.trimWhole(conversation);
    this.wake(conversation);
    return activity.id;
  }

  /** Drops a conversation's `count` oldest activities (watermarks stay right). */
  private drop(conversation: DirectLineConversation, count: number): void {
    if (count <= 0) return;
    const freed = conversation.sizes.splice(0, count).reduce((a, b) => a + b, 0);
    conversation.activities.splice(0, count);
    conversation.offset += count;
    conversation.bytes -= freed;
    this.totalBytes -= freed;
  }

  /** Past the total: the activities of the conversations idle the longest go, `keep`'s last. */
  private trimWhole(keep: DirectLineConversation): void {
    const max = this.limits.maxTotalBytes;
    if (this.totalBytes <= max) return;
    for (const c of this.conversations.values()) {
      if (this.totalBytes <= max) return;
      if (c !== keep) this.drop(c, c.activities.length);
    }
    this.drop(keep, keep.activities.length - 1);
  }

  /** At the conversation cap: forgets the least recently active conversation nobody reads. */
  private forgetOneUnread(): boolean {
    for (const c of this.conversations.values()) {
      if (!this.isWatched(c)) {
        this.forget(c);
        return true;
      }
    }
    return false;
  }

  /** Activities after `watermark` (all when absent or invalid), and the new watermark. */
  since(conversation: DirectLineConversation, watermark?: string): { activities: Activity[]; watermark: string } {
    const from = Math.max(0, (Number.parseInt(watermark ?? '', 10) || 0) - conversation.offset);
    const end = conversation.offset + conversation.activities.length;
    return { activities: conversation.activities.slice(from), watermark: String(end) };
  }

  /** Waits until an activity arrives after `watermark`, or `ms` pass, or `signal` aborts. */
  waitForActivity(
    conversation: DirectLineConversation,
    watermark: string | undefined,
    ms: number,
    signal?: AbortSignal,
  ): Promise<void> {
    if (this.since(conversation, watermark).activities.length || ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        conversation.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      conversation.waiters.add(done);
      signal?.addEventListener('abort', done);
    });
  }

  /** A client reads the conversation (a GET of its activities). */
  polled(conversation: DirectLineConversation): void {
    conversation.lastPolledAt = this.now();
  }

  /**
   * Someone has the chat open now: a client waits for news, or asked within the last 30 s. A
   * message sent to a chat nobody reads would never be seen (the next visit opens another one).
   */
  isWatched(conversation: DirectLineConversation): boolean {
    return conversation.waiters.size > 0 || this.now() - conversation.lastPolledAt < 30_000;
  }

  /** Ends every wait at once (at shutdown). */
  wakeAll(): void {
    for (const c of this.conversations.values()) this.wake(c);
  }

  private wake(conversation: DirectLineConversation) {
    for (const w of [...conversation.waiters]) w();
  }

  /** Forgets idle conversations and expired tokens. Returns how many conversations went. */
  sweep(): number {
    const now = this.now();
    let removed = 0;
    for (const c of [...this.conversations.values()]) {
      if (now - c.lastActiveAt > this.options.idleSeconds * 1000 && c.waiters.size === 0) {
        this.forget(c);
        removed++;
      }
    }
    for (const [token, entry] of this.tokens) {
      if (entry.expiresAt <= now || !this.conversations.has(entry.conversationId)) {
        this.tokens.delete(token);
        this.conversations.get(entry.conversationId)?.tokens.delete(token);
      }
    }
    return removed;
  }
}
