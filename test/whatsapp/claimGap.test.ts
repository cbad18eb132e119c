// The sender's claims (bot/channels/whatsapp/sender.ts): while wakes keep coming (every commit,
// every send that ends), claims are at least claimGapMs apart, so one claim takes the messages of
// several commits; after a quiet moment a wake is claimed at once.
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../../bot/runtime/logger';
import { WhatsAppSender } from '../../bot/channels/whatsapp/sender';
import type { WhatsAppStore } from '../../bot/channels/whatsapp/store';
import type { GraphClient } from '../../bot/channels/whatsapp/graphClient';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const turn = () => new Promise((r) => setImmediate(r));

function senderWithClaims(claimGapMs?: number) {
  const claims: number[] = [];
  const store = {
    claimOutbound: async () => {
      claims.push(performance.now());
      return [];
    },
    settle: async () => null,
    drain: async () => undefined,
  } as unknown as WhatsAppStore;
  const sender = new WhatsAppSender({
    store,
    graph: {} as GraphClient,
    templates: {} as never,
    timeZone: 'Europe/Paris',
    log: silentLogger,
    mps: 80,
    leaseMs: 30_000,
    pollMs: 60_000,
    claimGapMs,
  });
  stop = () => sender.stop();
  return { sender, claims };
}

test('wakes every millisecond: claims at least claimGapMs apart; after a quiet moment, at once', async () => {
  const { sender, claims } = senderWithClaims(20);
  sender.start();
  await turn();
  expect(claims).toHaveLength(1); // the first look at the outbox
  await sleep(30);
  const from = claims.length;
  const end = performance.now() + 200;
  while (performance.now() < end) {
    sender.wake();
    await sleep(1);
  }
  const during = claims.slice(from);
  // one claim a wake would be about 150 (a timer of 1 ms takes a little more)
  expect(during.length).toBeGreaterThanOrEqual(3);
  expect(during.length).toBeLessThanOrEqual(12);
  for (let i = 1; i < during.length; i++) expect(during[i] - during[i - 1]).toBeGreaterThanOrEqual(18);
  // quiet (the last claim longer than a gap ago: on a loaded machine the last claims can come late),
  // then one wake: the claim does not wait
  do await sleep(50);
  while (performance.now() - claims.at(-1)! < 40);
  const before = claims.length;
  sender.wake();
  await turn();
  expect(claims.length).toBe(before + 1);
});
