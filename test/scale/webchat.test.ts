// The web chat on several instances of the app on one PostgreSQL database (issue 17): any instance
// answers any request of any conversation, a long poll on one instance wakes when another writes
// the bot's reply, and a restart of every instance loses no conversation.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../../bot/runtime/app';
import { translator } from '../../bot/i18n/translator';
import { startTestApp } from '../support/app';
import { signedIn } from '../support/cipApi';
import { createTempPostgres, type TempDatabase } from '../support/postgres';
import { samples } from '../support/mediaSamples';
import { uploadToWebChat } from '../support/webChatUpload';

const pg = process.env.PASSERELLE_TEST_PG === '1';
/** long enough that a poll woken by news is told from one that ran out */
const LONG_POLL_MS = 8000;
const USER = 'wc_scale_user_0123456789abcdef';

interface Activity {
  type: string;
  id: string;
  text?: string;
  locale?: string;
  from: { id: string; role?: string };
  suggestedActions?: { actions: { title: string }[] };
}
interface Page {
  activities: Activity[];
  watermark: string;
}

(pg ? describe : describe.skip)('the web chat on two instances of one PostgreSQL database', () => {
  let tmp: TempDatabase | undefined;
  const apps: App[] = [];
  let a: App;
  let b: App;
  const start = async () => {
    const app = await startTestApp(tmp!.url, {}, { longPollMs: LONG_POLL_MS });
    apps.push(app);
    return app;
  };
  beforeAll(async () => {
    tmp = await createTempPostgres();
    a = await start();
    b = await start();
  }, 90_000);
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await tmp?.drop();
  });

  const call = (app: App, method: string, path: string, token?: string, body?: unknown) =>
    fetch(`${app.url}/v3/directline${path}`, {
      method,
      headers: {
        ...(token && { Authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  let conversationId = '';
  let token = '';
  let watermark = '';
  /** GET of the activities after the watermark on `app`: the page and how long the request took */
  const read = async (app: App, after = watermark) => {
    const started = Date.now();
    const res = await call(app, 'GET', `/conversations/${conversationId}/activities?watermark=${after}`, token);
    expect(res.status).toBe(200);
    return { page: (await res.json()) as Page, ms: Date.now() - started };
  };
  const say = async (app: App, text: string) => {
    const res = await call(app, 'POST', `/conversations/${conversationId}/activities`, token, {
      type: 'message',
      from: { id: USER },
      text,
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { id: string }).id;
  };
  const bot = (page: Page) => page.activities.filter((x) => x.from.role === 'bot');

  test('a token made on A opens the conversation on B; B greets, A reads it; a refresh on B holds on A', async () => {
    const res = await call(a, 'POST', '/tokens/generate', undefined, { user: { id: USER }, locale: 'fr-FR' });
    expect(res.status).toBe(200);
    ({ conversationId, token } = (await res.json()) as { conversationId: string; token: string });
    expect((await call(b, 'POST', '/conversations', token)).status).toBe(201);
    expect((await call(a, 'POST', '/conversations', token)).status).toBe(200); // greeted once, not twice
    const { page } = await read(a, '0');
    expect(bot(page).map((x) => x.text)[0]).toMatch(/^Bonjour ! Je suis Passerelle/);
    expect(bot(page)).toHaveLength(2);
    watermark = page.watermark;
    expect(Number(watermark)).toBe(2);

    const refreshed = await call(b, 'POST', '/tokens/refresh', token);
    expect(refreshed.status).toBe(200);
    const old = token;
    token = ((await refreshed.json()) as { token: string }).token;
    expect((await call(a, 'GET', `/conversations/${conversationId}`, old)).status).toBe(403);
    expect((await call(a, 'GET', `/conversations/${conversationId}`, token)).status).toBe(200);
  });

  test('an activity posted on B is answered, and A fetches the reply', async () => {
    const id = await say(b, '6');
    expect(id).toBe(`${conversationId}|0000003`);
    const { page } = await read(a);
    expect(page.activities[0]).toMatchObject({ id, text: '6', from: { id: USER, role: 'user' } });
    expect(bot(page)[0].suggestedActions?.actions.map((x) => x.title)).toContain('3 · العربية');
    watermark = page.watermark;
  });

  test('a long poll waiting on A wakes when B writes the reply (woken, not timed out)', async () => {
    const started = Date.now();
    const polls: number[] = [];
    // Waiting on A before B is asked anything.
    const first = read(a);
    await new Promise((r) => setTimeout(r, 500));
    const posted = say(b, '٣');
    let { page, ms } = await first;
    polls.push(ms);
    expect(ms).toBeGreaterThanOrEqual(450); // it did wait for news
    const replies: Activity[] = [...bot(page)];
    watermark = page.watermark;
    // The next polls on A, until the bot's reply in Arabic: each is woken by B's writing.
    while (!replies.some((x) => x.text === translator('ar')('language.changed'))) {
      expect(Date.now() - started).toBeLessThan(LONG_POLL_MS);
      ({ page, ms } = await read(a));
      polls.push(ms);
      replies.push(...bot(page));
      watermark = page.watermark;
    }
    await posted;
    for (const p of polls) expect(p).toBeLessThan(LONG_POLL_MS / 2);
    expect(replies.find((x) => x.text === translator('ar')('language.changed'))?.locale).toBe('ar');
  });

  test('two messages of one conversation posted at once on A and B: answered one turn after the other', async () => {
    await new Promise((r) => setTimeout(r, 500)); // the end of the last turn
    watermark = (await read(a, '0')).page.watermark;
    const before = Number(watermark);
    // When each instance's turns run.
    const turns: { start: number; end: number }[] = [];
    const originals = [a, b].map((app) => app.core.bot.run);
    for (const app of [a, b]) {
      const run = app.core.bot.run.bind(app.core.bot);
      app.core.bot.run = async (context) => {
        const turn = { start: Date.now(), end: Infinity };
        turns.push(turn);
        try {
          return await run(context);
        } finally {
          turn.end = Date.now();
        }
      };
    }
    try {
      await Promise.all([say(a, '0'), say(b, 'لغة')]);
    } finally {
      [a.core.bot.run, b.core.bot.run] = originals;
    }
    expect(turns).toHaveLength(2);
    const [first, second] = turns.sort((x, y) => x.start - y.start);
    expect(second.start).toBeGreaterThanOrEqual(first.end);
    const { page } = await read(b);
    expect(bot(page).map((x) => x.text)).toEqual(
      expect.arrayContaining([
        expect.stringContaining(translator('ar')('menu.question')),
        expect.stringContaining(translator('ar')('language.question')),
      ]),
    );
    expect(Number(page.watermark)).toBeGreaterThanOrEqual(before + 4);
    watermark = page.watermark;
  });

  test('every instance restarted: the conversation resumes with its token and watermark', async () => {
    // Whatever is still to come of the last turn (the menu after the language change) is in first.
    await new Promise((r) => setTimeout(r, 500));
    const before = (await read(a, '0')).page;
    watermark = before.watermark;
    for (const app of apps.splice(0)) await app.stop();
    const c = await start();
    await start(); // (and a second one, for the tests below)
    const { page } = await read(c, '0');
    expect(page.watermark).toBe(watermark);
    expect(page.activities.map((x) => x.id)).toEqual(before.activities.map((x) => x.id));
    // The person goes on: the next activity takes the next watermark, the bot answers in Arabic.
    const id = await say(c, '0');
    expect(id).toBe(`${conversationId}|${String(Number(watermark) + 1).padStart(7, '0')}`);
    const next = (await read(c)).page;
    expect(bot(next)[0].locale).toBe('ar');
    expect(Number(next.watermark)).toBeGreaterThan(Number(watermark) + 1);
  });

  test('a spoken reply made on one instance is played from another', async () => {
    const [c, d] = apps;
    const user = 'wc_scale_listener_0123456789a';
    const res = await call(c, 'POST', '/tokens/generate', undefined, { user: { id: user }, locale: 'fr-FR' });
    const visitor = (await res.json()) as { conversationId: string; token: string };
    expect((await call(d, 'POST', '/conversations', visitor.token)).status).toBe(201);
    const posted = await call(d, 'POST', `/conversations/${visitor.conversationId}/activities`, visitor.token, {
      type: 'message',
      from: { id: user },
      text: 'écouter',
    });
    expect(posted.status).toBe(200);
    const got = await call(c, 'GET', `/conversations/${visitor.conversationId}/activities`, visitor.token);
    const page = (await got.json()) as { activities: { attachments?: { contentUrl: string }[] }[] };
    const links = page.activities.flatMap((x) => x.attachments ?? []).map((x) => x.contentUrl);
    const clips = links.filter((l) => l.startsWith('/webchat/voice/'));
    expect(clips.length).toBeGreaterThan(0);
    for (const link of clips)
      for (const app of [c, d]) {
        const clip = await fetch(`${app.url}${link}`);
        expect(clip.status).toBe(200);
        expect(clip.headers.get('content-type')).toBe('audio/ogg');
        expect((await clip.arrayBuffer()).byteLength).toBeGreaterThan(100);
      }
  });

  test('an erasure on one instance deletes all her web chat conversations, for every instance', async () => {
    const [c, d] = apps;
    const user = 'wc_scale_erased_0123456789abc';
    const visit = async (generateOn: App, openOn: App) => {
      const res = await call(generateOn, 'POST', '/tokens/generate', undefined, { user: { id: user } });
      const visitor = (await res.json()) as { conversationId: string; token: string };
      expect((await call(openOn, 'POST', '/conversations', visitor.token)).status).toBe(201);
      return visitor;
    };
    const first = await visit(c, d);
    // Workshops, who are you: French, reading, consent, a first name: a case of her own.
    for (const [i, words] of ['1', '1', '1', '1', 'Zoubida'].entries()) {
      const res = await call([c, d][i % 2], 'POST', `/conversations/${first.conversationId}/activities`, first.token, {
        type: 'message',
        from: { id: user },
        text: words,
      });
      expect(res.status).toBe(200);
    }
    const person = await c.db.prisma.beneficiary.findFirstOrThrow({ where: { firstName: 'Zoubida' } });
    const second = await visit(d, c); // another day, another conversation
    expect(await c.db.prisma.webChatConversation.count({ where: { userId: user } })).toBe(2);

    const coordinator = await signedIn(c, 'coordinator');
    const erased = await coordinator.call('POST', `/api/cip/beneficiaries/${person.id}/erase`, {
      reason: 'she asked, on the web chat',
    });
    expect(erased.status).toBe(200);
    expect(await c.db.prisma.webChatConversation.count({ where: { userId: user } })).toBe(0);
    const ids = [first.conversationId, second.conversationId];
    expect(await c.db.prisma.webChatActivity.count({ where: { conversationId: { in: ids } } })).toBe(0);
    expect(await c.db.prisma.webChatToken.count({ where: { conversationId: { in: ids } } })).toBe(0);
    for (const app of [c, d])
      for (const v of [first, second])
        expect((await call(app, 'GET', `/conversations/${v.conversationId}/activities`, v.token)).status).not.toBe(200);
  });

  test('the rate limit per address holds for both instances; each address behind the proxy on its own', async () => {
    // 8 token requests a minute: 5 at once (burst), then one every 7.5 s.
    const env = { DIRECTLINE_TOKENS_PER_MINUTE: '8', TRUST_PROXY: '127.0.0.1' };
    const limited = [await startTestApp(tmp!.url, env), await startTestApp(tmp!.url, env)];
    apps.push(...limited);
    const generate = (app: App, client: string) =>
      fetch(`${app.url}/v3/directline/tokens/generate`, {
        method: 'POST',
        headers: { 'X-Forwarded-For': client, 'Content-Type': 'application/json' },
        body: '{}',
      });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await generate(limited[i % 2]!, '203.0.113.7')).status);
    // together, not 5 on each instance
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    const refused = await generate(limited[0]!, '203.0.113.7');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // another client behind the same proxy has its own allowance
    expect((await generate(limited[1]!, '198.51.100.9')).status).toBe(200);
    const keys = ['webchat-tokens:203.0.113.7', 'webchat-tokens:198.51.100.9'];
    expect(await limited[0]!.db.prisma.addressRate.count({ where: { key: { in: keys } } })).toBe(2);
  });

  test('a file sent to one instance is played from the other: MEDIA_DIR on a folder both share', async () => {
    const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-shared-media-'));
    const [e, f] = [
      await startTestApp(tmp!.url, { MEDIA_DIR: shared }),
      await startTestApp(tmp!.url, { MEDIA_DIR: shared }),
    ];
    apps.push(e!, f!);
    const user = 'wc_scale_files_0123456789abcde';
    const res = await call(e!, 'POST', '/tokens/generate', undefined, { user: { id: user } });
    const chat = (await res.json()) as { conversationId: string; token: string };
    expect((await call(f!, 'POST', '/conversations', chat.token)).status).toBe(201);
    const sound = new Uint8Array(samples.oggOpus);
    const sent = await uploadToWebChat(e!.url, chat, new Blob([sound], { type: 'audio/ogg' }), 'note.ogg', user);
    expect(sent.status).toBe(200);
    const { id } = (await sent.json()) as { id: string };
    const page = (await (
      await call(f!, 'GET', `/conversations/${chat.conversationId}/activities`, chat.token)
    ).json()) as {
      activities: { id: string; attachments?: { contentUrl: string }[] }[];
    };
    const link = page.activities.find((a) => a.id === id)!.attachments![0]!.contentUrl;
    const file = await fetch(`${f!.url}${link}`);
    expect(file.status).toBe(200);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(sound);
    fs.rmSync(shared, { recursive: true, force: true });
  });
});
