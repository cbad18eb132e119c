// What speaking to people who listen costs (README "Voice"):
//   1. synthesis, on Voice itself (eSpeak NG and opus-tools as child processes, the clip cache on
//      an empty temp folder, no recordings): a 3-line menu (a question and two options, cards'
//      ask()) in each language eSpeak NG speaks, several menus each, made once (cold), then the
//      same clips asked again (cached: clip() and its bytes read), one at a time;
//   2. WhatsApp turns at a steady rate: the real server against the fake Graph API in a process of
//      its own, people sending `rate` turns a second in all: "bonjour", French, then "2" (listen)
//      for half of them and "1" (read) for the others, consent, their name, then the menu (agenda,
//      workshops, back, languages, back...). For each turn after the read/listen choice, the time
//      from the webhook to the bot's next question sent (a button or list message), listeners and
//      readers apart, overall and step by step: the difference is what a voice-first turn adds.
//      Every listener turn must bring its voice note before its text, no reader turn any. Then the
//      same load with everyone reading: the readers' baseline. Both runs start after a warm-up (JIT,
//      first queries, and the clips of fixed texts in the cache and uploaded: the steady state; a
//      clip that says a name, workshops or the languages' names is made and uploaded for its turn).
//      A person who gets more messages than the server's pair pacer lets go (20, then one every 6 s)
//      waits for it: the report says how many did (too few people for the rate);
//   3. the peak RSS of this process (the server and the load generator; eSpeak NG and opusenc run
//      in child processes of their own, not counted) during part 2.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ask } from '../cards/messages';
import type { LanguageCode } from '../bot/i18n/languages';
import { translator } from '../bot/i18n/translator';
import { silentLogger } from '../bot/runtime/logger';
import { hasTool } from '../bot/voice/audioTools';
import { ClipCache } from '../bot/voice/clipCache';
import { Recordings } from '../bot/voice/recordings';
import { EspeakSynthesizer } from '../bot/voice/synthesizers';
import { Voice } from '../bot/voice/voice';
import { FakeGraphProcess, startWhatsAppServer, textWebhook, type FakeSent, type WhatsAppServer } from './fakeGraph';

export const VOICE_TARGET = { coldP95Ms: 300, cachedP95Ms: 20, readersSlowdown: 0.1 };

export interface VoiceBenchOptions {
  /** people talking at once in part 2 */
  people: number;
  /** how long each run of part 2 lasts (its turns are spread over it) */
  seconds: number;
  /** turns a second of all people together */
  rate: number;
  log: (line: string) => void;
}

interface Percentiles {
  count: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

/** One run of part 2. */
export interface VoiceTurnsRun {
  people: number;
  listeners: number;
  /** turns sent, and in how many seconds (the rate reached) */
  sent: number;
  seconds: number;
  /** seconds between a person's turns (people / rate) */
  gapSeconds: number;
  /** people sent more messages than the server's pair pacer lets go without waiting */
  paced: number;
  /** turns after the read/listen choice, webhook -> next question sent */
  listenersTurns: Percentiles;
  readers: Percentiles;
  /** the same, step by step (consent, name, agenda...) */
  steps: { step: string; listeners: Percentiles; readers: Percentiles }[];
  /** messages a turn brings on average (a listener's: one more, the voice note) */
  messagesPerTurn: { listeners: number; readers: number };
  /** turns that got no question within a minute (that person stopped there) */
  missing: number;
  /** webhooks not acknowledged with a 200 */
  rejected: number;
  audio: {
    /** listener turns after the choice, those whose first message was their voice note, those without one */
    listenerTurns: number;
    first: number;
    none: number;
    /** a voice note came, but after some of the turn's text */
    notFirst: number;
    /** reader turns that got a voice note (none should) */
    readerTurns: number;
    uploads: number;
    failedUploads: number;
  };
  peakRssMb: number;
}

export interface VoiceBenchResult {
  synthesis: {
    languages: LanguageCode[];
    menusPerLanguage: number;
    cold: Percentiles;
    cached: Percentiles;
    averageBytes: number;
  };
  turns: { rate: number; people: number; seconds: number; mixed: VoiceTurnsRun; baseline: VoiceTurnsRun };
  /** listeners' minus readers' (mixed run) */
  addedP50Ms: number;
  addedP95Ms: number;
  peakRssMb: number;
  /** the machine's load average (1 minute) at the start and at the end: other work slows every figure */
  loadAverage: { start: number; end: number };
  targets: { cold: boolean; cached: boolean; readers: boolean; audio: boolean };
}

function percentiles(values: number[]): Percentiles {
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN);
  return { count: s.length, p50Ms: at(0.5), p95Ms: at(0.95), maxMs: s.length ? s[s.length - 1] : NaN };
}

