// The WhatsApp turn runner: takes the messages the webhook stored (webhookEndpoint.ts) and handles
// each, a person's messages one after the other. Handling a message is one turn of the same bot as
// every channel, committed at once with its state and replies (adapter.ts, store.commit), so that a
// message is answered exactly once: a crash before the commit leaves it stored and unhandled, and
// it is handled after the restart (by this instance or another: stranded messages are looked for
// every few seconds). Media are downloaded and kept with the case first (attachmentsOf).
// Proactive turns (continueConversation) run in the person's queue and commit the same way.
import type { Attachment, ConversationReference, TurnContext } from 'botbuilder-core';
import type { BotCore } from '../../turns/botCore';
import type { LanguageCode } from '../../i18n/languages';
import type { Logger } from '../../runtime/logger';
import { mediaUrl, type MediaStore } from '../../media/store';
import { checkedType } from '../../media/intake';
import { refusalMessage } from '../../media/refusal';
import { acceptedType, bareType } from '../../media/types';
import { messagePayload } from '../../turns/middleware/messageRecorder';
import { deferStateWrites, type WriteRequest } from '../../turns/prismaStorage';
import {
  isTurnUnrecorded,
  setChannelIdentity,
  setUnsupportedContent,
  turnListens,
  turnLocale,
} from '../../turns/turnState';
import { Limiter } from '../../runtime/limiter';
import { safeError } from '../../runtime/safeError';
import { TurnOutput, WhatsAppAdapter, type Logic } from './adapter';
import type { GraphClient } from './graphClient';
import {
  CHANNEL_ID,
  contentOf,
  locationAttachment,
  toActivity,
  type InboundContent,
  type MediaReference,
} from './inbound';
import { renderActivities } from './renderer';
import type { WhatsAppSender } from './sender';
import type { NewOutbound, QueuedInbound, WhatsAppStore } from './store';
import type { InboundEvent } from './webhook';

/** Tries at handling one message before it is set aside (a message that crashes the process). */
const MAX_HANDLING_ATTEMPTS = 5;
/** how long a turn's claim on its message is renewed at most */
const MAX_TURN_MS = 120_000;

export interface TurnRunnerOptions {
  core: BotCore;
  log: Logger;
  store: WhatsAppStore;
  sender: WhatsAppSender;
  graph: GraphClient;
  media: MediaStore;
  maxMediaBytes: number;
  defaultLocale: LanguageCode;
  now: () => Date;
  /** how long a claim on a stored message holds, ms: renewed while its turn runs */
  leaseMs: number;
  /** how often stranded messages are looked for, ms (default 5000) */
  recoveryMs?: number;
  /** messages handled at once (default 32) */
  handlingConcurrency?: number;
}

/** What a turn leaves for its commit, read from the turn before it ends. */
interface TurnFacts {
  beneficiaryId?: number;
  /** an employer contact's turn: their rows carry contactId instead */
  contactId?: number;
  locale?: LanguageCode;
  forget: boolean;
  /** the person hears this turn's replies: a voice note goes before them */
  listens?: boolean;
}

export class TurnRunner {
  /** the channel's Bot Framework adapter: its turns, and the proactive ones, run here */
  readonly adapter: WhatsAppAdapter;
  private readonly store: WhatsAppStore;
  private readonly sender: WhatsAppSender;
  private readonly graph: GraphClient;
  private readonly now: () => Date;
  private recovery?: NodeJS.Timeout;
  private closed = false;
  private readonly handling: Limiter;

  constructor(private readonly options: TurnRunnerOptions) {
    this.store = options.store;
    this.sender = options.sender;
    this.graph = options.graph;
    this.now = options.now;
    this.handling = new Limiter(options.handlingConcurrency ?? 32);
    this.adapter = new WhatsAppAdapter({
      typing: (context) => this.markRead(context.activity.id),
      proactive: (reference, logic) => this.proactiveTurn(reference, logic),
    });
  }

