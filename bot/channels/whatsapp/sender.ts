// Sends the WhatsApp outbox. A loop claims due messages (at most one per person at a time, a
// person's oldest first, so their messages arrive in order, see store.claimOutbound), paces them
// (the number's rate, WHATSAPP_MPS, and each person's), sends them and records the outcome:
// - inside the person's 24-hour window a message goes as it is; outside it, a proactive message
//   goes as its approved template (templates.ts); one that has no template of its own (a reply
//   that could not go in time, a notification of another kind) waits for the person to write, and
//   they get the "a message is waiting" template once;
// - Meta's 131047 ("re-engagement needed") on a free-form send: the same, at once;
// - throttling and passing faults: tried again later (exponential backoff with jitter); permanent
//   errors: failed with Meta's code and title; 190 (token refused): the channel stops sending
//   and says so in the log; the messages wait for a restart with a good token;
// - a proactive message for someone who said "stop" is held until they write again;
// - a turn's voice note (for people who listen, see voiceNotes.ts) goes before its text, inside the
//   window only; when it cannot be made, the text goes alone.
// A crash loses nothing: a claimed message whose sender died is claimed again when its lease
// lapses. Only a send that was in flight at that very moment may go twice (Meta takes no
// idempotency key).
import type { Logger } from '../../runtime/logger';
import { isLanguageCode, type LanguageCode } from '../../i18n/languages';
import { renderNotification } from '../../../cards/notifications';
import type { NotificationPayload } from '../../services/notifications';
import { backoffMs, MAX_ATTEMPTS, PAIR_RATE_CODE } from './errors';
import { GraphError, type GraphClient } from './graphClient';
import type { OutboundMessage } from './payloads';
import { PairPacer, TokenBucket } from './rateLimiter';
import { renderActivities } from './renderer';
import type { AppliedStatus, ClaimedOutbound, NewOutbound, WhatsAppStore } from './store';
import { buildTemplate, type TemplateKind, type TemplateRegistry } from './templates';
import { isQuiet, nextAllowed, type QuietHours } from '../../services/quietHours';
import { safeError } from '../../runtime/safeError';
import type { Spoken } from '../../voice/voice';
import type { VoiceNotes } from './voiceNotes';
import type { SendPace } from './sharedPace';

/** Meta's customer service window, less a minute so that a send is not refused on the way. */
export const WINDOW_MS = 24 * 3600_000 - 60_000;

/** Which template stands for a message of this kind outside the window. */
const TEMPLATE_OF_KIND: Record<string, TemplateKind> = {
  broadcast: 'workshop_invitation',
  reminder: 'reminder',
  shift: 'shift_confirmation',
  checkin: 'checkin',
  attendance: 'attendance_request',
};
const TEMPLATE_OF_NOTIFICATION: Record<string, TemplateKind> = {
  'notifications.waitlistPromoted': 'waitlist_promoted',
};

/** An outbox row's payload: a rendered reply, a notification (key and values), or the nudge. */
export interface OutboxPayload {
  /**
   * "message": a WhatsApp message ready to go; "voice": the voice note of a turn's replies;
   * "nudge": the message_waiting template; none: a notification
   */
  form?: 'message' | 'voice' | 'nudge';
  /** a voice note: what the turn's replies say (their SSML, or their text) */
  spoken?: Spoken[];
  message?: OutboundMessage;
  /** what the person reads (the record) */
  text?: string;
  choices?: string[];
  locale?: LanguageCode;
  /** a notification's translation key and values */
  key?: string;
  /** the template of this message, when its kind does not say */
  template?: TemplateKind;
  /** when Meta said the window was closed (131047), ms: until the person writes again, template only */
  windowClosedAt?: number;
  /** a reply: when the message it answers reached us, ms */
  answers?: number;
  /** the person refused consent: keep nothing of it once sent */
  forget?: boolean;
  /** how it went out, when it went as a template */
  sentAs?: { template: string; language: string; text: string };
  [value: string]: unknown;
}

