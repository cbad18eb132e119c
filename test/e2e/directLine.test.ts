// End to end through the real server: Microsoft's botframework-directlinejs client talks to our
// Direct Line endpoint; a fake Bot Framework connector receives the replies of /api/messages.
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import type { App } from '../../bot/app';
import { createTempSqlite } from '../support/databases';
import type { TempDatabase } from '../support/postgres';
import { startTestApp } from '../support/app';
import { DirectLineClient } from '../support/directLineClient';

let tmp: TempDatabase;
let app: App;

beforeAll(async () => {
  tmp = await createTempSqlite();
  app = await startTestApp(tmp.url);
});
afterAll(async () => {
  await app?.stop();
  await tmp?.drop();
});

const USER = 'wc_e2e_user_0123456789abcdef';

test('a conversation through botframework-directlinejs: menu in French, then Arabic, kept after a restart', async () => {
  const client = await DirectLineClient.withToken(app.url, USER);
  try {
    const greeting = await client.waitForBotMessages(2);
    expect(greeting[0].text).toMatch(/^Bonjour ! Je suis Passerelle/);
    expect(greeting[1].text).toContain('Que voulez-vous faire ?');
    expect(greeting[1].suggestedActions?.actions).toHaveLength(6);

    expect((await client.say('6'))[0].text).toContain('3. العربية');
    const arabic = await client.say('٣', 2);
    expect(arabic[0].text).toBe('حسنا. الآن أتكلم العربية.');
    expect(arabic[1].text).toContain('ماذا تريد أن تفعل؟');
    expect(arabic[1].locale).toBe('ar');
  } finally {
    client.end();
  }

  // The record: every message in and out, and the language in the user's stored state.
  const messages = await app.db.prisma.message.findMany({ where: { channel: 'webchat' }, orderBy: { id: 'asc' } });
  expect(messages.filter((m) => m.direction === 'in').map((m) => (m.payload as { text: string }).text)).toEqual(['6', '٣']);
  expect(messages.filter((m) => m.direction === 'out').length).toBeGreaterThanOrEqual(5);
  const state = await app.db.prisma.botState.findUnique({ where: { key: `webchat/users/${USER}/` } });
  expect(JSON.parse(state!.data).profile.language).toBe('ar');

  // Restart the server on the same database: the same person is greeted in Arabic.
  await app.stop();
  app = await startTestApp(tmp.url);
  const again = await DirectLineClient.withToken(app.url, USER);
  try {
    const [hello, menu] = await again.waitForBotMessages(2);
    expect(hello.text).toMatch(/^مرحبا!/);
    expect(menu.text).toContain('1. الورشات');
  } finally {
    again.end();
  }
});

test('with DIRECTLINE_SECRET the client works with the secret, the first message opens the chat; a wrong secret gets nothing', async () => {
  const secret = 'a-secret-of-at-least-32-characters-0123';
  const withSecret = await startTestApp(tmp.url, { DIRECTLINE_SECRET: secret });
  const client = await DirectLineClient.withSecret(withSecret.url, secret);
  const wrong = await DirectLineClient.withSecret(withSecret.url, 'b-secret-of-at-least-32-characters-0123');
  try {
    const replies = await client.say('bonjour', 2);
    expect(replies[1].text).toContain('1. Ateliers');
    await expect(wrong.say('bonjour', 1, 1500)).rejects.toThrow();
  } finally {
    client.end();
    wrong.end();
    await withSecret.stop();
  }
});

describe('bad requests get a 4xx with a clear message and never break the server', () => {
  let conversationId: string;
  let token: string;
  let otherToken: string;

  beforeAll(async () => {
    type Started = { conversationId: string; token: string };
    ({ conversationId, token } = (await post('/v3/directline/conversations', undefined, 'none').then((r) => r.json())) as Started);
    ({ token: otherToken } = (await post('/v3/directline/conversations', undefined, 'none').then((r) => r.json())) as Started);
  });

  async function post(path: string, body: string | undefined, bearer: string, type = 'application/json') {
    return fetch(`${app.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': type, ...(bearer !== 'none' && { Authorization: `Bearer ${bearer}` }) },
      body,
    });
  }
  const activities = () => `/v3/directline/conversations/${conversationId}/activities`;

  test.each([
    ['malformed JSON', () => post(activities(), '{"type": "message", "text": ', token), 400, /JSON/],
    ['a JSON array', () => post(activities(), '[1, 2]', token), 400, /activity object/],
    ['an unknown activity type', () => post(activities(), '{"type":"invoke"}', token), 400, /type/],
    ['a message without text', () => post(activities(), '{"type":"message"}', token), 400, /text/],
    ['an unknown conversation', () => post('/v3/directline/conversations/nope/activities', '{"type":"message","text":"x"}', token), 404, /not found/],
    ["another conversation's token", () => post(activities(), '{"type":"message","text":"x"}', otherToken), 403, /another conversation/],
    ['an invalid token', () => post(activities(), '{"type":"message","text":"x"}', 'forged'), 403, /not valid/],
    ['no token', () => post(activities(), '{"type":"message","text":"x"}', 'none'), 401, /Authorization/],
    ['an oversize body (> 256 KB)', () => post(activities(), JSON.stringify({ type: 'message', text: 'a'.repeat(300 * 1024) }), token), 413, /exceeds/],
  ])('%s', async (_name, send, status, message) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(await res.text()).toMatch(message);
  });

  test('reading activities with a foreign token is refused, with the right one it works', async () => {
    const get = (t: string) => fetch(`${app.url}${activities()}?watermark=0`, { headers: { Authorization: `Bearer ${t}` } });
    expect((await get(otherToken)).status).toBe(403);
    expect((await get(token)).status).toBe(200);
  });

  test('/api/messages refuses a body that is not an activity, and the server stays healthy', async () => {
    const res = await post('/api/messages', '{}', 'none');
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/type/);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  });
});

describe('/api/messages (Bot Framework protocol) without MicrosoftAppId', () => {
  // A stand-in for the Bot Framework connector: CloudAdapter posts the bot's replies to serviceUrl.
  let connector: http.Server;
  let serviceUrl: string;
  const received: { text?: string; locale?: string }[] = [];

  beforeAll(async () => {
    connector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.method === 'POST' && req.url?.includes('/activities')) received.push(JSON.parse(body));
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: `r${received.length}` }));
      });
    });
    await new Promise<void>((r) => connector.listen(0, '127.0.0.1', r));
    serviceUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => connector.close(() => r())));

  const activity = (text: string) => ({
    type: 'message',
    id: `a-${Math.random()}`,
    text,
    channelId: 'emulator',
    serviceUrl,
    from: { id: 'emulator-user', name: 'User' },
    recipient: { id: 'bot', name: 'Passerelle' },
    conversation: { id: 'emulator-conversation' },
    locale: 'en-US',
  });

  test('a local request runs the same bot: the replies reach the connector', async () => {
    const res = await fetch(`${app.url}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity('hello')) });
    expect(res.status).toBeLessThan(300);
    expect(received.map((a) => a.text).join('\n')).toContain('What do you want to do?');
    expect(received.every((a) => a.locale === 'en')).toBe(true);
  });

  test('a request from another host is refused with 403', async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!external) {
      console.warn('NOTICE: no non-loopback IPv4 address on this machine: the remote-host check is not exercised');
      return;
    }
    const open = await startTestApp(tmp.url, { HOST: '0.0.0.0' });
    try {
      const port = new URL(open.url).port;
      const res = await fetch(`http://${external}:${port}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity('hello')) });
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/MicrosoftAppId/);
    } finally {
      await open.stop();
    }
  });
});
