// Wires the application together, in order: database -> bot -> adapters -> server -> scheduler;
// stop() takes it down in reverse, letting turns in progress finish. index.ts calls startApp;
// end-to-end tests and the benchmark start the same application on a free port.
import type { Server } from 'restify';
import type { Config } from './config';
import { openDatabase, type Database } from '../db/client';
import type { Logger } from './logger';
import { createBotCore, type BotCore } from '../turns/botCore';
import { BotFrameworkChannel } from '../channels/botframework/botFrameworkChannel';
import { ConversationStore } from '../channels/webchat/conversations';
import { DirectLineChannel } from '../channels/webchat/directLine';
import { PgWebChatStore } from '../channels/webchat/pgStore';
import { registerWebChatPage } from '../channels/webchat/page';
import { MediaStore } from '../media/store';
import { registerMediaRoute } from '../media/serve';
import { useLinkKey } from '../media/links';
import { HttpSpeechToText, OpenAiSpeechToText } from '../voice/speechToText';
import { createVoice } from '../voice/createVoice';
import { registerVoiceRoute } from '../voice/serve';
import { registerCipApi } from '../api/cipApi';
import { registerDashboard } from '../dashboard';
import { WhatsAppChannel, type WhatsAppTuning } from '../channels/whatsapp/channel';
import { Scheduler } from '../jobs/scheduler';
import { proactiveJobs } from '../jobs';
import { runRetention } from '../services/retention';
import { close, createServer, listen, type Readiness } from './server';
import { warmUpRecognizers } from '../../dialogs/recognizers/choice';
import { isEmpty, seedDemoData } from '../../prisma/seed';
import { safeError } from './safeError';

export interface App {
  config: Config;
  db: Database;
  core: BotCore;
  server: Server;
  directLine: DirectLineChannel;
  /** the WhatsApp channel, when configured */
  whatsapp?: WhatsAppChannel;
  /** e.g. http://127.0.0.1:3978 */
  url: string;
  /** the scheduled jobs (tests and operators run one now with `jobs.run(name)`) */
  jobs: Pick<Scheduler, 'names' | 'run'>;
  /** what /readyz says besides the database (draining once stop() is called) */
  readiness: Readonly<Readiness>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** load the recognizers' models before listening (seconds of CPU; default true) */
  warmUp?: boolean;
  /** Direct Line long-poll wait, ms */
  longPollMs?: number;
  /** WhatsApp channel timings (tests make them short) */
  whatsapp?: WhatsAppTuning;
  /** the clock of the bot, the jobs and the API (tests move it) */
  now?: () => Date;
}

