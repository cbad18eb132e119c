// Three instances of the app, each in a process of its own, on one throw-away PostgreSQL database,
// behind a round-robin proxy (every request to the next instance, a refused connection tried once
// more on the next, as load balancers do) and one fake Graph API, which each instance reaches by
// an address of its own (so the fake knows which instance sent what). WhatsApp only; the web chat
// in chromium is cluster.webchat.test.ts. The tests run in order on the same cluster.
import http from 'node:http';
import type { Database } from '../../bot/db/client';
import { LANGUAGE_CODES } from '../../bot/i18n/languages';
import { createStaff } from '../../bot/services/staff';
import { signedIn, type StaffClient } from '../support/cipApi';
import { behindProxy, type Cluster, type ProxiedCluster } from '../support/cluster';
import { FakeGraphApi, type SentMessage } from '../support/fakeGraphApi';
import { createTempPostgres, type TempDatabase } from '../support/postgres';
import { busiestSecond } from '../support/rates';
import type { RoundRobinProxy } from '../support/roundRobinProxy';
import { waitFor } from '../support/waitFor';
import { FAST, textOf } from '../support/whatsappApp';
import { postWebhook, text, whatsappEnv, type From } from '../support/whatsappWebhooks';
import { sessionOf } from '../support/workshopFixture';

const pg = process.env.PASSERELLE_TEST_PG === '1' ? describe : describe.skip;
jest.setTimeout(120_000);

const MPS = 200;
/**
 * The most sends the fake may receive in a second of its clock: the rate. The shared clock spreads
 * each second's sends over its first 850 ms and drops a send time its instance comes too late for,
 * so that the trip to Meta cannot carry a send into the next second. (Without the shared clock,
 * three instances send 3 x 200; with the 20 ms early margin and late timers of the first design,
 * 200 to 226 were seen on this loaded machine.)
 */
const MOST_IN_A_SECOND = MPS;
/**
 * The claims' lease (sends and stored messages alike): after the kill, the dead instance's sends go
 * again once it lapses (a turn renews its message's claim while it runs: test/scale/longTurn.test.ts).
 */
const LEASE_SECONDS = 10;
/** A new person's first messages: hello, French, read, consent, their name; then changes of language. */
const ONBOARDING = ['bonjour', '1', '1', '1', '1'];
const SWITCHES = ['6', '2', '6', '1'];
/** between a person's messages during the rolling restart */
const GAP_MS = 1500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

