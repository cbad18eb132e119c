// The WhatsApp channel: Meta's Cloud API webhook in, the outbox out.
//   GET  /api/whatsapp   the verification handshake: hub.mode=subscribe and our verify token ->
//                        200 with hub.challenge as the body; anything else 403
//   POST /api/whatsapp   a webhook: signature (X-Hub-Signature-256) missing or wrong -> 401; body
//                        over 1 MB -> 413; not JSON or not the documented envelope -> 400. Every
//                        message is stored first, statuses applied, then 200; then each new
//                        message is handled, a person's messages one after the other.
// Handling a message is one turn of the same bot as every channel, committed at once with its
// state and replies (adapter.ts), so that a message is answered exactly once: a crash before the
// commit leaves it stored and unhandled, and it is handled after the restart (by this instance
// or another: stranded messages are looked for every few seconds).
import crypto from 'node:crypto';
import type { Attachment, ConversationReference, TurnContext } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import type { BotCore } from '../../botCore';
import type { WhatsAppConfig } from '../../config';
import type { Database } from '../../db/client';
import type { LanguageCode } from '../../languages';
import type { QuietHours } from '../../services/quietHours';
import type { Logger } from '../../logger';
import { mediaUrl, type MediaStore } from '../../media';
import { checkedType } from '../../media/intake';
import { refusalMessage } from '../../media/refusal';
import { acceptedType, bareType } from '../../media/types';
import { messagePayload } from '../../middleware/messageRecorder';
import { deferStateWrites, type WriteRequest } from '../../storage/prismaStorage';
import { isTurnUnrecorded, setChannelIdentity, setUnsupportedContent, turnLocale } from '../../turn';
import { TurnOutput, WhatsAppAdapter, type Logic } from './adapter';
import { GraphClient } from './graphClient';
import { CHANNEL_ID, contentOf, locationAttachment, toActivity, type InboundContent, type MediaReference } from './inbound';
import { renderActivities } from './renderer';
import { Limiter } from '../../limiter';
import { PairPacer } from './rateLimiter';
import { WhatsAppSender } from './sender';
import { verifySignature } from './signature';
import { WhatsAppStore, type NewOutbound } from './store';
import { missingKinds } from './templates';
import { parseWebhook, type InboundEvent } from './webhook';
import { safeError } from '../../logging/safeError';

export const WEBHOOK_PATH = '/api/whatsapp';
export const MAX_WEBHOOK_BYTES = 1024 * 1024;
/** Tries at handling one message before it is set aside (a message that crashes the process). */
const MAX_HANDLING_ATTEMPTS = 5;

/** Timings of the channel; the defaults suit production, tests shorten them. */
export interface WhatsAppTuning {
  /** how often stranded messages are looked for, ms (default 5000) */
  recoveryMs?: number;
  /** first retry delay of a failed send, ms (default 2000, doubling) */
  retryBaseMs?: number;
  /** how long a Graph API call may take, ms (default 15000) */
  graphTimeoutMs?: number;
  /** how often the outbox is read when nothing wakes the sender, ms (default 1000) */
  pollMs?: number;
  /** one person's pace: a message every `intervalMs` on average, `burst` at once (default 6000, 20) */
  pairIntervalMs?: number;
  pairBurst?: number;
  /** messages handled at once (default 32): more wait in the database, the event loop stays free for webhooks */
  handlingConcurrency?: number;
}

export interface WhatsAppChannelOptions extends WhatsAppTuning {
  config: WhatsAppConfig;
  core: BotCore;
  db: Database;
  log: Logger;
  media: MediaStore;
  maxMediaBytes: number;
  timeZone: string;
  defaultLocale: LanguageCode;
  quiet?: QuietHours;
  now?: () => Date;
}

/** What a turn leaves for its commit, read from the turn before it ends. */
interface TurnFacts {
  beneficiaryId?: number;
  /** an employer contact's turn: their rows carry contactId instead */
  contactId?: number;
  locale?: LanguageCode;
  forget: boolean;
}