type Plan =
  | {
      send: OutboundMessage;
      text: string;
      template?: { name: string; language: string };
      /** a proactive message for someone who listens: its voice note goes first */
      spoken?: Spoken[];
    }
  /** a turn's voice note */
  | { voice: Spoken[]; locale: LanguageCode }
  /** wait for the person to write; `nudge`: tell them a message waits */
  | { park: true; nudge: boolean }
  /** nothing to send any more */
  | { drop: string };

export interface SenderOptions {
  store: WhatsAppStore;
  graph: GraphClient;
  templates: TemplateRegistry;
  timeZone: string;
  log: Logger;
  /** messages per second for the number (WHATSAPP_MPS) */
  mps: number;
  /** how long a claim holds, ms */
  leaseMs: number;
  now?: () => Date;
  /** sends in flight at once (default 64) */
  concurrency?: number;
  /** how often to look for due messages when nothing wakes the loop, ms (default 1000) */
  pollMs?: number;
  /** claims one after the other are at least this far apart, ms (default CLAIM_GAP_MS) */
  claimGapMs?: number;
  pacer?: PairPacer;
  /** the number's rate, when instances share it (sharedPace.ts); else a token bucket at `mps` */
  pace?: SendPace;
  random?: () => number;
  /** first retry delay, ms (default 2000, doubling at each try) */
  retryBaseMs?: number;
  /** nothing proactive goes then (QUIET_HOURS) */
  quiet?: QuietHours;
  /** spoken replies as voice notes (undefined: nobody hears the bot) */
  voiceNotes?: VoiceNotes;
}

/**
 * Each claim reads the due messages and, for each, the person's earlier ones (their order): about
 * 0.25 ms on SQLite whether it takes one message or fifty. While people talk, every commit and
 * every send that ends wakes the loop, and it claimed about once per message sent; claims at most
 * every 5 ms take the messages of several commits at once (issue 16: 40 % fewer claims). A message
 * after a quiet moment is claimed at once.
 */
export const CLAIM_GAP_MS = 5;

export class WhatsAppSender {
  private readonly bucket: SendPace;
  private readonly pacer: PairPacer;
  private readonly now: () => Date;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private woken = false;
  private wakeUp?: () => void;
  private loop?: Promise<void>;
  /** resolves when stop() is called: sends still waiting for their pace give their claim back */
  private readonly halted: Promise<void>;
  private halt!: () => void;
  /** why the channel stopped sending (a refused token), if it did */
  stopped?: string;

  constructor(private readonly options: SenderOptions) {
    this.bucket = options.pace ?? new TokenBucket(options.mps);
    options.store.onLateStatuses = (applied) =>
      void this.afterStatuses(applied).catch((err: Error) =>
        options.log.error({ err: safeError(err) }, 'whatsapp: late statuses not handled'),
      );
    options.store.onPaceNotRecorded = (err) =>
      options.log.warn({ err: safeError(err) }, 'whatsapp: the pace of a send not shared with the other instances');
    this.pacer = options.pacer ?? new PairPacer();
    this.now = options.now ?? (() => new Date());
    this.halted = new Promise((resolve) => (this.halt = resolve));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Something may be due (a turn committed replies, a send ended). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Stops claiming; the messages claimed but still waiting for their pace go back to the queue at
   * once (another instance, or this one after its restart, sends them without waiting for the
   * lease); waits for the sends in flight to be recorded.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.halt();
    this.wake();
    await this.loop;
    await Promise.all([...this.inFlight]);
    await this.options.store.drain();
  }

  get busy(): number {
    return this.inFlight.size;
  }