/** The server's pair pacer (rateLimiter.ts): past a burst of 20, a person gets one message every 6 s. */
const PAIR = { burst: 20, intervalS: 6 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The languages eSpeak NG speaks (the others are heard from recordings only). */
const SPOKEN: LanguageCode[] = ['fr', 'en', 'ar', 'fa', 'ru', 'uk'];
const MENU_KEYS = [
  'menu.workshops',
  'menu.shifts',
  'menu.problem',
  'menu.agenda',
  'menu.cip',
  'menu.language',
] as const;
const MENUS_PER_LANGUAGE = 5;
const CACHED_ROUNDS = 10;

/** Part 1: cold and cached clips of 3-line menus, made one at a time. */
async function measureSynthesis(dir: string, log: (line: string) => void): Promise<VoiceBenchResult['synthesis']> {
  if (!EspeakSynthesizer.available() || !hasTool('opusenc'))
    throw new Error('the voice benchmark needs espeak-ng and opus-tools (apt-get install espeak-ng opus-tools)');
  // (An empty recordings folder: every sentence is synthesised.)
  const voice = new Voice(
    new Recordings(path.join(dir, 'no-recordings')),
    new ClipCache(path.join(dir, 'clips'), 1024 * 1024 * 1024),
    silentLogger,
    new EspeakSynthesizer(),
  );
  const menus = SPOKEN.flatMap((code) => {
    const t = translator(code);
    const pairs = MENU_KEYS.flatMap((a, i) => MENU_KEYS.slice(i + 1).map((b) => [a, b] as const));
    return pairs
      .slice(0, MENUS_PER_LANGUAGE)
      .map(([a, b]) => ({ code, menu: ask(code, t('menu.question'), [{ label: t(a) }, { label: t(b) }]) }));
  });
  const clipOf = async (code: LanguageCode, menu: (typeof menus)[number]['menu']) => {
    const started = performance.now();
    const clip = await voice.clip(code, [menu]);
    if (!clip || clip.transient) throw new Error(`no cacheable clip for a ${code} menu`);
    await clip.audio();
    return { ms: performance.now() - started, bytes: clip.bytes };
  };
  // Not measured: the first call of each language (eSpeak NG's voice data read from disk once).
  for (const code of SPOKEN) await voice.clip(code, [{ text: translator(code)('voice.question') }]);
  log(`voice: ${menus.length} cold clips (${SPOKEN.join(' ')}), then ${CACHED_ROUNDS} rounds cached`);
  const cold: { ms: number; bytes: number }[] = [];
  for (const { code, menu } of menus) cold.push(await clipOf(code, menu));
  const cached: number[] = [];
  for (let round = 0; round < CACHED_ROUNDS; round++)
    for (const { code, menu } of menus) cached.push((await clipOf(code, menu)).ms);
  return {
    languages: SPOKEN,
    menusPerLanguage: MENUS_PER_LANGUAGE,
    cold: percentiles(cold.map((c) => c.ms)),
    cached: percentiles(cached),
    averageBytes: cold.reduce((sum, c) => sum + c.bytes, 0) / cold.length,
  };
}

/** Each turn's step (what the person answers -> what the bot says), onboarding then rounds of the menu. */
const ONBOARDING = ['bonjour', 'language', 'read or listen', 'consent -> name?', 'name -> menu'];
const ROUND = [
  { step: 'agenda', text: '4' },
  { step: 'workshops', text: '1' },
  { step: 'back to the menu', text: '0' },
  { step: 'languages', text: '6' },
  { step: 'back to the menu', text: '0' },
];
/** The turns up to the read/listen choice are not measured. */
const CHOICE_TURN = 2;

/** What a person says, turn by turn: onboarding in French, then rounds of the menu. */
function script(listens: boolean, turns: number): { step: string; text: string }[] {
  const words = ['bonjour', '1', listens ? '2' : '1', '1', '1'].map((text, i) => ({ step: ONBOARDING[i], text }));
  while (words.length < turns) words.push(ROUND[(words.length - ONBOARDING.length) % ROUND.length]);
  return words.slice(0, Math.max(turns, ONBOARDING.length + 1));
}

interface Turn {
  ms: number;
  listener: boolean;
  step: string;
  messages: FakeSent[];
}

/**
 * People on a schedule: person i's turn j is sent at start + (j * people + i) / rate (or as soon
 * as the previous question arrives, when it is later).
 */
async function talk(
  server: WhatsAppServer,
  fake: FakeGraphProcess,
  who: (i: number) => string,
  listens: (i: number) => boolean,
  options: { people: number; turns: number; rate: number },
) {
  const turns: Turn[] = [];
  let missing = 0;
  let rejected = 0;
  let sent = 0;
  /** people who got more messages than the pair pacer lets go at once */
  let paced = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: options.people }, async (_, i) => {
      let seen = 0;
      let first: number | undefined;
      let last = 0;
      for (const [j, { step, text }] of script(listens(i), options.turns).entries()) {
        const wait = start + ((j * options.people + i) * 1000) / options.rate - performance.now();
        if (wait > 0) await sleep(wait);
        const r = await server.post(textWebhook(who(i), text));
        first ??= r.started;
        sent++;
        if (!r.ok) rejected++;
        const answer = await fake.question(who(i), seen, 60_000);
        if (!answer) return void missing++;
        const messages = fake.sentTo(who(i)).slice(seen, answer.index);
        seen = answer.index;
        last = answer.at;
        if (j > CHOICE_TURN) turns.push({ ms: answer.at - r.started, listener: listens(i), step, messages });
      }
      if (seen > PAIR.burst + (last - first!) / 1000 / PAIR.intervalS) paced++;
    }),
  );
  return { turns, missing, rejected, sent, paced, seconds: (performance.now() - start) / 1000 };
}