  /** Looks for stranded messages now and every `recoveryMs`. */
  start(): void {
    const every = this.options.recoveryMs ?? 5000;
    this.recovery = setInterval(() => void this.recover(every), every);
    void this.recover(0);
  }

  /** Takes no more messages (the turns in progress finish: core.turns.idle()). */
  stop(): void {
    this.closed = true;
    clearInterval(this.recovery);
  }

  /** Messages the webhook has just stored. */
  handleStored(rows: QueuedInbound[]): void {
    for (const row of rows) this.schedule(row.id, row.event.userKey);
  }

  /** Handles a stored message in its person's queue (one turn at a time per person). */
  private schedule(id: number, userKey: string) {
    void this.options.core.turns
      .run(`${CHANNEL_ID}:${userKey}`, () => this.handling.run(() => this.handle(id, userKey)))
      .catch((err: Error) =>
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
    // A turn may outlive the lease (a slow speech-to-text, a starved machine): its claim is renewed
    // while it runs, so that another instance does not take the message and run it a second time;
    // for two minutes at most (every outside call has its timeout: a turn still running is stuck).
    const until = Date.now() + MAX_TURN_MS;
    const hold = setInterval(
      () => {
        if (Date.now() > until) return clearInterval(hold);
        void this.store.holdInbound(id).catch(() => undefined);
      },
      Math.max(100, this.options.leaseMs / 3),
    );
    try {
      await this.run(id, event, receivedAt);
    } finally {
      clearInterval(hold);
    }
  }

  /** Handles a claimed message: its turn, run again if another writer changed the state meanwhile. */
  private async run(id: number, event: InboundEvent, receivedAt: Date) {
    const { log } = this.options;
    this.markRead(event.wamid);
    const content = contentOf(event.message);
    if (content.showWaiting) {
      // "Show me" on the message_waiting template: what waited goes now; no turn.
      await this.store.commit({
        writes: [],
        replies: [],
        inbound: { id, to: event.userKey, payload: { type: 'message', value: 'show waiting' }, forget: false },
        touch: { event, receivedAt },
      });
      this.sender.wake();
      return;
    }
    const attachments = await this.attachmentsOf(content, event.userKey);
    const activity = toActivity(event, content, attachments === 'refused' ? [] : attachments);
    // A refused file: nothing of it is kept, the person reads why (in their language), the dialog waits.
    const logic: Logic | undefined =
      attachments === 'refused'
        ? (context) => context.sendActivity(refusalMessage(turnLocale(context))).then(() => undefined)
        : undefined;
    for (let tries = 1; ; tries++) {
      if (await this.runTurn(activity, { inboundId: id, receivedAt, to: event.userKey, event, content }, logic)) break;
      // Two writers of the same state (another instance): the turn runs again on fresh state, unless
      // the other one handled this very message (its claim lapsed while the turn ran, and it was
      // taken again): then running it again would do what it asked twice.
      if ((await this.store.inboundStatus(id)) !== 'processing') {
        log.warn({ messageId: id }, 'whatsapp: message handled by another instance meanwhile');
        break;
      }
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
    turn: {
      inboundId?: number;
      receivedAt?: Date;
      to: string;
      event?: InboundEvent;
      content?: InboundContent;
      kind?: string;
    },
    logic?: Logic,
  ) {
    const { core } = this.options;
    const output = new TurnOutput(activity.id ?? `proactive-${Date.now()}`);
    const facts: TurnFacts = { forget: false };
    const prepare = (context: TurnContext) => {
      if (turn.event)
        setChannelIdentity(context, { phone: turn.event.waId, name: turn.event.profileName, noLanguageHint: true });
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
    let turnContext: TurnContext | undefined;
    await this.adapter.run(
      activity,
      output,
      (context) => {
        writes = deferStateWrites(context);
        prepare(context);
        turnContext = context;
      },
      run,
    );
    // (Read once the middleware is done: the voice middleware decides again when the turn found the case.)
    facts.listens = turnContext ? turnListens(turnContext) : false;
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
    // A voice note first, for those who listen: it is queued before the text, so it arrives first.
    const spoken = output.replies.filter((r) => r.type === 'message' && (r.speak || r.text));
    if (facts.listens && core.voice && spoken.length && rows.length)
      rows.unshift({
        ...rows[0]!,
        payload: {
          form: 'voice',
          spoken: spoken.map((r) => ({ speak: r.speak, text: r.text })),
          text: rows.map((r) => r.payload.text).join('\n\n'),
          locale,
          ...(turn.receivedAt && { answers: turn.receivedAt.getTime() }),
          ...(facts.forget && { forget: true }),
        },
      });
    return this.store.commit({
      writes,
      replies: rows,
      ...(turn.inboundId !== undefined && {
        inbound: {
          id: turn.inboundId,
          to: turn.to,
          payload: messagePayload(activity),
          beneficiaryId: facts.beneficiaryId,
          contactId: facts.contactId,
          forget: facts.forget,
        },
      }),
      // (A person who refused consent leaves no trace of where to reach them.)
      ...(turn.event &&
        turn.receivedAt &&
        !facts.forget && { touch: { event: turn.event, receivedAt: turn.receivedAt } }),
    });
  }

  /** A proactive turn (continueConversation): it runs in the person's queue and commits the same way. */
  private async proactiveTurn(reference: Partial<ConversationReference>, logic: Logic) {
    const to = reference.user?.id ?? reference.conversation?.id;
    if (!to) throw new Error('WhatsApp: a proactive turn needs the person in its reference');
    const activity = WhatsAppAdapter.proactiveActivity(reference);
    const committed = await this.options.core.turns.run(`${CHANNEL_ID}:${to}`, () =>
      this.runTurn(activity, { to, kind: 'notification' }, logic),
    );
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
        this.options.log.warn(
          { kind: m.kind, claimed },
          'whatsapp: media refused (its bytes are not what its type says)',
        );
        return 'refused';
      }
      const name = m.filename ?? `${m.voice ? 'voice-note' : m.kind}${extension(checked)}`;
      const stored = await this.options.media.addBytes(bytes, checked, name, { channel: CHANNEL_ID, user: userKey });
      return [{ contentType: checked, contentUrl: mediaUrl(stored.id), name: stored.name }];
    } catch (err) {
      this.options.log.warn(
        { kind: m.kind, err: { message: (err as Error).message } },
        'whatsapp: media not downloaded; its reference is kept',
      );
    }
    return [
      {
        contentType,
        contentUrl: `whatsapp-media:${m.id}`,
        name: m.filename ?? `${m.voice ? 'voice-note' : m.kind}${extension(contentType)}`,
      },
    ];
  }

  /** "Read" and "typing..." on the person's message, at once and without waiting for it. */
  private markRead(wamid: string | undefined) {
    if (!wamid || this.sender.stopped) return;
    this.graph
      .markRead(wamid)
      .catch((err: Error) => this.options.log.debug({ err: { message: err.message } }, 'whatsapp: read mark not sent'));
  }
}

function defaultType(m: MediaReference): string {
  return m.kind === 'audio' ? 'audio/ogg' : m.kind === 'image' ? 'image/jpeg' : 'application/octet-stream';
}

function extension(contentType: string): string {
  const known: Record<string, string> = {
    'audio/ogg': '.ogg',
    'audio/mpeg': '.mp3',
    'audio/mp4': '.m4a',
    'audio/aac': '.aac',
    'audio/amr': '.amr',
    'image/jpeg': '.jpg',
    'image/png': '.png',
    'image/webp': '.webp',
    'image/heic': '.heic',
    'application/pdf': '.pdf',
  };
  return known[contentType] ?? '';
}
