// The WhatsApp channel under load: signed webhooks into the real server (startApp, SQLite, the
// demo data), against the fake Graph API running in a process of its own.
//   1. acknowledgement: N new people write at once (C webhooks in flight): acknowledged webhooks
//      per second, time to acknowledge (the message is stored when the 200 leaves), and time from
//      the webhook to the reply sent (the language list reaching the fake Graph API);
//   2. paced: new people write at a steady rate (R webhooks a second): the same times, at a load
//      the server keeps up with;
//   3. conversations: some of the people of the first phase go on, each answering as soon as the
//      bot's question arrives (onboarding in French, Arabic or Dari, then the menu, the agenda, the
//      workshops): turns per second and time from each webhook to the bot's next question sent.
// Peak RSS of this process (the server; the load generator shares it, the fake does not).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { FakeGraphProcess, startWhatsAppServer, textWebhook } from './fakeGraph';
import { script, stats, talk } from './waConversation';

export interface WhatsAppBenchOptions {
  people: number;
  /** webhooks in flight at once in the acknowledgement phase */
  concurrency: number;
  /** conversation turns per person after the first message */
  turns: number;
  /** people of the first phase who go on talking (at most `people`) */
  conversations: number;
  /** WHATSAPP_MPS of the server */
  mps: number;
  /** webhooks per second of the paced phase (0: none), for `pacedSeconds` */
  rate: number;
  pacedSeconds: number;
  log: (line: string) => void;
}

export interface WhatsAppBenchResult {
  people: number;
  ack: { webhooksPerSecond: number; p50Ms: number; p95Ms: number; p99Ms: number; errors: number };
  firstReply: { p50Ms: number; p95Ms: number; p99Ms: number; missing: number };
  paced?: {
    rate: number;
    webhooks: number;
    ack: { p50Ms: number; p95Ms: number; p99Ms: number };
    reply: { p50Ms: number; p95Ms: number; p99Ms: number };
    errors: number;
    missing: number;
  };
  conversation: {
    people: number;
    turns: number;
    turnsPerSecond: number;
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
    missing: number;
  };
  cpuMsPerWebhook: number;
  peakRssMb: number;
}

export async function runWhatsAppBench(options: WhatsAppBenchOptions): Promise<WhatsAppBenchResult> {
  const { people, concurrency, turns, mps, log } = options;
  const fake = new FakeGraphProcess();
  await fake.start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-bench-wa-'));
  const app = await startWhatsAppServer(dir, fake.url, mps);
  const post = app.post;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const waId = (i: number) => `339${String(i).padStart(8, '0')}`;
  try {
    // 0. Warm-up (not measured): a few people through the whole script (JIT, caches, first queries).
    const warm = Math.min(50, people);
    log(`whatsapp: warming up with ${warm} people`);
    await Promise.all(
      Array.from({ length: warm }, async (_, k) => {
        if (!(await talk(post, fake, `338${String(k).padStart(8, '0')}`, ['bonjour', ...script(k)])))
          throw new Error('warm-up: no answer');
      }),
    );
    const cpu0 = process.cpuUsage();
    // 1. Everyone writes at once.
    log(`whatsapp: ${people} new people write at once (${concurrency} webhooks in flight)`);
    const acks: number[] = [];
    const postedAt = new Array<number>(people);
    let errors = 0;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < people) {
          const i = next++;
          const r = await post(textWebhook(waId(i), 'bonjour'));
          postedAt[i] = r.started;
          acks.push(r.ackMs);
          if (!r.ok) errors++;
        }
      }),
    );
    const ackSeconds = (performance.now() - t0) / 1000;
    const firsts = await Promise.all(Array.from({ length: people }, (_, i) => fake.question(waId(i), 0, 60_000)));
    const replyMs = firsts.flatMap((f, i) => (f ? [f.at - postedAt[i]] : []));
    log(`whatsapp: acknowledged in ${ackSeconds.toFixed(1)} s; ${replyMs.length}/${people} replied`);
    const t1Start = performance.now();

    // 2. Paced: new people at a steady rate.
    let paced: WhatsAppBenchResult['paced'];
    if (options.rate) {
      const total = Math.round(options.rate * options.pacedSeconds);
      log(`whatsapp: paced, ${options.rate} new people a second for ${options.pacedSeconds} s`);
      const results = await Promise.all(
        Array.from({ length: total }, async (_, k) => {
          const at = t1Start + (k * 1000) / options.rate;
          const wait = at - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          const who = waId(people + k);
          const r = await post(textWebhook(who, 'bonjour'));
          const reply = await fake.question(who, 0, 60_000);
          return { ...r, replyMs: reply ? reply.at - r.started : undefined };
        }),
      );
      const replies = results.flatMap((r) => (r.replyMs === undefined ? [] : [r.replyMs]));
      paced = {
        rate: options.rate,
        webhooks: total,
        ack: stats(results.map((r) => r.ackMs)),
        reply: stats(replies),
        errors: results.filter((r) => !r.ok).length,
        missing: total - replies.length,
      };
    }

    // 3. Conversations: each person answers as soon as their question arrives.
    const talking = Math.min(options.conversations, people);
    log(`whatsapp: ${talking} conversations x ${turns} turns`);
    const turnMs: number[] = [];
    let missing = 0;
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: talking }, async (_, i) => {
        const words = script(i).slice(0, turns);
        if (!(await talk(post, fake, waId(i), words, firsts[i]?.index ?? 0, (ms) => turnMs.push(ms)))) missing++;
      }),
    );
    const turnSeconds = (performance.now() - t1) / 1000;
    const cpu = process.cpuUsage(cpu0);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    return {
      people,
      ack: { webhooksPerSecond: people / ackSeconds, ...stats(acks), errors },
      firstReply: { ...stats(replyMs), missing: people - replyMs.length },
      paced,
      conversation: {
        people: talking,
        turns: turnMs.length,
        turnsPerSecond: turnMs.length / turnSeconds,
        ...stats(turnMs),
        missing,
      },
      cpuMsPerWebhook: (cpu.user + cpu.system) / 1000 / (people + (paced?.webhooks ?? 0) + turnMs.length),
      peakRssMb: peakRss / 1024 / 1024,
    };
  } finally {
    clearInterval(sampler);
    await app.stop();
    fake.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
