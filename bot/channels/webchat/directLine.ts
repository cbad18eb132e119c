// A local Direct Line 3.0 endpoint for the built-in web chat, enough for Microsoft's clients
// (Web Chat and botframework-directlinejs) to work unchanged with their `domain` option:
//   POST /v3/directline/tokens/generate            a token for a new conversation
//   POST /v3/directline/tokens/refresh             a fresh token for the same conversation
//   POST /v3/directline/conversations              start (or open the token's) conversation
//   GET  /v3/directline/conversations/:id          reconnect
//   POST /v3/directline/conversations/:id/activities   post an activity -> { id }
//   GET  /v3/directline/conversations/:id/activities?watermark=   activities after the watermark
//   POST /v3/directline/conversations/:id/upload    a message with files (multipart: an "activity"
//                                                   part and "file" parts), as Web Chat sends them
//   GET  /webchat/media/:id                          a file sent by the person (media/serve.ts)
// The GET of activities waits (long poll) until there is news, so replies show at once.
// Status codes follow the service: 401 no token, 403 a bad or expired token or another
// conversation's token, 404 an unknown conversation, 400 a malformed activity, 413 too big.
// Tokens open one conversation each; a refresh revokes the token it replaces. DIRECTLINE_SECRET,
// when set, opens every conversation, as the service's secret does, for server-side clients; the
// web page never sees it.
// Anyone may open the page, so per client address (TRUST_PROXY decides which address that is)
// token requests and posts are rate limited (429 with Retry-After), and from a posted activity
// only what the bot needs is kept (see inbound()); typing indicators are not stored at all.
// A client's "endOfConversation" ends the conversation here at once (the page's "forget me").
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { Activity, Attachment, TurnContext } from 'botbuilder-core';
import restify, { type Request, type Response, type Server } from 'restify';
import type { BotCore } from '../../turns/botCore';
import type { Logger } from '../../runtime/logger';
import { ConversationStore, TooManyConversationsError } from './conversations';
import { CLIP_TTL_MS, webChatStore, type WebChatConversation, type WebChatStore } from './store';
import { InProcessAdapter } from './inProcessAdapter';
import { renderForWebChat } from './renderer';
import { mediaIdOf, type MediaStore } from '../../media/store';
import { keepUploads, ownAttachments as ownFiles } from '../../media/intake';
import { withSenderLinks } from '../../media/links';
import { webchatRefusal } from '../../media/refusal';
import { languageFromLocaleTag } from '../../i18n/languages';
import { addressPrefix, clientAddress, NO_PROXY, type TrustedProxies } from '../../http/clientAddress';
import { AddressLimit } from '../../http/sharedRateLimit';
import { SlowRefusals } from '../../http/slowRefusals';
import type { Db } from '../../db/client';
import { safeError } from '../../runtime/safeError';
import { sendError } from '../../http/errorResponse';
import { turnListens, turnLocale } from '../../turns/turnState';
import { voiceLink } from '../../voice/serve';

export const CHANNEL_ID = 'webchat';
export const BOT_ACCOUNT = { id: 'passerelle', name: 'Passerelle', role: 'bot' };
/** a posted activity: MAX_TEXT characters in any script and Web Chat's few fields fit well */
export const MAX_BODY_BYTES = 32 * 1024;
/** the body of a token request or a conversation start ({ user: { id }, locale }) */
const MAX_SMALL_BODY_BYTES = 4 * 1024;
const BASE = '/v3/directline';

/** Client-chosen user ids must be unguessable: they key the person's stored state. */
const USER_ID = /^[A-Za-z0-9_-]{16,100}$/;
const ACTIVITY_TYPES = new Set(['message', 'event', 'typing', 'endOfConversation']);
/** as a WhatsApp text: more than anyone writes to the bot, little for a flood */
const MAX_TEXT = 4096;
/** a card submit's value, as JSON */
const MAX_VALUE_BYTES = 4096;
const MAX_ATTACHMENTS = 10;
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/;
/** Web Chat's id for its own post, echoed back so that it shows the message once */
const CLIENT_ACTIVITY_ID = /^[\w.:-]{1,100}$/;
/** a button's label, as the person's bubble shows it */
const MAX_DISPLAY_TEXT = 200;