  private async run() {
    const { store, log, leaseMs } = this.options;
    const concurrency = this.options.concurrency ?? 64;
    const gap = this.options.claimGapMs ?? CLAIM_GAP_MS;
    while (this.running) {
      const claimedAt = Date.now();
      const room = concurrency - this.inFlight.size;
      let claimed: ClaimedOutbound[] = [];
      if (room > 0 && !this.stopped) {
        try {
          claimed = await store.claimOutbound(Math.min(room, 100), leaseMs);
        } catch (err) {
          log.error({ err: safeError(err) }, 'whatsapp: could not read the outbox');
        }
      }
      for (const row of claimed) {
        const sending: Promise<void> = this.dispatch(row)
          .catch((err: Error) => log.error({ messageId: row.id, err: safeError(err) }, 'whatsapp: send not recorded'))
          .finally(() => {
            this.inFlight.delete(sending);
            this.wake();
          });
        this.inFlight.add(sending);
      }
      if (!claimed.length) await this.sleep(this.options.pollMs ?? 1000);
      else await new Promise((r) => setImmediate(r)); // let sends that end together share one claim
      const early = claimedAt + gap - Date.now();
      if (early > 0 && this.running)
        await Promise.race([new Promise((r) => setTimeout(r, early).unref()), this.halted]);
    }
  }

