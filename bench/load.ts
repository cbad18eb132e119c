// The load driver: N simulated people, each sending their next message once the bot has answered
// the previous one, through a channel like the built-in web chat's (InProcessAdapter + TurnQueue,
// minus HTTP). Measures turn latency, throughput, CPU time and peak RSS. A person whose turn fails
// or gets an answer their script does not expect is counted as an error and stops there: what the
// bot expects of them next is unknown.
import { performance } from 'node:perf_hooks';
import type { Activity } from 'botbuilder';
import { InProcessAdapter, type Logic } from '../bot/channels/webchat/inProcessAdapter';
import type { TurnQueue } from '../bot/turns/turnQueue';
import { Person, type Step } from './script';

export type Replies = Partial<Activity>[];

export interface Bot {
  name: string;
  /** runs one turn; resolves with the bot's replies */
  send(activity: Activity): Promise<Replies>;
  /** which of `step.expect` the replies are (non-empty text is checked anyway); -1: none */
  check(step: Step, replies: Replies): number;
}

export interface PhaseResult {
  /** turns done (a person stops at their first error) */
  turns: number;
  errors: number;
  firstError?: string;
  seconds: number;
  turnsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** process CPU time (user + system) per turn */
  cpuMsPerTurn: number;
  peakRssMb: number;
  /** by step of the script (its number, the reply it got): where a queue forms when people move in step */
  steps: StepLatency[];
}

export interface StepLatency {
  step: number;
  /** the translation key the reply started with (or had) */
  reply: string;
  turns: number;
  p50Ms: number;
  p95Ms: number;
}

/**
 * Runs turns the way the web chat channel does: `queue.run(conversation, () => adapter.processActivity(...))`.
 * `setup` installs what the bot needs on the adapter and returns the bot's logic.
 */
export function inProcessChannel(queue: TurnQueue, setup: (adapter: InProcessAdapter) => Logic): Bot['send'] {
  const replies = new Map<string, Replies>(); // per conversation: one turn at a time
  const counters = new Map<string, number>();
  const nextId = (conversation: string) => {
    const n = (counters.get(conversation) ?? 0) + 1;
    counters.set(conversation, n);
    return `${conversation}|${String(n).padStart(7, '0')}`; // like the Direct Line watermark ids
  };
  const adapter = new InProcessAdapter((activity, context) => {
    const conversation = context.activity.conversation.id;
    replies.get(conversation)?.push(activity);
    return { id: nextId(conversation) };
  });
  const logic = setup(adapter);
  return async (activity) => {
    const conversation = activity.conversation.id;
    const out: Replies = [];
    replies.set(conversation, out);
    activity.id = nextId(conversation);
    try {
      await queue.run(conversation, () => adapter.processActivity(activity, logic));
    } finally {
      replies.delete(conversation);
    }
    return out;
  };
}

/** A message from person `who` of the phase `label`, as the Direct Line endpoint builds it. */
function message(label: string, who: number, text: string): Activity {
  return {
    type: 'message',
    text,
    locale: 'fr-FR',
    channelId: 'webchat',
    conversation: { id: `${label}-conversation-${who}` },
    from: { id: `${label}-user-${who}`, name: '', role: 'user' },
    recipient: { id: 'passerelle', name: 'Passerelle', role: 'bot' },
    timestamp: new Date(),
  } as unknown as Activity;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PhaseOptions {
  /** distinguishes the conversations of the warm-up from the measured ones */
  label: string;
  conversations: number;
  turns: number;
  /** average pause between a reply and the next message (0: none) */
  thinkMs: number;
  /**
   * Paced load: all people together send this many messages per second, each on a steady
   * schedule (a late reply makes the next message go at once). Overrides thinkMs.
   */
  ratePerSecond?: number;
  /** called every `progressMs` with the turns done so far */
  progress?: (done: number, total: number, errors: number, seconds: number) => void;
  progressMs?: number;
}

export async function runPhase(bot: Bot, options: PhaseOptions): Promise<PhaseResult> {
  const { label, conversations, turns, thinkMs } = options;
  const total = conversations * turns;
  const latencies: number[] = [];
  const bySteps = new Map<string, number[]>();
  let errors = 0;
  let firstError: string | undefined;
  const fail = (why: string) => {
    errors++;
    firstError ??= why;
  };

  // Peak RSS: sampled while the phase runs (the event loop is busy, so samples come when it can).
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const seconds = () => (performance.now() - start) / 1000;
  const ticker = setInterval(
    () => options.progress?.(latencies.length, total, errors, seconds()),
    options.progressMs ?? 2000,
  );

  const period = options.ratePerSecond ? (conversations / options.ratePerSecond) * 1000 : 0;
  const person = async (who: number) => {
    const script = new Person(who);
    const first = performance.now() + Math.random() * period;
    if (thinkMs > 0 && !period) await sleep(Math.random() * thinkMs); // people do not all start at once
    for (let n = 0; n < turns; n++) {
      if (period) {
        const wait = first + n * period - performance.now();
        if (wait > 0) await sleep(wait);
      }
      const s = script.next();
      const activity = message(label, who, s.text);
      const sent = performance.now();
      let replies: Replies;
      try {
        replies = await bot.send(activity);
      } catch (err) {
        latencies.push(performance.now() - sent);
        return fail(`turn ${n} ("${s.text}") failed: ${(err as Error).message}`);
      }
      latencies.push(performance.now() - sent);
      if (!replies.length || replies.some((r) => !r.text)) return fail(`empty reply to "${s.text}" (turn ${n})`);
      const answer = bot.check(s, replies);
      if (answer < 0) {
        const expected = s.expect.map((e) => `${s.reply}:${e.starts ?? `…${e.has}`}`).join(' or ');
        return fail(
          `wrong reply to "${s.text}" (turn ${n}, expected ${expected}): ` +
            `${JSON.stringify(replies.map((r) => [r.locale, r.text]))}`,
        );
      }
      const reply = `${n}\t${s.expect[answer].starts ?? s.expect[answer].has}`;
      let step = bySteps.get(reply);
      if (!step) bySteps.set(reply, (step = []));
      step.push(latencies[latencies.length - 1]);
      script.follow(s.expect[answer]);
      if (thinkMs > 0 && !period) await sleep(thinkMs * (0.5 + Math.random()));
    }
  };
  try {
    await Promise.all(Array.from({ length: conversations }, (_, who) => person(who)));
  } finally {
    clearInterval(ticker);
    clearInterval(sampler);
  }

  const elapsed = seconds();
  const cpu = process.cpuUsage(cpuStart);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  latencies.sort((a, b) => a - b);
  return {
    turns: latencies.length,
    errors,
    firstError,
    seconds: elapsed,
    turnsPerSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    cpuMsPerTurn: (cpu.user + cpu.system) / 1000 / latencies.length,
    peakRssMb: peakRss / 2 ** 20,
    steps: [...bySteps].map(([key, times]) => {
      const [step, reply] = key.split('\t');
      times.sort((a, b) => a - b);
      return {
        step: Number(step),
        reply,
        turns: times.length,
        p50Ms: percentile(times, 50),
        p95Ms: percentile(times, 95),
      };
    }),
  };
}
