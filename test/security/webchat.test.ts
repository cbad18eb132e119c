// The public web chat under attack: anyone may open the page, so the Direct Line endpoint must
// not let an anonymous client fill the server's memory, lock out new visitors, keep a stolen
// (refreshed) token alive, or frame the page; and a person on a shared computer can make it
// forget them. Each test shows the attack failing and the ordinary use still working.
// The app trusts 127.0.0.1 as its reverse proxy (TRUST_PROXY), so X-Forwarded-For gives each
// simulated client its own address.
import { getEventListeners } from 'node:events';
import http from 'node:http';
import { appForTests, startTestApp } from '../support/app';
import { translator } from '../../bot/i18n/translator';
import { LANGUAGE_CODES } from '../../bot/i18n/languages';
import { wordList } from '../../bot/i18n/translator';
import { globalCommand } from '../../dialogs/recognizers/keywords';
import { FORGET_EVENT } from '../../dialogs/beneficiaryTurns';
import { MediaStore, mediaUrl } from '../../bot/media/store';
import { samples } from '../support/mediaSamples';

const LIMITS = {
  TRUST_PROXY: '127.0.0.1',
  DIRECTLINE_TOKENS_PER_MINUTE: '5',
  DIRECTLINE_POSTS_PER_MINUTE: '80', // 20 at once
  DIRECTLINE_MAX_CONVERSATION_BYTES: String(64 * 1024),
  DIRECTLINE_MAX_TOTAL_BYTES: String(1024 * 1024),
};

const testApp = appForTests(LIMITS, { longPollMs: 1000 });

interface Activity {
  type: string;
  id: string;
  text?: string;
  name?: string;
  from: { id: string; name?: string; role?: string };
  channelData?: unknown;
  entities?: unknown;
  attachments?: { contentUrl?: string }[];
  value?: unknown;
}

let nextAddress = 1;
/** A client address of its own (a "visitor" behind the proxy). */
const newAddress = () => `198.51.100.${nextAddress++}`;

