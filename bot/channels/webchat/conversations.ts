// The built-in web chat's Direct Line conversations, kept in memory like the real service keeps
// them for a while: each has a random token scoped to it and the list of its activities, read by
// watermark. People's state (language, dialogs) lives in the database, not here: a restart only
// makes the page open a new conversation.
import crypto from 'node:crypto';
import type { Activity } from 'botbuilder';

export interface DirectLineConversation {
  id: string;
  /** the Direct Line user id, once known (from the token or the first activity) */
  userId?: string;
  locale?: string;
  started: boolean;
  /** activities in order; activities[i] has watermark `offset + i + 1` */
  activities: Activity[];
  offset: number;
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
  maxConversations?: number;
  now?: () => number;
}

export class TooManyConversationsError extends Error {}

const random = (bytes: number) => crypto.randomBytes(bytes).toString('base64url');

export class ConversationStore {
  private readonly conversations = new Map<string, DirectLineConversation>();
  private readonly tokens = new Map<string, TokenEntry>();
  private readonly now: () => number;

  constructor(private readonly options: ConversationStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.conversations.size;
  }

  create(userId?: string, locale?: string): { conversation: DirectLineConversation; token: string } {
    if (this.conversations.size >= (this.options.maxConversations ?? 20000)) {
      this.sweep();
      if (this.conversations.size >= (this.options.maxConversations ?? 20000)) throw new TooManyConversationsError();
    }
    const conversation: DirectLineConversation = {
      id: random(18),
      userId,
      locale,
      started: false,
      activities: [],
      offset: 0,
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
    this.tokens.set(token, { conversationId: conversation.id, expiresAt: this.now() + this.options.tokenTtlSeconds * 1000 });
    return token;
  }

  /** The conversation a token opens, if the token is known and not expired. */
  conversationOfToken(token: string): DirectLineConversation | undefined {
    const entry = this.tokens.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.tokens.delete(token);
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
    activity.id = `${conversation.id}|${String(watermark).padStart(7, '0')}`;
    conversation.activities.push(activity);
    const max = this.options.maxActivities ?? 1000;
    if (conversation.activities.length > max) {
      const drop = conversation.activities.length - max;
      conversation.activities.splice(0, drop);
      conversation.offset += drop;
    }
    conversation.lastActiveAt = this.now();
    this.wake(conversation);
    return activity.id;
  }

  /** Activities after `watermark` (all when absent or invalid), and the new watermark. */
  since(conversation: DirectLineConversation, watermark?: string): { activities: Activity[]; watermark: string } {
    const from = Math.max(0, (Number.parseInt(watermark ?? '', 10) || 0) - conversation.offset);
    const end = conversation.offset + conversation.activities.length;
    return { activities: conversation.activities.slice(from), watermark: String(end) };
  }

  /** Waits until an activity arrives after `watermark`, or `ms` pass, or `signal` aborts. */
  waitForActivity(conversation: DirectLineConversation, watermark: string | undefined, ms: number, signal?: AbortSignal): Promise<void> {
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
    for (const [id, c] of this.conversations) {
      if (now - c.lastActiveAt > this.options.idleSeconds * 1000 && c.waiters.size === 0) {
        this.conversations.delete(id);
        removed++;
      }
    }
    for (const [token, entry] of this.tokens) {
      if (entry.expiresAt <= now || !this.conversations.has(entry.conversationId)) this.tokens.delete(token);
    }
    return removed;
  }
}