/** Part 2, one run: `listens(i)` says who listens. */
async function turnsRun(
  server: WhatsAppServer,
  fake: FakeGraphProcess,
  prefix: string,
  listens: (i: number) => boolean,
  options: { people: number; turns: number; rate: number },
): Promise<VoiceTurnsRun> {
  const { people } = options;
  const uploads0 = fake.uploads.length;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const who = (i: number) => `${prefix}${String(i).padStart(8, '0')}`;
  const run = await talk(server, fake, who, listens, options).finally(() => clearInterval(sampler));
  const listenerTurns = run.turns.filter((t) => t.listener);
  const readerTurns = run.turns.filter((t) => !t.listener);
  const audioAt = (t: Turn) => t.messages.findIndex((m) => m.type === 'audio');
  const uploads = fake.uploads.slice(uploads0);
  const ms = (list: Turn[]) => percentiles(list.map((t) => t.ms));
  const perTurn = (list: Turn[]) => list.reduce((n, t) => n + t.messages.length, 0) / list.length;
  const steps = [...new Set(run.turns.map((t) => t.step))];
  return {
    people,
    listeners: Array.from({ length: people }, (_, i) => listens(i)).filter(Boolean).length,
    gapSeconds: people / options.rate,
    paced: run.paced,
    sent: run.sent,
    seconds: run.seconds,
    listenersTurns: ms(listenerTurns),
    readers: ms(readerTurns),
    steps: steps.map((step) => ({
      step,
      listeners: ms(listenerTurns.filter((t) => t.step === step)),
      readers: ms(readerTurns.filter((t) => t.step === step)),
    })),
    messagesPerTurn: { listeners: perTurn(listenerTurns), readers: perTurn(readerTurns) },
    missing: run.missing,
    rejected: run.rejected,
    audio: {
      listenerTurns: listenerTurns.length,
      first: listenerTurns.filter((t) => audioAt(t) === 0).length,
      none: listenerTurns.filter((t) => audioAt(t) < 0).length,
      notFirst: listenerTurns.filter((t) => audioAt(t) > 0).length,
      readerTurns: readerTurns.filter((t) => audioAt(t) >= 0).length,
      uploads: uploads.length,
      failedUploads: uploads.filter((u) => u.status !== 200).length,
    },
    peakRssMb: Math.max(peakRss, process.memoryUsage().rss) / 1024 / 1024,
  };
}