pg('three instances behind a round-robin proxy, on one PostgreSQL database', () => {
  let tmp: TempDatabase;
  let graph: FakeGraphApi;
  /** the fake's port each instance reaches it by, in the cluster's order */
  let entrances: number[];
  let setup: ProxiedCluster | undefined;
  let cluster: Cluster;
  let proxy: RoundRobinProxy;
  let db: Database;

  beforeAll(async () => {
    tmp = await createTempPostgres();
    graph = await FakeGraphApi.start();
    const own = await Promise.all([0, 1, 2].map(() => graph.entrance()));
    entrances = own.map((e) => e.port);
    setup = await behindProxy(
      tmp.url,
      3,
      {
        ...whatsappEnv(graph.url, { WHATSAPP_MPS: String(MPS), WHATSAPP_SEND_LEASE_SECONDS: String(LEASE_SECONDS) }),
        TRUST_PROXY: '127.0.0.1',
        VOICE: 'off', // spoken replies aside: the people read
        PASSERELLE_TEST_TUNING: JSON.stringify(FAST),
      },
      (i) => ({ WHATSAPP_GRAPH_URL: own[i]!.url }),
    );
    ({ cluster, proxy, db } = setup);
  }, 120_000);
  afterAll(async () => {
    await setup?.close();
    await graph?.close();
    await tmp?.drop();
  });

  /** `n` people who never wrote, their numbers starting with `prefix`. */
  const people = (prefix: string, n: number): Required<Pick<From, 'waId' | 'name'>>[] =>
    Array.from({ length: n }, (_, i) => ({ waId: `${prefix}${String(i).padStart(4, '0')}`, name: 'Amina' }));

  /** Posts `script` as `person`'s messages through the proxy, each after the last got its 200, `gapMs` apart. */
  async function converse(person: From, script: string[], gapMs: number): Promise<number[]> {
    const statuses: number[] = [];
    for (const body of script) {
      statuses.push((await postWebhook(proxy.url, text(person, body))).status);
      await sleep(gapMs);
    }
    return statuses;
  }

  /** The replies to one person (alone, each message after the last one's reply): what everyone must get. */
  async function reference(person: From, script: string[]): Promise<string[]> {
    for (const [i, body] of script.entries()) {
      expect((await postWebhook(proxy.url, text(person, body))).status).toBe(200);
      await graph.waitForSent(i + 1, { to: person.waId });
    }
    await sleep(500); // a second reply to the last message, if there were one
    const replies = graph.sentTo(person.waId!).map(textOf);
    expect(replies).toHaveLength(script.length); // one reply a message (VOICE=off)
    return replies;
  }

  /** Waits until each of `who` got as many messages as `counts` says, then a second for more to show (none may). */
  async function repliesOf(who: From[], counts: number[]): Promise<string[][]> {
    await waitFor('the replies', () => who.every((p, i) => graph.sentTo(p.waId!).length >= counts[i]!));
    await sleep(1000);
    return who.map((p) => graph.sentTo(p.waId!).map(textOf));
  }

  /** The WhatsApp rows of these people: their `counts` messages in handled once, as many replies sent once. */
  async function expectRowsSettled(who: From[], counts: number[]) {
    const rows = await db.prisma.message.findMany({
      where: { channel: 'whatsapp', conversationId: { in: who.map((p) => p.waId!) } },
      select: { direction: true, status: true, conversationId: true, providerId: true },
    });
    for (const [i, p] of who.entries()) {
      const mine = rows.filter((r) => r.conversationId === p.waId);
      const n = counts[i]!;
      expect(mine.filter((r) => r.direction === 'in').map((r) => r.status)).toEqual(Array(n).fill('received'));
      expect(mine.filter((r) => r.direction === 'out').map((r) => r.status)).toEqual(Array(n).fill('sent'));
    }
    const sent = rows.filter((r) => r.direction === 'out').map((r) => r.providerId);
    expect(new Set(sent).size).toBe(sent.length);
  }

  test('each instance sees the client behind the proxy (X-Forwarded-For, TRUST_PROXY=127.0.0.1)', async () => {
    const email = 'xff@passerelle.test';
    const { staff, password } = await createStaff(db.prisma, { email, role: 'cip', name: 'XFF' });
    // The client connects from 127.0.0.2 (loopback too); the instances only ever see the proxy's 127.0.0.1.
    for (let i = 0; i < 3; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          `${proxy.url}/api/cip/session`,
          { method: 'POST', localAddress: '127.0.0.2', headers: { 'Content-Type': 'application/json' } },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.once('error', reject);
        req.end(JSON.stringify({ email, password }));
      });
      expect(status).toBe(200);
    }
    const logins = await db.prisma.auditEvent.findMany({ where: { staffUserId: staff.id, action: 'login' } });
    expect(logins.map((a) => a.ip)).toEqual(['127.0.0.2', '127.0.0.2', '127.0.0.2']);
  });

  test('50 people writing at once, spread over the instances: each message answered once, in order', async () => {
    const script = [...ONBOARDING, ...SWITCHES];
    const expected = await reference({ waId: '33650000999', name: 'Amina' }, script);
    const before = new Map(proxy.answeredBy);
    const crowd = people('3365000', 50);
    const statuses = await Promise.all(crowd.map((p, i) => sleep(i * 20).then(() => converse(p, script, 100))));
    expect(statuses.flat().every((s) => s === 200)).toBe(true);

    const counts = crowd.map(() => script.length);
    const got = await repliesOf(crowd, counts);
    for (const [i, replies] of got.entries())
      expect({ who: crowd[i]!.waId, replies }).toEqual({ who: crowd[i]!.waId, replies: expected });
    await expectRowsSettled(crowd, counts);
    // Every instance took webhooks and sent replies.
    for (const url of cluster.urls)
      expect((proxy.answeredBy.get(url) ?? 0) - (before.get(url) ?? 0)).toBeGreaterThan(100);
    const replies = crowd.flatMap((p) => graph.sentTo(p.waId));
    for (const port of entrances) expect(replies.filter((m) => m.via === port).length).toBeGreaterThan(20);
    expect(proxy.failures).toEqual([]);
  });

  // A broadcast to `n` new active people who never wrote (each gets the invitation template).
  let coordinator: StaffClient;
  let broadcasts = 0;
  async function broadcast(prefix: string, n: number) {
    coordinator ??= await signedIn({ url: proxy.url, db }, 'coordinator');
    const workshop = await db.prisma.workshop.findFirstOrThrow({ where: { code: 'paperwork' } });
    const session = await sessionOf(db.prisma, workshop.id, new Date(Date.now() + 48 * 3600_000), 30, {
      audience: 'over25',
    });
    const phones = Array.from({ length: n }, (_, i) => `+${prefix}${String(i).padStart(5, '0')}`);
    await db.prisma.beneficiary.createMany({
      data: phones.map((phone, i) => ({
        firstName: `P${i}`,
        phone,
        language: LANGUAGE_CODES[i % LANGUAGE_CODES.length],
        birthYear: 1990,
        status: 'active',
        consentAt: new Date(),
      })),
    });
    const ids = (await db.prisma.beneficiary.findMany({ where: { phone: { in: phones } }, select: { id: true } })).map(
      (b) => b.id,
    );
    const res = await coordinator.call('POST', '/api/cip/broadcasts', {
      sessionId: session.id,
      audience: { ids },
      idempotencyKey: `cluster-${++broadcasts}`,
    });
    expect(res.status).toBe(201);
    expect(res.body.invited).toBe(n);
    return { id: res.body.broadcastId as number, recipients: phones.map((p) => p.slice(1)) };
  }

  /** Waits until every row of the broadcast is sent; the sends the fake received for it, by recipient. */
  async function drained(broadcast: { id: number; recipients: string[] }) {
    await waitFor('the broadcast sent', async () => {
      const left = await db.prisma.message.count({ where: { broadcastId: broadcast.id, status: { not: 'sent' } } });
      return left === 0;
    });
    await sleep(1000); // a late second send, if there were one
    const wanted = new Set(broadcast.recipients);
    const requests = graph.requests.filter(
      (r) => r.path.endsWith('/messages') && wanted.has((r.body as { to?: string }).to ?? ''),
    );
    const byRecipient = new Map<string, SentMessage[]>();
    for (const m of graph.sent.filter((s) => wanted.has(s.to)))
      byRecipient.set(m.to, [...(byRecipient.get(m.to) ?? []), m]);
    return { requests, byRecipient, times: requests.map((r) => r.at) };
  }

  /** The sends in each second of the clock: never more than the rate allows (MOST_IN_A_SECOND). */
  function expectRate(times: number[]) {
    expect(busiestSecond(times)).toBeLessThanOrEqual(MOST_IN_A_SECOND);
  }

  test(`a 2,000-recipient broadcast at WHATSAPP_MPS=${MPS}: the three send it together, at the rate`, async () => {
    const sent = await broadcast('3366', 2000);
    const { requests, byRecipient, times } = await drained(sent);
    expect(byRecipient.size).toBe(2000);
    expect([...byRecipient.values()].every((list) => list.length === 1)).toBe(true);
    expect([...byRecipient.values()].every(([m]) => (m!.body as { type: string }).type === 'template')).toBe(true);
    expectRate(times);
    // At the rate: 2,000 at 200 a second take about 10 s (the first second's 200 from the start).
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(9000);
    for (const port of entrances) expect(requests.filter((r) => r.via === port).length).toBeGreaterThan(200);
    const counts = (await coordinator.call('GET', `/api/cip/broadcasts/${sent.id}?limit=1`)).body.counts;
    expect(counts).toMatchObject({ sent: 2000, failed: 0, queued: 0 });
  });

  test('one instance killed (kill -9) mid-broadcast: nothing lost; only its sends in flight may go twice', async () => {
    graph.latencyMs = 150; // Meta takes its time: sends are in flight when the kill lands
    const victim = cluster.instances[1]!;
    const port = entrances[1]!;
    try {
      const sent = await broadcast('3367', 2000);
      const wanted = new Set(sent.recipients);
      await waitFor('40 % of the broadcast', () => graph.sent.filter((m) => wanted.has(m.to)).length >= 800);
      await waitFor('sends of the victim in flight', () => graph.unanswered(port) >= 3);
      await victim.kill();
      // Its claims stay 'sending' until their lease lapses: the rows whose outcome it never recorded.
      const claimed = await db.prisma.message.findMany({
        where: { broadcastId: sent.id, status: 'sending' },
        select: { conversationId: true },
      });
      const { requests, byRecipient, times } = await drained(sent);
      // In flight: claimed by the dead instance (it alone came in by its port), received by the
      // fake, their outcome not recorded.
      const reachedByVictim = new Set(requests.filter((r) => r.via === port).map((r) => (r.body as { to: string }).to));
      const inFlight = new Set(claimed.map((r) => r.conversationId!).filter((to) => reachedByVictim.has(to)));
      expect(byRecipient.size).toBe(2000); // nothing lost
      const twice = [...byRecipient].filter(([, list]) => list.length > 1).map(([to]) => to);
      expect(twice.filter((to) => !inFlight.has(to))).toEqual([]);
      expect([...byRecipient.values()].every((list) => list.length <= 2)).toBe(true);
      expect(inFlight.size).toBeGreaterThanOrEqual(3); // (the kill did land on sends in flight)
      expectRate(times);
      const counts = (await coordinator.call('GET', `/api/cip/broadcasts/${sent.id}?limit=1`)).body.counts;
      expect(counts).toMatchObject({ sent: 2000, failed: 0, queued: 0 });
    } finally {
      graph.latencyMs = 0;
      await victim.start(); // back for the next test
    }
  });

  test('a rolling restart during 100 conversations: no request fails, no message lost or doubled', async () => {
    const expected = await reference({ waId: '33680000999', name: 'Amina' }, [...ONBOARDING, ...SWITCHES, ...SWITCHES]);
    const onboarding = expected.slice(0, ONBOARDING.length);
    const cycle = expected.slice(ONBOARDING.length, ONBOARDING.length + SWITCHES.length);
    expect(expected.slice(ONBOARDING.length + SWITCHES.length)).toEqual(cycle); // the switches repeat
    const crowd = people('3368000', 100);
    const retries = proxy.retries;
    let restarted = false;
    // Each person onboards, then changes language back and forth until every instance was restarted.
    const talking = Promise.all(
      crowd.map(async (p, i) => {
        await sleep(i * 15);
        const statuses = await converse(p, ONBOARDING, GAP_MS);
        let cycles = 0;
        do {
          statuses.push(...(await converse(p, SWITCHES, GAP_MS)));
          cycles++;
        } while (!restarted);
        return { statuses, cycles };
      }),
    );
    await sleep(3000);
    for (const instance of cluster.instances) {
      const served = () => proxy.answeredBy.get(instance.url) ?? 0;
      await instance.stop(); // SIGTERM
      await instance.start();
      // As a deployment does, the next goes once this one takes traffic again and what was sent
      // elsewhere meanwhile (retried) has been answered.
      const ready = Date.now();
      const before = served();
      await waitFor('the restarted instance serving', () => served() >= before + 20);
      await waitFor('the requests of the restart answered', () => (proxy.oldestInProgress() ?? Infinity) > ready);
    }
    restarted = true;
    const talked = await talking;
    expect(talked.flatMap((t) => t.statuses).filter((s) => s !== 200)).toEqual([]);
    expect(proxy.failures).toEqual([]);
    expect(proxy.retries).toBeGreaterThan(retries); // the stopped instances did refuse connections

    const counts = talked.map((t) => ONBOARDING.length + SWITCHES.length * t.cycles);
    const got = await repliesOf(crowd, counts);
    for (const [i, replies] of got.entries()) {
      const want = [...onboarding, ...Array<string[]>(talked[i]!.cycles).fill(cycle).flat()];
      expect({ who: crowd[i]!.waId, replies }).toEqual({ who: crowd[i]!.waId, replies: want });
    }
    await expectRowsSettled(crowd, counts);
  });
});