export async function startApp(config: Config, log: Logger, options: StartOptions = {}): Promise<App> {
  const db = await openDatabase(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    onMigrated: ({ applied, alreadyApplied }) =>
      log.info(
        { provider: config.databaseProvider, applied, alreadyApplied },
        applied.length ? 'database migrated' : 'database up to date',
      ),
  });
  let webchatStore: ConversationStore | PgWebChatStore | undefined;
  try {
    if (config.demoData && (await isEmpty(db.prisma))) {
      const summary = await seedDemoData(db.prisma, { timeZone: config.appTimezone });
      log.info(summary, 'demo data loaded (DEMO_DATA=off to start empty)');
    }

    const media = new MediaStore(config.media.dir);
    const sttUrl = config.speechToTextUrl;
    const sttOf = config.speechToText;
    const stt =
      sttUrl &&
      (sttOf.api === 'openai'
        ? new OpenAiSpeechToText(sttUrl, sttOf.model, sttOf.apiKey)
        : new HttpSpeechToText(sttUrl));
    const speech = stt ? { stt, media } : undefined;
    const now = options.now ?? (() => new Date());
    const voice = createVoice(config.voice, log);
    const core = createBotCore(db, config, log, { speech, now, voice });
    if (options.warmUp ?? true) warmUpRecognizers();

    // The web chat's conversations: in memory with SQLite (one process), in the database with PostgreSQL.
    const storeOptions = {
      tokenTtlSeconds: config.directLine.tokenTtlSeconds,
      idleSeconds: config.directLine.conversationIdleSeconds,
      maxConversationBytes: config.directLine.maxConversationBytes,
      maxTotalBytes: config.directLine.maxTotalBytes,
    };
    webchatStore =
      db.provider === 'postgresql'
        ? await PgWebChatStore.open(db.prisma, { ...storeOptions, url: config.databaseUrl, log })
        : new ConversationStore(storeOptions);
    // The page's links to its files and clips open on every instance (bot/media/links.ts).
    if (webchatStore instanceof PgWebChatStore) useLinkKey(await webchatStore.linkKey());
    const directLine = new DirectLineChannel({
      store: webchatStore,
      core,
      log,
      media,
      maxUploadBytes: config.media.maxBytes,
      secret: config.directLine.secret,
      longPollMs: options.longPollMs,
      trustProxy: config.trustProxy,
      tokensPerMinute: config.directLine.tokensPerMinute,
      postsPerMinute: config.directLine.postsPerMinute,
      sharedLimits: db.provider === 'postgresql' ? db.prisma : undefined,
    });
    const botFramework = await BotFrameworkChannel.create(config.microsoftApp, core, {
      emulator: config.botFrameworkEmulator,
      trustProxy: config.trustProxy,
    });
    const whatsapp = config.whatsapp
      ? new WhatsAppChannel({
          config: config.whatsapp,
          core,
          db,
          log,
          media,
          maxMediaBytes: config.media.maxBytes,
          timeZone: config.appTimezone,
          defaultLocale: config.defaultLocale,
          quiet: config.quietHours,
          now,
          ...options.whatsapp,
        })
      : undefined;

    // Proactive messages were queued: WhatsApp's sender takes them at once, the web chat's sweep too.
    const deliverQueued = () => {
      whatsapp?.sender.wake();
      void core.notifier
        .sweep()
        .catch((err: Error) => log.error({ err: safeError(err) }, 'notifications sweep failed'));
    };

    const store = directLine.conversations;
    const readiness: Readiness = { draining: false };
    const server = createServer(db, log, readiness);
    directLine.register(server);
    registerMediaRoute(server, { media, conversations: store, db, log, now, trustProxy: config.trustProxy });
    if (voice) registerVoiceRoute(server, voice, store);
    botFramework.register(server);
    whatsapp?.register(server);
    const api = registerCipApi(
      server,
      { db, log, now, trustProxy: config.trustProxy },
      {
        sessionHours: config.staffSessionHours,
        whatsapp: !!whatsapp,
        quiet: config.quietHours,
        afterBroadcast: deliverQueued,
        afterQueue: deliverQueued,
        media,
        forgetChats: async (conversations) => {
          try {
            for (const c of conversations) {
              const open = c.channel === 'webchat' ? await store.get(c.conversationId) : undefined;
              if (open) await store.forget(open);
            }
          } catch (err) {
            log.error({ err: safeError(err) }, 'web chat: erased conversations not forgotten; the sweep forgets them');
          }
        },
      },
    );
    registerDashboard(server, {
      api,
      db,
      log,
      now,
      trustProxy: config.trustProxy,
      timeZone: config.appTimezone,
      idleMinutes: config.dashboardIdleMinutes,
      sessionHours: config.staffSessionHours,
    });
    registerWebChatPage(server, { frameAncestors: config.webchatFrameAncestors });
    await listen(server, config.port, config.host);
    const address = server.address();
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `http://${host}:${address.port}`;
    if (botFramework.mode === 'emulator') {
      log.warn(
        'BOTFRAMEWORK_EMULATOR=on without MicrosoftAppId: /api/messages is unauthenticated and answers the ' +
          '"emulator" channel from this machine only',
      );
    } else if (botFramework.mode === 'off') {
      log.info(
        '/api/messages is off: set MicrosoftAppId for Azure Bot Service (or BOTFRAMEWORK_EMULATOR=on for the ' +
          'Emulator on this machine)',
      );
    }

    const scheduler = new Scheduler(config.appTimezone, log);
    scheduler.add({
      name: 'directline-sweep',
      cron: '*/5 * * * *',
      run: async () => ({ forgotten: await store.sweep(), addresses: await directLine.sweepLimits() }),
    });
    // Proactive messages waiting for people on the web chat (or Azure channels): delivered where they are.
    scheduler.add({ name: 'notifications-sweep', cron: '* * * * *', run: () => core.notifier.sweep() });
    if (whatsapp) {
      scheduler.add({
        name: 'whatsapp-status-purge',
        cron: '17 3 * * *',
        run: async () => ({ purged: await whatsapp.store.purgeOrphans() }),
      });
      // People who wrote but never consented: forgotten after 30 days without a message.
      scheduler.add({
        name: 'whatsapp-forget-strangers',
        cron: '37 3 * * *',
        run: () => whatsapp.store.forgetStrangers(30),
      });
      whatsapp.start();
      log.info(
        { graph: config.whatsapp!.graphUrl, mps: config.whatsapp!.mps },
        'WhatsApp channel on: webhook at /api/whatsapp',
      );
    }
    // Never-consented web chat visitors and their files after 30 days; archived cases after RETENTION_ARCHIVED_DAYS.
    scheduler.add({
      name: 'retention',
      cron: '47 3 * * *',
      run: () => runRetention(db, { now: now(), archivedDays: config.retentionArchivedDays, media }),
    });
    for (const job of proactiveJobs({
      db,
      now,
      timeZone: config.appTimezone,
      quiet: config.quietHours,
      schedule: config.jobs,
      delivered: deliverQueued,
    })) {
      scheduler.add(job);
    }
    scheduler.start();

    // A stop (SIGTERM: a rolling restart, an upgrade) within SHUTDOWN_GRACE_SECONDS in all: /readyz
    // says 503 at once, no new connection is taken, long polls end, turns in progress finish and
    // their replies go, WhatsApp sends still waiting for their pace are given back to the queue
    // (sender.stop), then the database closes. What has not ended by then is left to the leases.
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        readiness.draining = true;
        const deadline = Date.now() + config.shutdownGraceMs;
        const left = () => Math.max(0, deadline - Date.now());
        directLine.close();
        let timer: NodeJS.Timeout | undefined;
        // (A job still running when the grace ends is left to its claim, like a turn to its message's.)
        await Promise.race([
          Promise.all([scheduler.stop(), close(server, left()), core.turns.idle(), whatsapp?.stop()]),
          new Promise((r) => (timer = setTimeout(r, left()))),
        ]);
        clearTimeout(timer);
        await core.messageLog.drain();
        await directLine.conversations.close();
        await db.close();
      })());

    return { config, db, core, server, directLine, whatsapp, url, jobs: scheduler, readiness, stop };
  } catch (err) {
    if (webchatStore instanceof PgWebChatStore) await webchatStore.close();
    await db.close();
    throw err;
  }
}