  /** Waits for a wake-up or `ms`, whichever comes first. */
  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        this.woken = false;
        done();
      };
    });
  }

  private async dispatch(row: ClaimedOutbound): Promise<void> {
    const { store } = this.options;
    const payload = row.payload as OutboxPayload;
    if (this.stopped) return void (await store.settle({ id: row.id, outcome: 'release', at: this.now() }));
    if (row.kind !== 'reply' && row.optedOut) {
      // "stop": nothing proactive; it waits in case they write again.
      return void (await store.settle({ id: row.id, outcome: 'release', at: null }));
    }
    if (row.kind !== 'reply' && isQuiet(this.now(), this.options.quiet)) {
      return void (await store.settle({
        id: row.id,
        outcome: 'release',
        at: nextAllowed(this.now(), this.options.quiet),
      }));
    }
    const plan = this.plan(row, payload);
    if ('drop' in plan) return void (await store.settle({ id: row.id, outcome: 'failed', errorTitle: plan.drop }));
    if ('park' in plan) return this.park(row, plan.nudge);

    // Replies may come a few at once; proactive messages one every few seconds at most. The pace
    // another instance recorded for this person counts too.
    if (row.paceDueAt) this.pacer.learn(row.to, row.paceDueAt.getTime());
    const wait = this.pacer.delay(row.to, row.kind === 'reply' ? undefined : 1);
    if (wait > this.options.leaseMs / 3)
      return void (await store.settle({ id: row.id, outcome: 'release', at: new Date(this.now().getTime() + wait) }));
    if (wait > 0) await Promise.race([new Promise((r) => setTimeout(r, wait).unref()), this.halted]);
    await Promise.race([this.bucket.take(), this.halted]);
    if (!this.running) return void (await store.settle({ id: row.id, outcome: 'release', at: this.now() }));
    if ('voice' in plan) return this.sendVoice(row, payload, plan);
    if (plan.spoken) await this.voiceFirst(row, plan.spoken);
    try {
      const wamid = await this.options.graph.send(row.to, plan.send);
      this.pacer.sent(row.to);
      const sentAs = plan.template && {
        template: plan.template.name,
        language: plan.template.language,
        text: plan.text,
      };
      const kept = payload.forget ? { forgotten: true } : { ...payload, ...(sentAs && { sentAs }) };
      await store.settle({
        id: row.id,
        outcome: 'sent',
        providerId: wamid,
        payload: kept,
        to: payload.forget ? null : row.to,
        pace: this.paceOf(row.to),
      });
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      await this.failed(row, payload, plan, err);
    }
  }

  /**
   * A turn's voice note (voiceNotes.ts: uploaded, or its media id reused). A language without a
   * voice, or synthesis that failed, leaves the text to go alone.
   */
  private async sendVoice(
    row: ClaimedOutbound,
    payload: OutboxPayload,
    plan: { voice: Spoken[]; locale: LanguageCode },
  ) {
    const { store, log } = this.options;
    try {
      const sent = await this.options.voiceNotes!.send(row.to, plan.locale, plan.voice);
      if (!sent) return void (await store.settle({ id: row.id, outcome: 'failed', errorTitle: 'no voice' }));
      this.pacer.sent(row.to);
      const kept = payload.forget
        ? { forgotten: true }
        : { form: 'voice', clip: sent.clip.id, text: payload.text, locale: plan.locale };
      await store.settle({
        id: row.id,
        outcome: 'sent',
        providerId: sent.wamid,
        payload: kept,
        to: row.to,
        pace: this.paceOf(row.to),
      });
    } catch (err) {
      if (err instanceof GraphError) return this.failed(row, payload, {}, err);
      log.warn({ messageId: row.id, err: safeError(err) }, 'whatsapp: no voice note; the text goes alone');
      await store.settle({ id: row.id, outcome: 'failed', errorTitle: 'voice note not made' });
    }
  }

  /**
   * The voice note of a proactive message (a check-in, a reminder, an invitation) for someone who
   * listens, just before its text; on any failure the text goes alone (the note is not retried).
   */
  private async voiceFirst(row: ClaimedOutbound, spoken: Spoken[]) {
    try {
      const locale: LanguageCode = isLanguageCode(row.language) ? row.language : 'fr';
      await this.options.voiceNotes!.send(row.to, locale, spoken);
    } catch (err) {
      this.options.log.warn({ messageId: row.id, err: safeError(err) }, 'whatsapp: no voice note; the text goes alone');
    }
  }

  /** The person's pair-rate due time, to be recorded for the other instances. */
  private paceOf(to: string) {
    const due = this.pacer.dueOf(to);
    return due === undefined ? undefined : { to, due: new Date(due) };
  }

  /** What to send for this row now: free-form in the window, else its template, else wait. */
  private plan(row: ClaimedOutbound, payload: OutboxPayload): Plan {
    const locale: LanguageCode = isLanguageCode(row.language)
      ? row.language
      : isLanguageCode(payload.locale)
        ? payload.locale
        : 'fr';
    const last = Math.max(row.lastInboundAt?.getTime() ?? -Infinity, payload.answers ?? -Infinity);
    const open =
      this.now().getTime() - last < WINDOW_MS &&
      !(payload.windowClosedAt !== undefined && last <= payload.windowClosedAt);
    if (payload.form === 'voice') {
      // (No template carries a voice note: outside the window the text's template says it all.)
      if (!open) return { drop: 'a voice note goes inside the 24-hour window only' };
      return payload.spoken?.length && this.options.voiceNotes
        ? { voice: payload.spoken, locale }
        : { drop: 'nothing to say' };
    }
    if (payload.form === 'nudge') {
      if (open) return { drop: 'not needed: the person wrote meanwhile' };
      return (
        this.template(row, payload, 'message_waiting', locale) ?? {
          drop: 'no message_waiting template in WHATSAPP_TEMPLATES',
        }
      );
    }
    if (open) {
      if (payload.form === 'message' && payload.message) return { send: payload.message, text: payload.text ?? '' };
      if (typeof payload.key === 'string') {
        const activity = renderNotification(payload as NotificationPayload, locale, this.options.timeZone);
        const rendered = renderActivities([activity], locale);
        const spoken =
          row.listens && this.options.voiceNotes ? [{ speak: activity.speak, text: activity.text }] : undefined;
        if (rendered.length)
          return { send: rendered[0].message, text: rendered.map((r) => r.text).join('\n\n'), spoken };
      }
      return { drop: 'nothing to send' };
    }
    const kind =
      payload.template ??
      TEMPLATE_OF_KIND[row.kind] ??
      (typeof payload.key === 'string' ? TEMPLATE_OF_NOTIFICATION[payload.key] : undefined);
    return (kind && this.template(row, payload, kind, locale)) || { park: true, nudge: true };
  }

  private template(
    row: ClaimedOutbound,
    payload: OutboxPayload,
    kind: TemplateKind,
    locale: LanguageCode,
  ): Plan | undefined {
    const entry = this.options.templates[kind];
    if (!entry) return undefined;
    const built = buildTemplate(
      entry,
      kind,
      locale,
      { ...payload, person: { firstName: row.firstName } },
      this.options.timeZone,
    );
    return { send: built.message, text: built.text, template: { name: entry.name, language: entry.languages[locale] } };
  }

  /** Waits for the person to write; tells them once (per closed window) that a message waits. */
  private async park(row: ClaimedOutbound, nudge: boolean) {
    const { store } = this.options;
    await store.settle({ id: row.id, outcome: 'release', at: null });
    if (!nudge || !this.options.templates.message_waiting) return;
    await this.enqueue([
      {
        to: row.to,
        beneficiaryId: row.beneficiaryId,
        contactId: row.contactId,
        kind: 'notification',
        payload: { form: 'nudge' },
        nextAttemptAt: this.now(),
        // One per person and window: several waiting messages bring one nudge.
        dedupeKey: `whatsapp:waiting:${row.to}:${row.lastInboundAt?.getTime() ?? 0}`,
      },
    ]);
  }

  private async enqueue(rows: NewOutbound[]) {
    await this.options.store.enqueue(undefined, rows);
    this.wake();
  }

  private async failed(
    row: ClaimedOutbound,
    payload: OutboxPayload,
    /** whether it went as a template (then a 131047 is final) */
    plan: { template?: unknown },
    err: GraphError,
  ) {
    const { store, log } = this.options;
    const error = { errorCode: err.code ?? err.status, errorTitle: err.title ?? err.message.slice(0, 200) };
    switch (err.kind) {
      case 'reengage':
        if (plan.template) return void (await store.settle({ id: row.id, outcome: 'failed', ...error }));
        // Meta's clock says the window is closed: this row goes again at once, as its template
        // (or it waits for the person). Marked before it is queued again, so no claim misses it.
        await store.markWindowClosed(row.id, this.now());
        await store.settle({ id: row.id, outcome: 'retry', at: this.now(), ...error });
        return;
      case 'retry': {
        if (row.attempts >= MAX_ATTEMPTS) return void (await store.settle({ id: row.id, outcome: 'failed', ...error }));
        if (err.code === PAIR_RATE_CODE) this.pacer.penalize(row.to);
        const delay =
          backoffMs(row.attempts, this.options.random, this.options.retryBaseMs) *
          (err.code === PAIR_RATE_CODE ? 4 : 1);
        return void (await store.settle({
          id: row.id,
          outcome: 'retry',
          at: new Date(this.now().getTime() + delay),
          ...error,
          ...(err.code === PAIR_RATE_CODE && { pace: this.paceOf(row.to) }),
        }));
      }
      case 'stop':
        if (!this.stopped) {
          this.stopped =
            `Meta refused the access token (${err.code ?? err.status}): set a valid ` +
            `WHATSAPP_ACCESS_TOKEN and restart`;
          log.error(
            { code: err.code, status: err.status },
            `whatsapp: sending stopped. ${this.stopped}. Messages wait in the outbox.`,
          );
        }
        return void (await store.settle({ id: row.id, outcome: 'release', at: this.now() }));
      default:
        log.warn({ messageId: row.id, code: err.code, status: err.status }, 'whatsapp: message refused');
        return void (await store.settle({ id: row.id, outcome: 'failed', ...error }));
    }
  }

  /**
   * Statuses just applied: a free-form message that failed with 131047 afterwards (Meta reports
   * most failures this way) goes once more, as its template, or waits for the person.
   */
  async afterStatuses(applied: AppliedStatus[]): Promise<void> {
    for (const s of applied.filter((a) => a.failedWith === 131047)) {
      const copied = await this.options.store.requeueWindowClosed(s.id, this.now());
      if (copied)
        this.options.log.info({ messageId: s.id }, "whatsapp: window closed on Meta's side; sending the template");
    }
    if (applied.some((a) => a.failedWith === 131047)) this.wake();
  }
}
