// The WhatsApp channel: Meta's Cloud API webhook in, the outbox out. Put together here:
// - webhookEndpoint.ts: GET/POST /api/whatsapp, every message stored before the 200;
// - turnRunner.ts: the stored messages handled, one turn each, committed with their replies;
// - sender.ts: the outbox sent at Meta's pace;
// - store.ts: the rows of all three in the case database;
// and the notifier's proactive channel: notifications for people whose last channel is WhatsApp.
import type { Server } from 'restify';
import type { BotCore } from '../../turns/botCore';
import type { WhatsAppConfig } from '../../runtime/config';
import type { Database } from '../../db/client';
import type { LanguageCode } from '../../i18n/languages';
import type { QuietHours } from '../../services/quietHours';
import type { Logger } from '../../runtime/logger';
import type { MediaStore } from '../../media/store';
import type { WhatsAppAdapter } from './adapter';
import { GraphClient } from './graphClient';
import { CHANNEL_ID } from './inbound';
import { PairPacer } from './rateLimiter';
import { SharedSendClock } from './sharedPace';
import { WhatsAppSender } from './sender';
import { WhatsAppStore } from './store';
import { missingKinds } from './templates';
import { VoiceNotes } from './voiceNotes';
import { TurnRunner } from './turnRunner';
import { WebhookEndpoint } from './webhookEndpoint';

export { MAX_WEBHOOK_BYTES, WEBHOOK_PATH } from './webhookEndpoint';

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

export class WhatsAppChannel {
  readonly adapter: WhatsAppAdapter;
  readonly store: WhatsAppStore;
  readonly sender: WhatsAppSender;
  readonly graph: GraphClient;
  readonly turns: TurnRunner;
  readonly webhook: WebhookEndpoint;

  constructor(private readonly options: WhatsAppChannelOptions) {
    const { config, core, db, log } = options;
    const now = options.now ?? (() => new Date());
    // Enough sends in flight to hold WHATSAPP_MPS while Meta takes up to half a second to answer
    // each (64 at least); as many connections.
    const inFlight = Math.max(64, Math.ceil(config.mps / 2));
    this.graph = new GraphClient({
      baseUrl: config.graphUrl,
      accessToken: config.accessToken,
      phoneNumberId: config.phoneNumberId,
      timeoutMs: options.graphTimeoutMs,
      maxConnections: inFlight,
    });
    this.store = new WhatsAppStore(db, core.storage, config.sendLeaseMs, now);
    this.sender = new WhatsAppSender({
      store: this.store,
      graph: this.graph,
      templates: config.templates,
      timeZone: options.timeZone,
      log,
      mps: config.mps,
      concurrency: inFlight,
      leaseMs: config.sendLeaseMs,
      now,
      retryBaseMs: options.retryBaseMs,
      pollMs: options.pollMs,
      pacer: new PairPacer(options.pairIntervalMs, options.pairBurst),
      // Several instances on one PostgreSQL database share the number's rate (one on SQLite).
      ...(db.provider === 'postgresql' && {
        pace: new SharedSendClock(db, { mps: config.mps, key: `whatsapp:${config.phoneNumberId}` }),
      }),
      quiet: options.quiet,
      ...(core.voice && { voiceNotes: new VoiceNotes(db, this.graph, core.voice, now) }),
    });
    this.turns = new TurnRunner({
      core,
      log,
      store: this.store,
      sender: this.sender,
      graph: this.graph,
      media: options.media,
      maxMediaBytes: options.maxMediaBytes,
      defaultLocale: options.defaultLocale,
      now,
      leaseMs: config.sendLeaseMs,
      recoveryMs: options.recoveryMs,
      handlingConcurrency: options.handlingConcurrency,
    });
    this.adapter = this.turns.adapter;
    core.installPipeline(this.adapter);
    this.webhook = new WebhookEndpoint({
      config,
      log,
      store: this.store,
      sender: this.sender,
      onStored: (rows) => this.turns.handleStored(rows),
    });
    // Notifications for people whose last channel is WhatsApp go into this channel's outbox.
    core.notifier.register(
      CHANNEL_ID,
      {
        send: async (target, _activities, id) =>
          (await this.store.adoptNotification(id, target.conversationId)) ? (this.sender.wake(), 'queued') : false,
      },
      { reachesPhones: true },
    );
    const missing = missingKinds(config.templates);
    if (missing.length)
      log.warn(
        { missing },
        'whatsapp: no template for these kinds; outside the 24-hour window their messages wait for the person to write',
      );
  }

  register(server: Server): void {
    this.webhook.register(server);
  }

  start(): void {
    this.sender.start();
    this.turns.start();
  }

  /**
   * Starts no new turn; lets the turns in progress and the sends in flight finish. Webhooks that
   * still come in while the server drains are stored and acknowledged (the database is open until
   * the end): the other instances take them as stranded, or this one after its restart, rather
   * than Meta after its own delay.
   */
  async stop(): Promise<void> {
    this.turns.stop();
    await this.options.core.turns.idle();
    await this.sender.stop();
    this.graph.close();
  }
}