export class WhatsAppChannel {
  readonly adapter: WhatsAppAdapter;
  readonly store: WhatsAppStore;
  readonly sender: WhatsAppSender;
  readonly graph: GraphClient;
  private readonly now: () => Date;
  private recovery?: NodeJS.Timeout;
  private closed = false;
  private readonly handling: Limiter;

  constructor(private readonly options: WhatsAppChannelOptions) {
    const { config, core, db, log } = options;
    this.now = options.now ?? (() => new Date());
    this.handling = new Limiter(options.handlingConcurrency ?? 32);
    // Enough sends in flight to hold WHATSAPP_MPS while Meta takes up to half a second to answer
    // each (64 at least); as many connections.
    const inFlight = Math.max(64, Math.ceil(config.mps / 2));
    this.graph = new GraphClient({ baseUrl: config.graphUrl, accessToken: config.accessToken, phoneNumberId: config.phoneNumberId, timeoutMs: options.graphTimeoutMs, maxConnections: inFlight });
    this.store = new WhatsAppStore(db, core.storage, config.sendLeaseMs, this.now);
    this.sender = new WhatsAppSender({
      store: this.store,
      graph: this.graph,
      templates: config.templates,
      timeZone: options.timeZone,
      log,
      mps: config.mps,
      concurrency: inFlight,
      leaseMs: config.sendLeaseMs,
      now: this.now,
      retryBaseMs: options.retryBaseMs,
      pollMs: options.pollMs,
      pacer: new PairPacer(options.pairIntervalMs, options.pairBurst),
      quiet: options.quiet,
    });
    this.adapter = new WhatsAppAdapter({
      typing: (context) => this.markRead(context.activity.id),
      proactive: (reference, logic) => this.proactiveTurn(reference, logic),
    });
    core.installPipeline(this.adapter);
    // Notifications for people whose last channel is WhatsApp go into this channel's outbox.
    core.notifier.register(
      CHANNEL_ID,
      { send: async (target, _activities, id) => ((await this.store.adoptNotification(id, target.conversationId)) ? (this.sender.wake(), 'queued') : false) },
      { reachesPhones: true },
    );
    const missing = missingKinds(config.templates);
    if (missing.length) log.warn({ missing }, 'whatsapp: no template for these kinds; outside the 24-hour window their messages wait for the person to write');
  }

  register(server: Server): void {
    // (Restify logs a value returned by an async handler: the handlers return nothing.)
    server.get(WEBHOOK_PATH, async (req: Request, res: Response) => {
      await this.handshake(req, res);
    });
    server.post(WEBHOOK_PATH, async (req: Request, res: Response) => {
      await this.receive(req, res);
    });
  }

  start(): void {
    this.sender.start();
    const every = this.options.recoveryMs ?? 5000;
    this.recovery = setInterval(() => void this.recover(every), every);
    void this.recover(0);
  }