export interface DirectLineOptions {
  /** the conversations: in this process's memory (SQLite), or in PostgreSQL (store.ts) */
  store: ConversationStore | WebChatStore;
  media: MediaStore;
  /** largest upload, bytes */
  maxUploadBytes: number;
  /** DIRECTLINE_SECRET: empty for none */
  secret?: string;
  core: BotCore;
  log: Logger;
  /** how long a GET of activities waits for news, ms (the client gives up after 20 s) */
  longPollMs?: number;
  /** whose X-Forwarded-For names the client (TRUST_PROXY) */
  trustProxy?: TrustedProxies;
  /** token requests (new conversations, refreshes) a client address may make a minute (a quarter of them at once) */
  tokensPerMinute?: number;
  /** activities a client address may post a minute (a quarter of them at once) */
  postsPerMinute?: number;
  /** the PostgreSQL database the instances share: the limits above hold for them all */
  sharedLimits?: Db;
}

export class DirectLineChannel {
  readonly adapter: InProcessAdapter;
  /** where the conversations live (store.ts) */
  readonly conversations: WebChatStore;
  private readonly shutdown = new AbortController();
  private readonly tokenRequests: AddressLimit;
  private readonly posts: AddressLimit;
  /** the refusals of addresses that keep sending anyway, held a moment */
  private readonly refusals = new SlowRefusals();
  /** the conversation of an upload, authorized before its files are read */
  private readonly uploading = new WeakMap<Request, WebChatConversation>();

  constructor(private readonly options: DirectLineOptions) {
    // At once: a quarter of a minute's worth (5 at least), so that a flood comes in a trickle.
    const burst = (perMinute: number) => Math.max(5, Math.ceil(perMinute / 4));
    const tokens = options.tokensPerMinute ?? 20;
    const posts = options.postsPerMinute ?? 60;
    const db = options.sharedLimits;
    this.tokenRequests = new AddressLimit({ scope: 'webchat-tokens', burst: burst(tokens), perMinute: tokens, db });
    this.posts = new AddressLimit({ scope: 'webchat-posts', burst: burst(posts), perMinute: posts, db });
    const store = (this.conversations = webChatStore(options.store));
    this.adapter = new InProcessAdapter(async (activity, context) => {
      const conversation = await store.get(context.activity.conversation.id);
      if (!conversation) return { id: '' }; // the page went away: nothing to deliver to
      const spoken = await this.spokenClip(activity, context, conversation.id);
      const out = {
        ...renderForWebChat(activity), // buttons instead of numbered lines, tel: links (renderer.ts)
        ...(spoken && { attachments: [...(activity.attachments ?? []), spoken] }),
        channelId: CHANNEL_ID,
        conversation: { id: conversation.id },
        from: BOT_ACCOUNT,
        recipient: { id: conversation.userId ?? context.activity.from.id, role: 'user' },
        timestamp: new Date(),
      } as unknown as Activity;
      return { id: await store.append(conversation, out) };
    });
    options.core.installPipeline(this.adapter);
    // Notifications reach a person whose chat is open (someone reads it); otherwise they wait for the next visit.
    options.core.notifier.register(CHANNEL_ID, {
      send: async (target, activities, _id, personIsHere) => {
        const conversation = await store.get(target.conversationId);
        // (A person here, in a turn on this very conversation, reads what comes next.)
        if (!conversation || !(personIsHere || (await store.isWatched(conversation)))) return false;
        await this.adapter.continueConversation(target.reference, async (context) => {
          await context.sendActivities(activities);
        });
        return true;
      },
    });
  }