export async function runVoiceBench(options: VoiceBenchOptions): Promise<VoiceBenchResult> {
  const { log } = options;
  const loadAtStart = os.loadavg()[0];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-bench-voice-'));
  const fake = new FakeGraphProcess();
  try {
    const synthesis = await measureSynthesis(dir, log);
    await fake.start();
    // WHATSAPP_MPS high enough that the rate limit adds no wait; the voice cache starts empty.
    const server = await startWhatsAppServer(dir, fake.url, 1000, {
      VOICE: 'on',
      VOICE_CACHE_DIR: path.join(dir, 'voice-cache'),
    });
    try {
      const half = (i: number) => i % 2 === 1;
      const warm = Math.min(10, options.people);
      log(`voice: warming up with ${warm} people, half of them listening`);
      // (One round of the menu each, as fast as they go.)
      const warmUp = await turnsRun(server, fake, '3370', half, {
        people: warm,
        turns: ONBOARDING.length + ROUND.length,
        rate: 1000,
      });
      if (warmUp.missing) throw new Error(`warm-up: ${warmUp.missing} turns unanswered`);
      const { people, rate, seconds } = options;
      // Each person's turns, so that the run lasts about `seconds`.
      const paced = { people, rate, turns: Math.max(ONBOARDING.length + 1, Math.round((rate * seconds) / people)) };
      log(`voice: baseline, ${people} people reading, ${rate} turns a second in all for ${seconds} s`);
      const baseline = await turnsRun(server, fake, '3371', () => false, paced);
      log(`voice: mixed, ${people} people, half of them listening, ${rate} turns a second for ${seconds} s`);
      const mixed = await turnsRun(server, fake, '3372', half, paced);
      const { cold, cached } = synthesis;
      const audio = mixed.audio;
      return {
        synthesis,
        turns: { rate, people, seconds, mixed, baseline },
        addedP50Ms: mixed.listenersTurns.p50Ms - mixed.readers.p50Ms,
        addedP95Ms: mixed.listenersTurns.p95Ms - mixed.readers.p95Ms,
        peakRssMb: Math.max(baseline.peakRssMb, mixed.peakRssMb),
        loadAverage: { start: loadAtStart, end: os.loadavg()[0] },
        targets: {
          cold: cold.p95Ms < VOICE_TARGET.coldP95Ms,
          cached: cached.p95Ms < VOICE_TARGET.cachedP95Ms,
          readers: mixed.readers.p95Ms <= (1 + VOICE_TARGET.readersSlowdown) * baseline.readers.p95Ms,
          audio: audio.listenerTurns > 0 && audio.first === audio.listenerTurns && !audio.readerTurns,
        },
      };
    } finally {
      await server.stop();
    }
  } finally {
    fake.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Turns that failed: unanswered, refused, a listener's without its voice note first, a reader's with one. */
export function voiceFailures(r: VoiceBenchResult): number {
  return [r.turns.mixed, r.turns.baseline].reduce(
    (n, run) => n + run.missing + run.rejected + run.audio.none + run.audio.notFirst + run.audio.readerTurns,
    0,
  );
}

export function voiceReport(r: VoiceBenchResult): string[] {
  const fmt = (n: number, digits = 0) =>
    Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const mark = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
  const row = (label: string, values: string[], width = 9) =>
    label.padEnd(24) + values.map((v) => v.padStart(width)).join('');
  const { synthesis: s, turns } = r;
  const { mixed, baseline } = turns;
  const cells = (p: Percentiles) => [fmt(p.count), fmt(p.p50Ms, 1), fmt(p.p95Ms, 1)];
  const stepRow = (label: string, l: Percentiles, rd: Percentiles, b: Percentiles) =>
    row(label, [...cells(l), ...cells(rd), ...cells(b), fmt(l.p50Ms - rd.p50Ms, 1), fmt(l.p95Ms - rd.p95Ms, 1)], 8);
  const byStep = (run: VoiceTurnsRun, step: string) => run.steps.find((x) => x.step === step);
  const none = percentiles([]);
  const slowdown = mixed.readers.p95Ms / baseline.readers.p95Ms - 1;
  const a = mixed.audio;
  return [
    '',
    `voice: synthesis on Voice (eSpeak NG + opus-tools, no recordings), a 3-line menu (a question, two options) ` +
      `x ${s.menusPerLanguage} in ${s.languages.join(' ')}, one at a time; clips of ${fmt(s.averageBytes / 1024, 1)} ` +
      `KB on average (~${fmt((s.averageBytes * 8) / 32000, 1)} s of speech); ${os.cpus().length} CPUs, load ` +
      `average ${fmt(r.loadAverage.start, 1)} at the start, ${fmt(r.loadAverage.end, 1)} at the end`,
    row('', ['clips', 'p50 ms', 'p95 ms', 'max ms']),
    row('  cold (empty cache)', [fmt(s.cold.count), fmt(s.cold.p50Ms, 1), fmt(s.cold.p95Ms, 1), fmt(s.cold.maxMs, 1)]) +
      `   target p95 < ${VOICE_TARGET.coldP95Ms} ms: ${mark(r.targets.cold)}`,
    row('  cached', [fmt(s.cached.count), fmt(s.cached.p50Ms, 1), fmt(s.cached.p95Ms, 1), fmt(s.cached.maxMs, 1)]) +
      `   target p95 < ${VOICE_TARGET.cachedP95Ms} ms: ${mark(r.targets.cached)}`,
    '  (each: clip() and the Ogg bytes read; cold: synthesis, encoding and the write to the cache)',
    '',
    `voice: WhatsApp turns, ${fmt(turns.people)} people sending ${fmt(turns.rate)} turns a second in all (each ` +
      `every ${fmt(mixed.gapSeconds, 1)} s) for ${fmt(turns.seconds)} s; webhook -> the bot's next question sent, ` +
      `turns after the read/listen choice`,
    `  mixed run (half of them listen): ${fmt(mixed.sent)} turns in ${fmt(mixed.seconds, 1)} s; baseline ` +
      `(everyone reads): ${fmt(baseline.sent)} turns in ${fmt(baseline.seconds, 1)} s`,
    row('', ['listeners', '', '', 'readers', '', '', 'baseline', '', '', 'added', ''], 8),
    row(
      '  step',
      ['turns', 'p50 ms', 'p95 ms', 'turns', 'p50 ms', 'p95 ms', 'turns', 'p50 ms', 'p95 ms', 'p50', 'p95'],
      8,
    ),
    stepRow('  all', mixed.listenersTurns, mixed.readers, baseline.readers),
    ...mixed.steps.map(({ step, listeners, readers }) =>
      stepRow(`  ${step}`, listeners, readers, byStep(baseline, step)?.readers ?? none),
    ),
    `  added by a voice-first turn (listeners - readers, mixed run): p50 ${fmt(r.addedP50Ms, 1)} ms, ` +
      `p95 ${fmt(r.addedP95Ms, 1)} ms; messages a turn: listeners ${fmt(mixed.messagesPerTurn.listeners, 2)}, ` +
      `readers ${fmt(mixed.messagesPerTurn.readers, 2)}`,
    `  listener turns: ${fmt(a.listenerTurns)}, ${fmt(a.first)} with their voice note first, ${fmt(a.none)} ` +
      `without one, ${fmt(a.notFirst)} with it after some text; reader turns with a voice note: ` +
      `${fmt(a.readerTurns)}; uploads: ${fmt(a.uploads)} (${fmt(a.failedUploads)} refused)`,
    `  unanswered turns: ${fmt(mixed.missing + baseline.missing)}, webhooks refused: ` +
      `${fmt(mixed.rejected + baseline.rejected)}; peak RSS (server and load generator, not the encoders): ` +
      `baseline ${fmt(baseline.peakRssMb)} MB, mixed ${fmt(mixed.peakRssMb)} MB`,
    ...(mixed.paced + baseline.paced
      ? [
          `  NOTE: ${fmt(mixed.paced + baseline.paced)} people got more than ${PAIR.burst} messages plus one ` +
            `per ${PAIR.intervalS} s: the server's pair pacer (Meta's limit per person) made them wait, which ` +
            'listeners reach first (one more message a turn). Their times measure that wait: use more people.',
        ]
      : []),
    `targets: cold 3-line clip p95 < ${VOICE_TARGET.coldP95Ms} ms ` +
      `(${fmt(s.cold.p95Ms, 1)}: ${mark(r.targets.cold)}); ` +
      `cached p95 < ${VOICE_TARGET.cachedP95Ms} ms (${fmt(s.cached.p95Ms, 1)}: ${mark(r.targets.cached)}); ` +
      `readers' p95 within ${fmt(100 * VOICE_TARGET.readersSlowdown)} % of the baseline ` +
      `(${fmt(mixed.readers.p95Ms, 1)} vs ${fmt(baseline.readers.p95Ms, 1)} ms, ` +
      `${slowdown >= 0 ? '+' : ''}${fmt(100 * slowdown, 1)} %: ${mark(r.targets.readers)}); ` +
      `every listener turn with its voice note first (${mark(r.targets.audio)})`,
  ];
}