  /** Stops taking webhooks' work; lets the turns in progress and the sends in flight finish. */
  async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.recovery);
    await this.options.core.turns.idle();
    await this.sender.stop();
    this.graph.close();
  }

  private async handshake(req: Request, res: Response) {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const token = typeof q['hub.verify_token'] === 'string' ? q['hub.verify_token'] : '';
    if (q['hub.mode'] === 'subscribe' && typeof q['hub.challenge'] === 'string' && safeEqual(token, this.options.config.verifyToken)) {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.writeHead(200);
      res.end(q['hub.challenge']);
      return;
    }
    this.options.log.warn({ mode: typeof q['hub.mode'] === 'string' ? q['hub.mode'].slice(0, 20) : undefined }, 'whatsapp: verification refused');
    res.send(403, { error: { code: 'Forbidden', message: 'Wrong hub.mode or hub.verify_token.' } });
  }

  private async receive(req: Request, res: Response) {
    const { log, config } = this.options;
    const raw = await readBody(req, MAX_WEBHOOK_BYTES);
    if (raw === 'too large') {
      res.setHeader('Connection', 'close');
      return res.send(413, { error: { code: 'PayloadTooLarge', message: `A webhook is at most ${MAX_WEBHOOK_BYTES} bytes.` } });
    }
    if (raw === 'aborted') return;
    if (!verifySignature(raw, req.headers['x-hub-signature-256'], config.appSecret)) {
      // Never the body: it may hold people's messages.
      log.warn({ bytes: raw.length, signed: req.headers['x-hub-signature-256'] !== undefined }, 'whatsapp: webhook refused: missing or wrong signature');
      return res.send(401, { error: { code: 'Unauthorized', message: 'Missing or wrong X-Hub-Signature-256.' } });
    }
    const parsed = parseWebhook(raw, { phoneNumberId: config.phoneNumberId });
    if (!parsed.ok) {
      log.warn({ bytes: raw.length, problem: parsed.problem }, 'whatsapp: webhook refused');
      return res.send(400, { error: { code: 'BadArgument', message: parsed.problem } });
    }
    if (this.closed) return res.send(503, { error: { code: 'ShuttingDown', message: 'Try again shortly.' } });
    let fresh;
    try {
      for (const event of parsed.messages) {
        // Someone known by their wa_id who now writes with their business-scoped id only.
        if (!event.waId && event.bsuid) event.userKey = (await this.store.keyOfAltId(event.bsuid)) ?? event.userKey;
      }
      fresh = await this.store.storeInbound(parsed.messages);
      await this.sender.afterStatuses(await this.store.applyStatuses(parsed.statuses));
    } catch (err) {
      // Not stored: Meta will deliver it again.
      log.error({ err: safeError(err) }, 'whatsapp: webhook not stored');
      return res.send(503, { error: { code: 'Unavailable', message: 'Try again later.' } });
    }
    res.send(200, { received: parsed.messages.length, new: fresh.length, statuses: parsed.statuses.length, skipped: parsed.skipped });
    if (parsed.skipped) log.warn({ skipped: parsed.skipped }, 'whatsapp: webhook items skipped (malformed, or written in a group)');
    for (const row of fresh) this.schedule(row.id, row.event.userKey);
  }

  /** Handles a stored message in its person's queue (one turn at a time per person). */
  private schedule(id: number, userKey: string) {
    void this.options.core.turns.run(`${CHANNEL_ID}:${userKey}`, () => this.handling.run(() => this.handle(id, userKey))).catch((err: Error) =>
      this.options.log.error({ messageId: id, err: safeError(err) }, 'whatsapp: message not handled'),
    );
  }

  /** Stored messages nobody handles (an instance stopped; a claim lapsed): handle them. */
  private async recover(olderThanMs: number) {
    if (this.closed) return;
    try {
      for (const row of await this.store.unhandledInbound(olderThanMs)) this.schedule(row.id, row.userKey);
    } catch (err) {
      this.options.log.error({ err: safeError(err) }, 'whatsapp: could not look for unhandled messages');
    }
  }

  private async handle(id: number, userKey: string) {
    if (this.closed) return;
    const { log } = this.options;
    const claimed = await this.store.claimInbound(id);
    if (!claimed) {
      // Handled already (a repeated delivery), or another instance is handling an earlier message
      // of the same person: then this one's turn comes right after; look again shortly.
      if ((await this.store.inboundStatus(id)) === 'queued') setTimeout(() => this.schedule(id, userKey), 250).unref();
      return;
    }
    const { event, attempts, receivedAt } = claimed;
    if (attempts > MAX_HANDLING_ATTEMPTS) {
      log.error({ messageId: id, attempts }, 'whatsapp: message set aside after repeated failures');
      return this.store.failInbound(id, `not handled after ${attempts - 1} attempts`);
    }
    this.markRead(event.wamid);
    const content = contentOf(event.message);
    if (content.showWaiting) {
      // "Show me" on the message_waiting template: what waited goes now; no turn.
      await this.store.commit({ writes: [], replies: [], inbound: { id, to: event.userKey, payload: { type: 'message', value: 'show waiting' }, forget: false }, touch: { event, receivedAt } });
      this.sender.wake();
      return;
    }
    const attachments = await this.attachmentsOf(content, event.userKey);
    const activity = toActivity(event, content, attachments === 'refused' ? [] : attachments);
    // A refused file: nothing of it is kept, the person reads why (in their language), the dialog waits.
    const logic: Logic | undefined = attachments === 'refused' ? (context) => context.sendActivity(refusalMessage(turnLocale(context))).then(() => undefined) : undefined;
    for (let tries = 1; ; tries++) {
      if (await this.runTurn(activity, { inboundId: id, receivedAt, to: event.userKey, event, content }, logic)) break;
      // Two writers of the same state (another instance): the turn runs again on fresh state.
      if (tries >= 3) throw new Error('the state kept changing while the message was handled');
      log.warn({ messageId: id, tries }, 'whatsapp: state changed meanwhile; handling the message again');
    }
    this.sender.wake();
  }

  /**
   * One turn, committed at once: the state it wrote, its replies (into the outbox), the message
   * marked handled, and the person's parked messages released (they are here now).
   */
  private async runTurn(
    activity: ReturnType<typeof toActivity>,
    turn: { inboundId?: number; receivedAt?: Date; to: string; event?: InboundEvent; content?: InboundContent; kind?: string },
    logic?: Logic,
  ) {
    const { core } = this.options;
    const output = new TurnOutput(activity.id ?? `proactive-${Date.now()}`);
    const facts: TurnFacts = { forget: false };
    const prepare = (context: TurnContext) => {
      if (turn.event) setChannelIdentity(context, { phone: turn.event.waId, name: turn.event.profileName, noLanguageHint: true });
      if (turn.content?.unsupported) setUnsupportedContent(context, turn.content.unsupported);
    };
    const run: Logic = async (context) => {
      try {
        await (logic ?? ((c) => core.bot.run(c)))(context);
      } finally {
        const profile = await core.profile.get(context, {});
        facts.beneficiaryId = profile?.beneficiaryId;
        facts.contactId = profile?.contactId;
        facts.forget = isTurnUnrecorded(context);
        try {
          facts.locale = turnLocale(context);
        } catch {
          // the turn failed before its language was known
        }
      }
    };
    let writes: WriteRequest[] = [];
    await this.adapter.run(
      activity,
      output,
      (context) => {
        writes = deferStateWrites(context);
        prepare(context);
      },
      run,
    );
    const locale = facts.locale ?? this.options.defaultLocale;
    const rows: NewOutbound[] = renderActivities(output.replies, locale).map((r) => ({
      to: turn.to,
      beneficiaryId: facts.beneficiaryId,
      contactId: facts.contactId,
      kind: turn.kind ?? 'reply',
      payload: {
        form: 'message',
        message: r.message,
        text: r.text,
        ...(r.choices && { choices: r.choices }),
        locale,
        // the message it answers came then: the window is open from there (whatever the ConversationRef says)
        ...(turn.receivedAt && { answers: turn.receivedAt.getTime() }),
        ...(facts.forget && { forget: true }),
      },
      nextAttemptAt: this.now(),
    }));
    return this.store.commit({
      writes,
      replies: rows,
      ...(turn.inboundId !== undefined && {
        inbound: { id: turn.inboundId, to: turn.to, payload: messagePayload(activity), beneficiaryId: facts.beneficiaryId, contactId: facts.contactId, forget: facts.forget },
      }),
      // (A person who refused consent leaves no trace of where to reach them.)
      ...(turn.event && turn.receivedAt && !facts.forget && { touch: { event: turn.event, receivedAt: turn.receivedAt } }),
    });
  }

  /** A proactive turn (continueConversation): it runs in the person's queue and commits the same way. */
  private async proactiveTurn(reference: Partial<ConversationReference>, logic: Logic) {
    const to = reference.user?.id ?? reference.conversation?.id;
    if (!to) throw new Error('WhatsApp: a proactive turn needs the person in its reference');
    const activity = WhatsAppAdapter.proactiveActivity(reference);
    const committed = await this.options.core.turns.run(`${CHANNEL_ID}:${to}`, () => this.runTurn(activity, { to, kind: 'notification' }, logic));
    if (!committed) throw new Error('WhatsApp: the conversation changed during the proactive turn');
    this.sender.wake();
  }

  /**
   * Media are downloaded and kept with the case (Meta deletes them), when their type is one we keep
   * and their bytes agree (media/intake.ts); else 'refused', and nothing is stored. A failed
   * download keeps Meta's reference.
   */
  private async attachmentsOf(content: InboundContent, userKey: string): Promise<Attachment[] | 'refused'> {
    if (content.location) return [locationAttachment(content.location)];
    if (!content.media) return [];
    const m = content.media;
    const claimed = bareType(m.mimeType ?? defaultType(m));
    if (claimed !== 'application/octet-stream' && !acceptedType(claimed)) return 'refused';
    const contentType = acceptedType(claimed) ?? claimed;
    try {
      const info = await this.graph.mediaInfo(m.id);
      const bytes = await this.graph.download(info.url, this.options.maxMediaBytes);
      const checked = await checkedType({ bytes }, claimed);
      if (!checked) {
        this.options.log.warn({ kind: m.kind, claimed }, 'whatsapp: media refused (its bytes are not what its type says)');
        return 'refused';
      }
      const name = m.filename ?? `${m.voice ? 'voice-note' : m.kind}${extension(checked)}`;
      const stored = await this.options.media.addBytes(bytes, checked, name, { channel: CHANNEL_ID, user: userKey });
      return [{ contentType: checked, contentUrl: mediaUrl(stored.id), name: stored.name }];
    } catch (err) {
      this.options.log.warn({ kind: m.kind, err: { message: (err as Error).message } }, 'whatsapp: media not downloaded; its reference is kept');
    }
    return [{ contentType, contentUrl: `whatsapp-media:${m.id}`, name: m.filename ?? `${m.voice ? 'voice-note' : m.kind}${extension(contentType)}` }];
  }

  /** "Read" and "typing..." on the person's message, at once and without waiting for it. */
  private markRead(wamid: string | undefined) {
    if (!wamid || this.sender.stopped) return;
    this.graph.markRead(wamid).catch((err: Error) => this.options.log.debug({ err: { message: err.message } }, 'whatsapp: read mark not sent'));
  }
}

function defaultType(m: MediaReference): string {
  return m.kind === 'audio' ? 'audio/ogg' : m.kind === 'image' ? 'image/jpeg' : 'application/octet-stream';
}

function extension(contentType: string): string {
  const known: Record<string, string> = { 'audio/ogg': '.ogg', 'audio/mpeg': '.mp3', 'audio/mp4': '.m4a', 'audio/aac': '.aac', 'audio/amr': '.amr', 'image/jpeg': '.jpg', 'image/png': '.png', 'image/webp': '.webp', 'image/heic': '.heic', 'application/pdf': '.pdf' };
  return known[contentType] ?? '';
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** The raw body, at most `max` bytes ("too large" beyond; "aborted" when the client went away). */
function readBody(req: Request, max: number): Promise<Buffer | 'too large' | 'aborted'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    return Promise.resolve('too large');
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: Buffer | 'too large' | 'aborted') => {
      if (done) return;
      done = true;
      resolve(value);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        finish('too large');
        req.resume();
        return;
      }
      if (!done) chunks.push(chunk);
    });
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('error', () => finish('aborted'));
    req.on('aborted', () => finish('aborted'));
  });
}