  /**
   * For a person who listens: the message's clip, as an audio attachment the page plays (a link
   * signed for this conversation). Nothing when the language has no voice or synthesis failed:
   * the text goes alone.
   */
  private async spokenClip(activity: Partial<Activity>, context: TurnContext, conversationId: string) {
    const { voice } = this.options.core;
    if (!voice || activity.type !== 'message' || !turnListens(context) || !(activity.speak || activity.text)) return;
    try {
      const clip = await voice.clip(turnLocale(context), [activity]);
      if (!clip) return undefined;
      // For the other instances (PostgreSQL): the page may ask any of them for it.
      await this.conversations.keepClip(conversationId, clip.id, () => clip.audio(), CLIP_TTL_MS);
      return { contentType: 'audio/ogg', contentUrl: voiceLink(clip.id, conversationId), name: 'voice.ogg' };
    } catch (err) {
      this.options.log.warn({ err: safeError(err) }, 'web chat: no spoken clip; the text goes alone');
      return undefined;
    }
  }

  register(server: Server): void {
    const body = restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, mapFiles: false });
    const small = restify.plugins.bodyParser({ maxBodySize: MAX_SMALL_BODY_BYTES, mapParams: false, mapFiles: false });
    // (Limits come before the body is read: a refused request costs next to nothing.)
    const tokenLimit = this.limit(this.tokenRequests, 'token requests');
    const postLimit = this.limit(this.posts, 'messages');
    server.post(`${BASE}/tokens/generate`, tokenLimit, small, async (req: Request, res: Response) =>
      this.generateToken(req, res),
    );
    server.post(`${BASE}/tokens/refresh`, tokenLimit, async (req: Request, res: Response) =>
      this.refreshToken(req, res),
    );
    server.post(
      `${BASE}/conversations`,
      (req: Request, res: Response, next: restify.Next) =>
        void this.opensKnown(req).then(
          (known) => (known ? next() : tokenLimit(req, res, next)),
          (err: Error) => next(err),
        ),
      small,
      async (req: Request, res: Response) => this.startConversation(req, res),
    );
    server.get(`${BASE}/conversations/:id`, async (req: Request, res: Response) => this.reconnect(req, res));
    server.post(`${BASE}/conversations/:id/activities`, postLimit, body, async (req: Request, res: Response) =>
      this.postActivity(req, res),
    );
    server.get(`${BASE}/conversations/:id/activities`, async (req: Request, res: Response) =>
      this.getActivities(req, res),
    );
    const multipart = restify.plugins.multipartBodyParser({
      uploadDir: os.tmpdir(),
      maxFileSize: this.options.maxUploadBytes,
      multiples: true,
      mapParams: false,
      mapFiles: false,
    });
    server.post(
      `${BASE}/conversations/:id/upload`,
      postLimit,
      (req: Request, res: Response, next: restify.Next) =>
        void this.checkUpload(req, res, next).catch((err: Error) => next(err)),
      multipart,
      async (req: Request, res: Response) => this.upload(req, res),
    );
    // GET /webchat/media/:id is media/serve.ts's (registered by the app: it needs the database).
  }

  /** the conversations in memory (tests look at their sizes); not with PostgreSQL: see `conversations` */
  get store(): ConversationStore {
    if (!(this.options.store instanceof ConversationStore))
      throw new Error('the web chat conversations are in the database: use `conversations`');
    return this.options.store;
  }

  /** Ends the long polls, so that the server can close. */
  close(): void {
    this.shutdown.abort();
    this.conversations.wakeAll();
  }

  private async generateToken(req: Request, res: Response) {
    const { user, locale } = (isObject(req.body) ? req.body : {}) as { user?: { id?: unknown }; locale?: unknown };
    const created = await this.create(res, userIdFrom(user?.id), typeof locale === 'string' ? locale : undefined);
    if (created) res.send(200, this.conversationInfo(created.conversation, created.token));
  }

  private async refreshToken(req: Request, res: Response) {
    const found = await this.authorize(req, res);
    if (!found) return;
    const old = bearer(req)!;
    const token = this.isSecret(old)
      ? await this.conversations.issueToken(found)
      : await this.conversations.refreshToken(found, old);
    res.send(200, this.conversationInfo(found, token));
  }

  /** A middleware that refuses a client address past its bucket: 429 and when to try again. */
  private limit(limit: AddressLimit, what: string) {
    return (req: Request, res: Response, next: restify.Next) => {
      const token = bearer(req);
      if (token && this.isSecret(token)) return next(); // a server-side client of ours
      const address = addressPrefix(clientAddress(req, this.options.trustProxy ?? NO_PROXY));
      const wait = limit.take(address);
      if (typeof wait === 'number') return this.limited(wait, what, address, req, res, next);
      wait.then(
        (w) => this.limited(w, what, address, req, res, next),
        (err: Error) => {
          // The shared count is a guard, not a gate: without the database, this instance's count holds.
          this.options.log.warn({ err: safeError(err) }, 'web chat: shared rate limit not read');
          next();
        },
      );
    };
  }

  /**
   * Lets the request go on, or refuses it: 429 with Retry-After (`wait` seconds); at once, or a
   * moment later when the address keeps sending regardless (slowRefusals.ts).
   */
  private limited(wait: number, what: string, address: string, req: Request, res: Response, next: restify.Next) {
    if (!wait) {
      this.refusals.allowed(address);
      return next();
    }
    const hold = this.refusals.refused(address);
    const refuse = () => {
      if (res.headersSent || req.socket?.destroyed) return next(false); // the client went away meanwhile
      res.setHeader('Retry-After', String(wait));
      // A body no larger than a post may be is drained by Node and the connection kept, held or not
      // (a new connection for every refusal cost a flood more CPU than the bytes); a larger or
      // unsized body is not read: the connection closes rather than take in what a flood sends.
      if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES || req.headers['transfer-encoding'])
        res.setHeader('Connection', 'close');
      sendError(res, 429, 'TooManyRequests', `Too many ${what} from this address; try again in ${wait} s.`);
      return next(false);
    };
    if (hold) this.refusals.hold(hold, refuse);
    else refuse();
  }

  /** Forgets the shared counts of addresses that have their whole allowance again (a job). */
  async sweepLimits(): Promise<number> {
    return (await this.tokenRequests.sweep()) + (await this.posts.sweep());
  }

  /** A POST of conversations with a live token opens that conversation: no new one, no limit. */
  private async opensKnown(req: Request): Promise<boolean> {
    const token = bearer(req);
    return !!token && (this.isSecret(token) || !!(await this.conversations.conversationOfToken(token)));
  }

  private async startConversation(req: Request, res: Response) {
    const token = bearer(req);
    const { user, locale } = (isObject(req.body) ? req.body : {}) as { user?: { id?: unknown }; locale?: unknown };
    let conversation = token && !this.isSecret(token) ? await this.conversations.conversationOfToken(token) : undefined;
    let issued = token;
    // No token, or one we do not know (a secret, a token from before a restart): a new conversation.
    if (!conversation) {
      const created = await this.create(res, userIdFrom(user?.id), typeof locale === 'string' ? locale : undefined);
      if (!created) return;
      ({ conversation, token: issued } = created);
    }
    const isNew = await this.conversations.start(
      conversation,
      userIdFrom(user?.id),
      typeof locale === 'string' ? locale : undefined,
    );
    if (isNew && conversation.userId) {
      // What the service does when a known user opens a conversation: the bot greets them.
      await this.runTurn(conversation, {
        type: 'conversationUpdate',
        membersAdded: [{ id: conversation.userId, name: '' }],
        from: { id: conversation.userId, name: '', role: 'user' },
        locale: conversation.locale,
      });
    }
    res.send(isNew ? 201 : 200, this.conversationInfo(conversation, issued!));
  }

  private async reconnect(req: Request, res: Response) {
    const conversation = await this.authorize(req, res);
    if (conversation) res.send(200, this.conversationInfo(conversation, bearer(req)!));
  }

  private async postActivity(req: Request, res: Response) {
    const conversation = await this.authorize(req, res);
    if (!conversation) return;
    const problem = activityProblem(req.body);
    if (problem) return sendError(res, 400, 'BadArgument', problem);
    const body = req.body as Partial<Activity> & Record<string, unknown>;
    if (body.type === 'endOfConversation') {
      // The person leaves (the page's "forget me"): nothing of it stays here, the token dies.
      await this.conversations.forget(conversation);
      res.send(200, { id: `${conversation.id}|end` });
      return;
    }
    const id = await this.receive(conversation, body);
    res.send(200, { id });
  }

  /** Before reading an upload: the token, and a size the server accepts. */
  private async checkUpload(req: Request, res: Response, next: restify.Next) {
    const conversation = await this.authorize(req, res);
    if (!conversation) return next(false);
    this.uploading.set(req, conversation);
    if (!/^multipart\/form-data/i.test(String(req.headers['content-type'] ?? ''))) {
      sendError(
        res,
        415,
        'UnsupportedMediaType',
        'An upload is multipart/form-data with an "activity" part and "file" parts.',
      );
      return next(false);
    }
    if (Number(req.headers['content-length'] ?? 0) > this.options.maxUploadBytes + 64 * 1024) {
      sendError(res, 413, 'PayloadTooLarge', `Files are limited to ${this.options.maxUploadBytes} bytes.`);
      return next(false);
    }
    return next();
  }

  private async upload(req: Request, res: Response) {
    const conversation = this.uploading.get(req)!;
    const files = (req as Request & { files?: Record<string, UploadedFile | UploadedFile[]> }).files ?? {};
    const parts = (name: string) => ([] as UploadedFile[]).concat(files[name] ?? []);
    const discard = () =>
      Promise.all(
        Object.values(files)
          .flat()
          .map((f) => fs.promises.rm(f.path, { force: true })),
      );
    try {
      // The activity comes as a JSON part (Web Chat sends it as a file named "blob") or a field.
      const activityPart = parts('activity')[0];
      const incoming = activityPart
        ? parseJson(await fs.promises.readFile(activityPart.path, 'utf8'))
        : parseJson(String((req.body as Record<string, unknown>)?.activity ?? '{}'));
      const uploads = parts('file');
      if (!isObject(incoming))
        return sendError(res, 400, 'BadArgument', 'The "activity" part must be a JSON activity.');
      if (!uploads.length) return sendError(res, 400, 'BadArgument', 'An upload needs at least one "file" part.');
      // Kept only when each file's bytes are what its type says (media/intake.ts); else the person reads why.
      const attachments = await keepUploads(this.options.media, uploads, {
        channel: CHANNEL_ID,
        conversation: conversation.id,
        user: conversation.userId,
      });
      if (!attachments) {
        const transcript = await this.conversations.recent(conversation, 100);
        const refusal = webchatRefusal(transcript, languageFromLocaleTag(conversation.locale) ?? 'fr');
        await this.conversations.append(conversation, {
          ...refusal,
          channelId: CHANNEL_ID,
          conversation: { id: conversation.id },
          from: BOT_ACCOUNT,
          recipient: { id: conversation.userId ?? '', role: 'user' },
          timestamp: new Date(),
        } as Activity);
        return sendError(
          res,
          415,
          'UnsupportedMediaType',
          'Accepted: pictures (JPEG, PNG, WebP, HEIC), sound (Ogg/Opus, MP3, M4A/AAC, AMR, WebM) and PDF files, ' +
            'whose content is what their type says.',
        );
      }
      const id = await this.receive(conversation, { ...incoming, type: 'message', attachments });
      res.send(200, { id });
    } finally {
      await discard();
    }
  }

  /** Builds the person's activity, echoes it into the transcript, runs the turn; returns its id. */
  private async receive(
    conversation: WebChatConversation,
    incoming: Partial<Activity> & Record<string, unknown>,
  ): Promise<string> {
    if (!conversation.userId)
      conversation.userId = await this.conversations.setUser(
        conversation,
        userIdFrom(incoming.from?.id) ?? `dl_${crypto.randomBytes(12).toString('base64url')}`,
      );
    // Typing: the bot does nothing with it and nobody else reads this conversation.
    if (incoming.type === 'typing') return `${conversation.id}|typing`;
    const activity = {
      ...inbound(incoming),
      channelId: CHANNEL_ID,
      conversation: { id: conversation.id },
      // The conversation's user, whatever the client wrote: a token speaks for one user only.
      from: { id: conversation.userId, name: '', role: 'user' },
      recipient: BOT_ACCOUNT,
      timestamp: new Date(),
    } as unknown as Activity;
    // Files by link: only this person's own files of our store (media/intake.ts).
    if (activity.attachments)
      activity.attachments = await ownFiles(this.options.media, activity.attachments, {
        channel: CHANNEL_ID,
        conversation: conversation.id,
        user: conversation.userId,
      });
    // Echo it into the transcript first: Web Chat matches its own posts by clientActivityID.
    // (The page's copy links files with a signature for this conversation: media/links.ts.)
    const id = await this.conversations.append(conversation, withSenderLinks(activity, conversation.id));
    activity.id = id;
    await this.runTurn(conversation, activity);
    return id;
  }

  private async getActivities(req: Request, res: Response) {
    const conversation = await this.authorize(req, res);
    if (!conversation) return;
    const watermark = typeof req.query?.watermark === 'string' ? req.query.watermark : undefined;
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    await this.conversations.polled(conversation);
    // Only the request's own signal: close() wakes every waiter itself. (AbortSignal.any with the
    // long-lived shutdown signal left an entry on it per poll, never freed.)
    await this.conversations.waitForActivity(
      conversation,
      watermark,
      this.shutdown.signal.aborted ? 0 : (this.options.longPollMs ?? 10000),
      gone.signal,
    );
    if (!gone.signal.aborted) res.send(200, await this.conversations.since(conversation, watermark));
  }

  private async create(res: Response, userId?: string, locale?: string) {
    try {
      return await this.conversations.create(userId, locale);
    } catch (err) {
      if (!(err instanceof TooManyConversationsError)) throw err;
      const conversations = await this.conversations.count().catch(() => undefined);
      this.options.log.warn({ conversations }, 'direct line: too many open conversations');
      sendError(res, 429, 'TooManyRequests', 'Too many open conversations; try again in a few minutes.');
      return undefined;
    }
  }

  /** Runs the turn in the conversation's queue; a failure is the bot's, not the client's. */
  private async runTurn(conversation: WebChatConversation, partial: Partial<Activity>) {
    const activity = {
      channelId: CHANNEL_ID,
      conversation: { id: conversation.id },
      recipient: BOT_ACCOUNT,
      timestamp: new Date(),
      ...partial,
    } as unknown as Activity;
    const { core, log } = this.options;
    try {
      await core.turns.run(conversation.id, () =>
        this.conversations.exclusive(conversation.id, () =>
          this.adapter.processActivity(activity, (ctx) => core.bot.run(ctx)),
        ),
      );
    } catch (err) {
      log.error({ err: safeError(err), channel: CHANNEL_ID }, 'direct line turn failed');
    }
  }

  /** The conversation the request's token opens, or an error response (and undefined). */
  private async authorize(req: Request, res: Response): Promise<WebChatConversation | undefined> {
    const token = bearer(req);
    const id = req.params?.id as string | undefined;
    if (!token) {
      sendError(res, 401, 'Unauthorized', 'Missing "Authorization: Bearer <token>" header.');
      return undefined;
    }
    if (this.isSecret(token)) {
      const conversation = id ? await this.conversations.get(id) : undefined;
      if (!conversation) sendError(res, 404, 'NotFound', 'Conversation not found.');
      return conversation;
    }
    const ofToken = await this.conversations.conversationOfToken(token);
    if (!ofToken) {
      // An unknown conversation id is a 404 whatever the token; otherwise the token is bad.
      if (id && !(await this.conversations.get(id))) sendError(res, 404, 'NotFound', 'Conversation not found.');
      else sendError(res, 403, 'TokenExpired', 'The token is not valid or has expired.');
      return undefined;
    }
    if (id && ofToken.id !== id) {
      if (!(await this.conversations.get(id))) sendError(res, 404, 'NotFound', 'Conversation not found.');
      else sendError(res, 403, 'Forbidden', 'This token is for another conversation.');
      return undefined;
    }
    return ofToken;
  }

  private isSecret(token: string): boolean {
    const secret = this.options.secret;
    if (!secret || token.length !== secret.length) return false;
    return crypto.timingSafeEqual(Buffer.from(token), Buffer.from(secret));
  }

  private conversationInfo(conversation: WebChatConversation, token: string) {
    return { conversationId: conversation.id, token, expires_in: this.conversations.tokenTtlSeconds };
  }
}

