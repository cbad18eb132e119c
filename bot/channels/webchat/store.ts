// Where the web chat's Direct Line conversations live, as the endpoint (directLine.ts) sees them:
// - in this process's memory (conversations.ts) with SQLite, the single-process mode: a restart
//   makes the page open a new conversation;
// - in PostgreSQL (pgStore.ts), so that every instance of the service answers any request of any
//   conversation, a long poll on one instance wakes when another writes the reply, and a restart of
//   every instance loses no conversation.
// Both keep the same bounds (activities per conversation by count and bytes, bytes in all, number
// of conversations) and forget idle conversations and expired tokens in sweep().
import type { Activity } from 'botbuilder';
import { ConversationStore, type DirectLineConversation } from './conversations';

/** how long a spoken clip of a page is kept for it: as long as the voice keeps one made for a turn (voice.ts) */
export const CLIP_TTL_MS = 15 * 60_000;

/** A conversation as the endpoint reads it; the store keeps the rest. */
export interface WebChatConversation {
  readonly id: string;
  /** the Direct Line user id, once known (from the token or the first activity) */
  userId?: string;
  locale?: string;
  /** the bot greeted the person */
  started: boolean;
}

export interface WebChatStore {
  readonly tokenTtlSeconds: number;
  /** A new conversation and its first token; TooManyConversationsError at the cap (when none can go). */
  create(userId?: string, locale?: string): Promise<{ conversation: WebChatConversation; token: string }>;
  get(id: string): Promise<WebChatConversation | undefined>;
  /** The conversation a token opens, if the token is known and not expired. */
  conversationOfToken(token: string): Promise<WebChatConversation | undefined>;
  issueToken(conversation: WebChatConversation): Promise<string>;
  /** A fresh token for the conversation; the one it replaces stops working at once. */
  refreshToken(conversation: WebChatConversation, old: string): Promise<string>;
  /**
   * The conversation is opened by its page: its user id and locale are filled in where unknown, and
   * it is marked started. True when this call started it (the bot greets then, once).
   */
  start(conversation: WebChatConversation, userId?: string, locale?: string): Promise<boolean>;
  /** The conversation's user id: the one it has, else `userId` from now on. */
  setUser(conversation: WebChatConversation, userId: string): Promise<string>;
  /** Forgets a conversation now: its activities and tokens go, and whoever waits on it wakes. */
  forget(conversation: WebChatConversation): Promise<void>;
  /** Adds an activity, gives it its id (returned), and wakes whoever waits for news. */
  append(conversation: WebChatConversation, activity: Activity): Promise<string>;
  /** Activities after `watermark` (all when absent or invalid), and the new watermark. */
  since(conversation: WebChatConversation, watermark?: string): Promise<{ activities: Activity[]; watermark: string }>;
  /** The conversation's last activities still kept, oldest first (at most `count`). */
  recent(conversation: WebChatConversation, count: number): Promise<Activity[]>;
  /** Waits until an activity arrives after `watermark`, or `ms` pass, or `signal` aborts. */
  waitForActivity(
    conversation: WebChatConversation,
    watermark: string | undefined,
    ms: number,
    signal?: AbortSignal,
  ): Promise<void>;
  /** A client reads the conversation (a GET of its activities). */
  polled(conversation: WebChatConversation): Promise<void>;
  /** Someone has the chat open now: a client waits for news, or asked within the last 30 s. */
  isWatched(conversation: WebChatConversation): Promise<boolean>;
  /**
   * Runs `task` (a turn of the conversation) while no other instance runs one of the same
   * conversation: a person's messages are handled one after the other whichever instance took
   * them. (Within an instance, the turn queue orders them.)
   */
  exclusive<T>(conversationId: string, task: () => Promise<T>): Promise<T>;
  /**
   * Keeps a spoken clip the conversation's page plays for `ttlMs`, so that every instance serves it
   * (PostgreSQL; in memory there is one instance, whose voice keeps its clips).
   */
  keepClip(conversationId: string, clipId: string, audio: () => Promise<Buffer>, ttlMs: number): Promise<void>;
  /** A clip kept for the conversation, while it is kept. */
  clip(conversationId: string, clipId: string): Promise<Buffer | undefined>;
  /** how many conversations are open */
  count(): Promise<number>;
  /** Ends every wait at once (at shutdown). */
  wakeAll(): void;
  /** Forgets idle conversations and expired tokens. Returns how many conversations went. */
  sweep(): Promise<number>;
  /** Lets go of what the store holds open (PostgreSQL: its LISTEN connection). */
  close(): Promise<void>;
}

/** The in-memory store (conversations.ts) behind the store interface: one process, SQLite. */
export class MemoryWebChatStore implements WebChatStore {
  constructor(readonly memory: ConversationStore) {}

  get tokenTtlSeconds(): number {
    return this.memory.tokenTtlSeconds;
  }

  // The conversations handed out are the memory store's own objects.
  private own(conversation: WebChatConversation): DirectLineConversation {
    return conversation as DirectLineConversation;
  }

  async create(userId?: string, locale?: string) {
    return this.memory.create(userId, locale);
  }

  async get(id: string) {
    return this.memory.get(id);
  }

  async conversationOfToken(token: string) {
    return this.memory.conversationOfToken(token);
  }

  async issueToken(conversation: WebChatConversation) {
    return this.memory.issueToken(this.own(conversation));
  }

  async refreshToken(conversation: WebChatConversation, old: string) {
    return this.memory.refreshToken(this.own(conversation), old);
  }

  async start(conversation: WebChatConversation, userId?: string, locale?: string) {
    conversation.userId ??= userId;
    if (locale !== undefined) conversation.locale ??= locale;
    const isNew = !conversation.started;
    conversation.started = true;
    return isNew;
  }

  async setUser(conversation: WebChatConversation, userId: string) {
    return (conversation.userId ??= userId);
  }

  async forget(conversation: WebChatConversation) {
    this.memory.forget(this.own(conversation));
  }

  async append(conversation: WebChatConversation, activity: Activity) {
    return this.memory.append(this.own(conversation), activity);
  }

  async since(conversation: WebChatConversation, watermark?: string) {
    return this.memory.since(this.own(conversation), watermark);
  }

  async recent(conversation: WebChatConversation, count: number) {
    return this.own(conversation).activities.slice(-count);
  }

  waitForActivity(conversation: WebChatConversation, watermark: string | undefined, ms: number, signal?: AbortSignal) {
    return this.memory.waitForActivity(this.own(conversation), watermark, ms, signal);
  }

  async polled(conversation: WebChatConversation) {
    this.memory.polled(this.own(conversation));
  }

  async isWatched(conversation: WebChatConversation) {
    return this.memory.isWatched(this.own(conversation));
  }

  exclusive<T>(_conversationId: string, task: () => Promise<T>) {
    return task(); // one process: its turn queue is enough
  }

  async keepClip() {}

  async clip() {
    return undefined;
  }

  async count() {
    return this.memory.size;
  }

  wakeAll() {
    this.memory.wakeAll();
  }

  async sweep() {
    return this.memory.sweep();
  }

  async close() {}
}

/** The store interface of a memory store or of another store. */
export function webChatStore(store: ConversationStore | WebChatStore): WebChatStore {
  return store instanceof ConversationStore ? new MemoryWebChatStore(store) : store;
}