function call(
  path: string,
  init: { method?: string; token?: string; ip: string; body?: unknown; signal?: AbortSignal },
) {
  return fetch(`${testApp().url}${path}`, {
    method: init.method ?? 'POST',
    headers: {
      'X-Forwarded-For': init.ip,
      ...(init.token && { Authorization: `Bearer ${init.token}` }),
      ...(init.body !== undefined && { 'Content-Type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
}

/** A visitor opens the page: a token, then the conversation (the bot greets them). */
async function visit(ip = newAddress(), user = `wc_sec_${Math.random().toString(36).slice(2)}_0123456789`) {
  const res = await call('/v3/directline/tokens/generate', { ip, body: { user: { id: user } } });
  expect(res.status).toBe(200);
  const { conversationId, token } = (await res.json()) as { conversationId: string; token: string };
  expect((await call('/v3/directline/conversations', { ip, token })).status).toBe(201);
  return { ip, user, conversationId, token };
}
type Visit = Awaited<ReturnType<typeof visit>>;

const post = (v: Visit, body: unknown, token = v.token) =>
  call(`/v3/directline/conversations/${v.conversationId}/activities`, { ip: v.ip, token, body });
interface RawAnswer {
  status: number;
  connection?: string;
  socket: unknown;
  /** from the request to the end of the answer */
  ms: number;
}

/** A post through node:http (the answer's Connection header and socket are seen). */
function rawPost(
  v: Visit,
  agent: http.Agent,
  body: string,
  headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(body) },
) {
  const started = Date.now();
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = http.request(
      `${testApp().url}/v3/directline/conversations/${v.conversationId}/activities`,
      {
        method: 'POST',
        agent,
        headers: {
          'X-Forwarded-For': v.ip,
          Authorization: `Bearer ${v.token}`,
          'Content-Type': 'application/json',
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.once('end', () =>
          resolve({
            status: res.statusCode!,
            connection: res.headers.connection,
            socket: req.socket,
            ms: Date.now() - started,
          }),
        );
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

async function read(v: Visit, watermark = '0', token = v.token) {
  const res = await call(`/v3/directline/conversations/${v.conversationId}/activities?watermark=${watermark}`, {
    method: 'GET',
    ip: v.ip,
    token,
  });
  return {
    status: res.status,
    ...(res.status === 200
      ? ((await res.json()) as { activities: Activity[]; watermark: string })
      : { activities: [] as Activity[], watermark: '' }),
  };
}
/** Sends a message and returns the bot's replies to it. */
async function say(v: Visit, text: string) {
  const before = (await read(v)).watermark;
  const res = await post(v, { type: 'message', text, from: { id: v.user } });
  expect(res.status).toBe(200);
  return (await read(v, before)).activities.filter((a) => a.from.role === 'bot');
}

describe('what is kept of a posted activity', () => {
  test(
    'channelData, entities, foreign links and names are dropped; our files, the card value and ' +
      'clientActivityID stay',
    async () => {
      const v = await visit();
      // a file this visitor sent (only those stay: test/security/media.test.ts)
      const stored = await new MediaStore(testApp().config.media.dir).addBytes(samples.png, 'image/png', 'b.png', {
        channel: 'webchat',
        conversation: v.conversationId,
        user: v.user,
      });
      const ours = mediaUrl(stored.id);
      const res = await post(v, {
        type: 'message',
        text: 'bonjour',
        from: { id: v.user, name: 'Amina Haddad' },
        locale: 'fr-FR',
        value: { choice: 1 },
        channelData: { clientActivityID: 'client-1', filler: 'x'.repeat(8_000) },
        entities: [{ type: 'ClientCapabilities', filler: 'y'.repeat(8_000) }],
        attachments: [
          { contentType: 'image/png', contentUrl: 'https://evil.example/tracker.png', name: 'a.png' },
          { contentType: 'image/png', contentUrl: ours, name: 'b.png', content: { big: 'z'.repeat(8_000) } },
        ],
      });
      expect(res.status).toBe(200);
      const { id } = (await res.json()) as { id: string };
      const echoed = (await read(v)).activities.find((a) => a.id === id)!;
      expect(echoed).toMatchObject({
        type: 'message',
        text: 'bonjour',
        locale: 'fr-FR',
        value: { choice: 1 },
        channelData: { clientActivityID: 'client-1' },
      });
      expect(echoed.channelData).toEqual({ clientActivityID: 'client-1' });
      expect(echoed.entities).toBeUndefined();
      expect(echoed.attachments).toEqual([
        { contentType: 'image/png', contentUrl: expect.stringMatching(new RegExp(`^${ours}\\?c=`)), name: 'b.png' },
      ]);
      expect(echoed.from).toEqual({ id: v.user, name: '', role: 'user' });
      expect(testApp().directLine.store.get(v.conversationId)!.bytes).toBeLessThan(8_000);
    },
  );

  test('typing indicators are answered but not stored, and run no turn', async () => {
    const v = await visit();
    const before = await read(v);
    for (let i = 0; i < 20; i++)
      expect(
        (await post(v, { type: 'typing', from: { id: v.user }, channelData: { x: 'y'.repeat(10_000) } })).status,
      ).toBe(200);
    const after = await read(v);
    expect(after.watermark).toBe(before.watermark);
    expect(after.activities.some((a) => a.type === 'typing')).toBe(false);
  });

  test('a body over 32 KB is refused with 413, a text over 4,096 characters with 400', async () => {
    const v = await visit();
    const res = await post(v, { type: 'message', text: 'hello', channelData: { junk: 'j'.repeat(40_000) } });
    expect(res.status).toBe(413);
    expect((await read(v)).activities.some((a) => a.text === 'hello')).toBe(false);
    const long = await post(v, { type: 'message', text: 'ቋ'.repeat(4097) });
    expect(long.status).toBe(400);
    expect(await long.text()).toMatch(/4096 characters/);
    expect((await post(v, { type: 'message', text: 'ቋ'.repeat(4096) })).status).toBe(200); // 12 KB in UTF-8
  });

  test('an oversize card value is refused with 400', async () => {
    const v = await visit();
    const res = await post(v, { type: 'message', value: { text: 'v'.repeat(5000) } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/value/);
  });
});

describe('memory caps', () => {
  test('a conversation keeps its newest activities within its byte cap; oldest trimmed, watermarks go on', async () => {
    const v = await visit();
    for (let i = 0; i < 12; i++) await post(v, { type: 'message', text: `n${i} ${'é'.repeat(4000)}` }); // 8 KB each
    const all = await read(v);
    const conversation = testApp().directLine.store.get(v.conversationId)!;
    expect(conversation.bytes).toBeLessThanOrEqual(64 * 1024);
    const texts = all.activities.filter((a) => a.from.role === 'user').map((a) => a.text!.split(' ')[0]);
    expect(texts).toContain('n11');
    expect(texts).not.toContain('n0');
    expect(Number(all.watermark)).toBeGreaterThanOrEqual(2 + 12 * 2); // greeting, then a message and a reply each
    // The conversation goes on.
    expect((await say(v, 'menu')).length).toBeGreaterThan(0);
  });

  test(
    'all conversations together stay within the total cap; the ones idle the longest lose their activities ' + 'first',
    async () => {
      const first = await visit();
      const others: Visit[] = [];
      for (let i = 0; i < 24; i++) {
        const v = await visit();
        // ~49 KB each, ~1.2 MB in all
        for (let j = 0; j < 6; j++) await post(v, { type: 'message', text: `${'ж'.repeat(4090)}` });
        others.push(v);
      }
      expect(testApp().directLine.store.bytes).toBeLessThanOrEqual(1024 * 1024);
      expect((await read(first)).activities).toHaveLength(0);
      expect((await read(others[others.length - 1])).activities.length).toBeGreaterThan(0);
      // The first visitor's conversation still works: their next message is answered.
      expect((await say(first, 'menu')).length).toBeGreaterThan(0);
    },
  );
});

describe('rate limits per client address', () => {
  test('token requests past the bucket get 429 with Retry-After; another address still gets its token', async () => {
    const ip = newAddress();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const res = await call('/v3/directline/tokens/generate', { ip, body: {} });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await call('/v3/directline/tokens/generate', { ip: newAddress(), body: {} })).status).toBe(200);
    // An IPv6 client is counted by its /64: another address in it shares the bucket.
    const statuses6 = [];
    for (let i = 0; i < 6; i++)
      statuses6.push((await call('/v3/directline/tokens/generate', { ip: `2001:db8:1:2::${i + 1}`, body: {} })).status);
    expect(statuses6).toEqual([200, 200, 200, 200, 200, 429]);
  });

  test('posts (and uploads) past the bucket get 429; another visitor is not held back', async () => {
    const v = await visit();
    // (30: ten refusals at most, answered at once; past ten in a row they would be held, the next test)
    const results = await Promise.all(
      Array.from({ length: 30 }, () => post(v, { type: 'message', text: 'x'.repeat(4_000) })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(21); // 20 at once, and one refill at most
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(9);
    expect(results.find((r) => r.status === 429)!.headers.get('retry-after')).toMatch(/^\d+$/);
    // Files count as posts: the same address's upload waits too, before anything is written.
    const form = new FormData();
    form.append(
      'activity',
      new Blob([JSON.stringify({ type: 'message' })], { type: 'application/vnd.microsoft.activity' }),
      'blob',
    );
    form.append('file', new Blob([new Uint8Array(200_000)], { type: 'audio/ogg' }), 'voice.ogg');
    const upload = await fetch(`${testApp().url}/v3/directline/conversations/${v.conversationId}/upload`, {
      method: 'POST',
      headers: { 'X-Forwarded-For': v.ip, Authorization: `Bearer ${v.token}` },
      body: form,
    });
    expect(upload.status).toBe(429);
    // Another visitor is not held back.
    expect((await say(await visit(), 'menu')).length).toBeGreaterThan(0);
  });

  test('a refused post of a normal size keeps its connection; a larger or unsized one closes it unread', async () => {
    const v = await visit();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (body: string, headers?: Record<string, string | number>) => rawPost(v, agent, body, headers);
    try {
      const body = JSON.stringify({ type: 'message', text: 'x', channelData: { junk: 'j'.repeat(20_000) } });
      const answers: { status: number; connection?: string; socket: unknown }[] = [];
      for (let i = 0; i < 24; i++) answers.push(await send(body)); // past the 20 the bucket holds
      const refused = answers.filter((a) => a.status === 429);
      expect(refused.length).toBeGreaterThanOrEqual(3);
      // the refusals were drained and answered on the very connection of the accepted posts
      expect(refused.every((a) => a.connection === 'keep-alive' && a.socket === answers[0].socket)).toBe(true);
      // over the 32 KB a post may have, or of no stated size: not read, the connection closes
      expect((await send('x'.repeat(40 * 1024))).connection).toBe('close');
      expect((await send('{}', { 'Transfer-Encoding': 'chunked' })).connection).toBe('close');
    } finally {
      agent.destroy();
    }
  });

  test('an address that keeps posting after its refusals is answered slowly', async () => {
    const v = await visit();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const body = JSON.stringify({ type: 'message', text: 'x', channelData: { junk: 'j'.repeat(20_000) } });
    try {
      const answers: RawAnswer[] = [];
      // (The bucket refills by one every 0.75 s: an accepted post among the refusals starts their count again.)
      const inARow = () => answers.length - 1 - answers.findLastIndex((a) => a.status !== 429);
      while (inARow() < 11) answers.push(await rawPost(v, agent, body));
      const refused = answers.slice(-11);
      // The first ten refusals in a row: at once, the connection kept.
      expect(refused.slice(0, 10).every((a) => a.connection === 'keep-alive')).toBe(true);
      // The next: held (half a second, give or take half), on the same connection (a post's body is drained).
      expect([refused[10].ms >= 240, refused[10].socket === refused[0].socket]).toEqual([true, true]);
      // A client that waits as Retry-After says is let in, and its next refusal comes at once again.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const again: RawAnswer[] = [];
      while (!again.some((a) => a.status === 429)) again.push(await rawPost(v, agent, body));
      expect(again[0].status).toBe(200);
      expect(again.at(-1)!.connection).toBe('keep-alive');
    } finally {
      agent.destroy();
    }
  });

  test('X-Forwarded-For from a client that is not our proxy is ignored', async () => {
    const open = await startTestApp(testApp.databaseUrl(), { DIRECTLINE_TOKENS_PER_MINUTE: '5' });
    try {
      const statuses = [];
      for (let i = 0; i < 7; i++) {
        const res = await fetch(`${open.url}/v3/directline/tokens/generate`, {
          method: 'POST',
          headers: { 'X-Forwarded-For': `203.0.113.${i}` },
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    } finally {
      await open.stop();
    }
  });
});

describe('a flood of large posts and token requests', () => {
  test('other conversations are still answered, and memory stays within the caps', async () => {
    const people = await Promise.all([visit(), visit(), visit()]);
    const flooderIp = newAddress();
    const flooder = await visit(flooderIp);
    // as large as a post may be (32 KB): long text, and junk the server should not keep
    const big = { type: 'message', text: 'f'.repeat(4000), channelData: { junk: 'j'.repeat(26_000) } };
    const flood = Promise.all([
      ...Array.from({ length: 300 }, () => post(flooder, big).then((r) => r.status)),
      ...Array.from({ length: 200 }, () =>
        call('/v3/directline/tokens/generate', { ip: flooderIp, body: {} }).then((r) => r.status),
      ),
    ]);
    // Meanwhile people go on talking.
    for (const p of people) expect((await say(p, 'menu')).length).toBeGreaterThan(0);
    const statuses = await flood;
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(400);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    for (const p of people) expect((await say(p, 'menu')).length).toBeGreaterThan(0);
    expect(testApp().directLine.store.get(flooder.conversationId)!.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(testApp().directLine.store.bytes).toBeLessThanOrEqual(1024 * 1024);
    // A new visitor still gets in.
    await visit();
  });
});

describe('tokens', () => {
  test("a refreshed token's predecessor is refused with 403; the new one works", async () => {
    const v = await visit();
    const res = await call('/v3/directline/tokens/refresh', { ip: v.ip, token: v.token });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    expect(token).not.toBe(v.token);
    expect((await read(v, '0', v.token)).status).toBe(403);
    expect((await post(v, { type: 'message', text: 'menu' }, v.token)).status).toBe(403);
    expect((await call('/v3/directline/tokens/refresh', { ip: v.ip, token: v.token })).status).toBe(403);
    expect((await read(v, '0', token)).status).toBe(200);
    expect((await say({ ...v, token }, 'menu')).length).toBeGreaterThan(0);
  });
});

describe('the long poll', () => {
  test('many polls leave nothing behind: no entry on the shutdown signal, no waiter, no listener', async () => {
    const v = await visit();
    const { watermark } = await read(v);
    const shutdown = (testApp().directLine as unknown as { shutdown: AbortController }).shutdown.signal;
    const dependants = () => {
      const symbol = Object.getOwnPropertySymbols(shutdown).find((s) => s.description === 'kDependantSignals');
      return symbol ? ((shutdown as unknown as Record<symbol, Set<unknown> | undefined>)[symbol]?.size ?? 0) : 0;
    };
    // 150 polls that the client gives up on, 50 that time out, 50 woken by a reply.
    const aborted = Array.from({ length: 150 }, async () => {
      const controller = new AbortController();
      const polling = call(`/v3/directline/conversations/${v.conversationId}/activities?watermark=${watermark}`, {
        method: 'GET',
        ip: v.ip,
        token: v.token,
        signal: controller.signal,
      }).catch(() => undefined);
      setTimeout(() => controller.abort(), 50);
      return polling;
    });
    await Promise.all(aborted);
    await Promise.all(Array.from({ length: 50 }, () => read(v, watermark)));
    const woken = Array.from({ length: 50 }, () => read(v, String(Number(watermark) + 10_000)));
    await new Promise((r) => setTimeout(r, 100));
    await say(v, 'menu');
    await Promise.all(woken);
    await new Promise((r) => setTimeout(r, 100));
    expect(dependants()).toBe(0);
    expect(getEventListeners(shutdown, 'abort')).toHaveLength(0);
    expect(testApp().directLine.store.get(v.conversationId)!.waiters.size).toBe(0);
  });
});

describe('headers of the page and its files', () => {
  const scripts = (html: string) =>
    [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attributes: m[1], body: m[2] }));

  test('a CSP without inline scripts, frame-ancestors none, no Referer', async () => {
    for (const path of [
      '/',
      '/?lang=ar',
      '/webchat/app.js',
      '/webchat/webchat.js',
      '/webchat/app.css',
      '/webchat/strings.json',
      '/webchat/nope.js',
    ]) {
      const res = await fetch(`${testApp().url}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/(^|; )script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      await res.arrayBuffer();
    }
    // Every script of the page is a file of ours, or a JSON data block the browser never runs.
    const html = await (await fetch(`${testApp().url}/`)).text();
    for (const s of scripts(html)) {
      if (/\bsrc="\/webchat\/[\w./]+\.js"/.test(s.attributes)) expect(s.body.trim()).toBe('');
      else expect(s.attributes).toMatch(/type="application\/json"/);
    }
    expect(html).not.toMatch(/\son\w+=/i); // no inline event handlers either
  });

  test('WEBCHAT_FRAME_ANCESTORS lets a partner site embed the chat', async () => {
    const embedded = await startTestApp(testApp.databaseUrl(), {
      WEBCHAT_FRAME_ANCESTORS: 'https://partner.example.org',
    });
    try {
      for (const path of ['/', '/webchat/app.js']) {
        const res = await fetch(`${embedded.url}${path}`);
        expect(res.headers.get('content-security-policy')).toMatch(
          /frame-ancestors https:\/\/partner\.example\.org(;|$)/,
        );
        expect(res.headers.get('x-frame-options')).toBeNull();
        await res.arrayBuffer();
      }
    } finally {
      await embedded.stop();
    }
  });
});

describe('"forget me on this computer"', () => {
  test('the keyword exists in all 8 languages (French "oublier", English "forget me")', () => {
    expect(globalCommand('oublier')).toBe('forget');
    expect(globalCommand('Forget me')).toBe('forget');
    for (const code of LANGUAGE_CODES) {
      const words = wordList(code, 'keywords.forget');
      expect(words.length).toBeGreaterThan(0);
      for (const word of words) expect(globalCommand(word)).toBe('forget');
    }
  });

  test('the page has the link, in its language', async () => {
    for (const code of LANGUAGE_CODES) {
      const html = await (await fetch(`${testApp().url}/?lang=${code}`)).text();
      expect(html).toContain(
        `<a id="forget" class="forget" href="#forget" role="button">${translator(code)('forget.link')}</a>`,
      );
    }
  });

  test('the keyword: the bot says so, tells the page to forget; the page ends the chat, its token dies', async () => {
    const v = await visit();
    const before = (await read(v)).watermark;
    const res = await post(v, { type: 'message', text: 'oublier', from: { id: v.user } });
    expect(res.status).toBe(200);
    const replies = (await read(v, before)).activities.filter((a) => a.from.role === 'bot');
    expect(replies.map((a) => a.text ?? a.name)).toEqual([translator('fr')('forget.done'), FORGET_EVENT]);
    expect(replies[1].type).toBe('event');
    // What the page then does (public/app.js): endOfConversation, and a fresh start.
    expect((await post(v, { type: 'endOfConversation', from: { id: v.user } })).status).toBe(200);
    expect(testApp().directLine.store.get(v.conversationId)).toBeUndefined();
    expect((await read(v)).status).toBe(404);
    expect((await call('/v3/directline/tokens/refresh', { ip: v.ip, token: v.token })).status).toBe(403);
    const fresh = await visit(v.ip);
    expect(fresh.conversationId).not.toBe(v.conversationId);
    expect((await say(fresh, 'menu')).length).toBeGreaterThan(0);
  });
});