interface UploadedFile {
  path: string;
  type: string;
  name?: string;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function userIdFrom(value: unknown): string | undefined {
  return typeof value === 'string' && USER_ID.test(value) ? value : undefined;
}

/**
 * What is kept of a posted activity: its type, text, locale, a card submit's value, the links of
 * files sent through our upload (name, type, link) and Web Chat's clientActivityID (so that the
 * page shows its message once). Whatever else a client sends (channelData, entities, foreign
 * links, names) is dropped: it would only fill memory and the record.
 */
export function inbound(incoming: Partial<Activity> & Record<string, unknown>): Partial<Activity> {
  const clientActivityId = isObject(incoming.channelData) ? incoming.channelData.clientActivityID : undefined;
  // A tapped button's label ("1 · Ateliers"), which the person's bubble shows instead of the "1" sent.
  const messageBack =
    isObject(incoming.channelData) && isObject(incoming.channelData.messageBack)
      ? incoming.channelData.messageBack
      : undefined;
  const displayText =
    typeof messageBack?.displayText === 'string' && messageBack.displayText.length <= MAX_DISPLAY_TEXT
      ? messageBack.displayText
      : undefined;
  const channelData = {
    ...(typeof clientActivityId === 'string' &&
      CLIENT_ACTIVITY_ID.test(clientActivityId) && { clientActivityID: clientActivityId }),
    ...(incoming.type === 'message' && displayText && { messageBack: { displayText } }),
  };
  const attachments = ownAttachments(incoming.attachments);
  return {
    type: incoming.type,
    ...(typeof incoming.text === 'string' && { text: incoming.text }),
    ...(typeof incoming.locale === 'string' && LOCALE.test(incoming.locale) && { locale: incoming.locale }),
    ...(incoming.type === 'message' && incoming.value !== undefined && { value: incoming.value }),
    ...(attachments.length && { attachments }),
    ...(Object.keys(channelData).length && { channelData }),
  };
}

/**
 * Attachments that link to our media store (a signed link too), with their three fields only; receive() then keeps the
 * person's own (media/intake.ts).
 */
function ownAttachments(list: unknown): Attachment[] {
  if (!Array.isArray(list)) return [];
  const text = (v: unknown) => (typeof v === 'string' && v.length <= 500 ? v : undefined);
  return list
    .filter(
      (a): a is Record<string, unknown> => isObject(a) && mediaIdOf(text(a.contentUrl)?.split('?')[0]) !== undefined,
    )
    .slice(0, MAX_ATTACHMENTS)
    .map((a) => ({
      contentType: text(a.contentType) ?? 'application/octet-stream',
      contentUrl: a.contentUrl as string,
      ...(text(a.name) && { name: text(a.name) }),
    }));
}

/** Why a posted body is not an activity we accept, or undefined when it is fine. */
export function activityProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'The body must be a JSON activity object.';
  if (typeof body.type !== 'string' || !ACTIVITY_TYPES.has(body.type)) {
    return `The activity "type" must be one of: ${[...ACTIVITY_TYPES].join(', ')}.`;
  }
  if (body.text !== undefined && typeof body.text !== 'string') return 'The activity "text" must be a string.';
  if (typeof body.text === 'string' && body.text.length > MAX_TEXT)
    return `The activity "text" is longer than ${MAX_TEXT} characters.`;
  if (
    body.type === 'message' &&
    typeof body.text !== 'string' &&
    !Array.isArray(body.attachments) &&
    body.value === undefined
  ) {
    return 'A message needs a "text", "attachments" or a "value".';
  }
  if (body.attachments !== undefined && !Array.isArray(body.attachments))
    return 'The activity "attachments" must be an array.';
  if (Array.isArray(body.attachments) && body.attachments.length > MAX_ATTACHMENTS)
    return `An activity carries ${MAX_ATTACHMENTS} attachments at most.`;
  if (body.value !== undefined && Buffer.byteLength(JSON.stringify(body.value) ?? '') > MAX_VALUE_BYTES)
    return `The activity "value" is larger than ${MAX_VALUE_BYTES} bytes.`;
  return undefined;
}
