// End to end through the real server: Microsoft's botframework-directlinejs client talks to our
// Direct Line endpoint; a fake Bot Framework connector receives the replies of /api/messages.
import http from 'node:http';
import os from 'node:os';
import { appForTests, startTestApp } from '../support/app';
import { DirectLineClient } from '../support/directLineClient';
import { uploadToWebChat } from '../support/webChatUpload';
import { emulatorMessage, fakeConnectorForTests } from '../support/fakeConnector';
import { translator } from '../../bot/i18n/translator';
import { samples } from '../support/mediaSamples';
import { queueNotification } from '../../bot/services/notifications';

/** /api/messages without MicrosoftAppId is off unless asked for (test/security/botframework.test.ts) */
const EMULATOR = { BOTFRAMEWORK_EMULATOR: 'on' };

const testApp = appForTests(EMULATOR);

const USER = 'wc_e2e_user_0123456789abcdef';

test('through botframework-directlinejs: menu in French, then Arabic, kept after a restart', async () => {
  const client = await DirectLineClient.withToken(testApp().url, USER);
  try {
    const greeting = await client.waitForBotMessages(2);
    expect(greeting[0].text).toMatch(/^Bonjour ! Je suis Passerelle/);
    expect(greeting[1].text).toContain('Que voulez-vous faire ?');
    expect(greeting[1].suggestedActions?.actions).toHaveLength(6);

    expect((await client.say('6'))[0].suggestedActions?.actions.map((a) => a.title)).toContain('3 · العربية');
    const arabic = await client.say('٣', 2);
    expect(arabic[0].text).toBe('حسنا. الآن أتكلم العربية.');
    expect(arabic[1].text).toContain('ماذا تريد أن تفعل؟');
    expect(arabic[1].locale).toBe('ar');
  } finally {
    client.end();
  }

  // The record: every message in and out, and the language in the user's stored state.
  const messages = await testApp().db.prisma.message.findMany({
    where: { channel: 'webchat' },
    orderBy: { id: 'asc' },
  });
  expect(messages.filter((m) => m.direction === 'in').map((m) => (m.payload as { text: string }).text)).toEqual([
    '6',
    '٣',
  ]);
  expect(messages.filter((m) => m.direction === 'out').length).toBeGreaterThanOrEqual(5);
  const state = await testApp().db.prisma.botState.findUnique({ where: { key: `webchat/users/${USER}/` } });
  expect(JSON.parse(state!.data).profile.language).toBe('ar');

  // Restart the server on the same database: the same person is greeted in Arabic.
  await testApp.restart();
  const again = await DirectLineClient.withToken(testApp().url, USER);
  try {
    const [hello, menu] = await again.waitForBotMessages(2);
    expect(hello.text).toMatch(/^مرحبا!/);
    // the web chat shows options as buttons (webchat/renderer.ts)
    expect(menu.suggestedActions?.actions[0].title).toBe('1 · الورشات');
  } finally {
    again.end();
  }
});

test('DIRECTLINE_SECRET: the client works with it, the first message opens the chat; wrong, nothing', async () => {
  const secret = 'a-secret-of-at-least-32-characters-0123';
  const withSecret = await startTestApp(testApp.databaseUrl(), { DIRECTLINE_SECRET: secret });
  const client = await DirectLineClient.withSecret(withSecret.url, secret);
  const wrong = await DirectLineClient.withSecret(withSecret.url, 'b-secret-of-at-least-32-characters-0123');
  try {
    const replies = await client.say('bonjour', 2);
    expect(replies[1].suggestedActions?.actions[0].title).toBe('1 · Ateliers');
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
    ({ conversationId, token } = (await post('/v3/directline/conversations', undefined, 'none').then((r) =>
      r.json(),
    )) as Started);
    ({ token: otherToken } = (await post('/v3/directline/conversations', undefined, 'none').then((r) =>
      r.json(),
    )) as Started);
  });

  async function post(path: string, body: string | undefined, bearer: string, type = 'application/json') {
    return fetch(`${testApp().url}${path}`, {
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
    [
      'an unknown conversation',
      () => post('/v3/directline/conversations/nope/activities', '{"type":"message","text":"x"}', token),
      404,
      /not found/,
    ],
    [
      "another conversation's token",
      () => post(activities(), '{"type":"message","text":"x"}', otherToken),
      403,
      /another conversation/,
    ],
    ['an invalid token', () => post(activities(), '{"type":"message","text":"x"}', 'forged'), 403, /not valid/],
    ['no token', () => post(activities(), '{"type":"message","text":"x"}', 'none'), 401, /Authorization/],
    [
      'an oversize body (> 32 KB)',
      () => post(activities(), JSON.stringify({ type: 'message', text: 'a'.repeat(100 * 1024) }), token),
      413,
      /exceeds/,
    ],
  ])('%s', async (_name, send, status, message) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(await res.text()).toMatch(message);
  });

  test('reading activities with a foreign token is refused, with the right one it works', async () => {
    const get = (t: string) =>
      fetch(`${testApp().url}${activities()}?watermark=0`, { headers: { Authorization: `Bearer ${t}` } });
    expect((await get(otherToken)).status).toBe(403);
    expect((await get(token)).status).toBe(200);
  });

  test('/api/messages refuses a body that is not an activity, and the server stays healthy', async () => {
    const res = await post('/api/messages', '{}', 'none');
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/type/);
    expect((await fetch(`${testApp().url}/healthz`)).status).toBe(200);
    expect((await fetch(`${testApp().url}/readyz`)).status).toBe(200);
  });
});

describe('/api/messages (Bot Framework protocol) without MicrosoftAppId, BOTFRAMEWORK_EMULATOR=on', () => {
  const { received, serviceUrl } = fakeConnectorForTests();
  const activity = (text: string) => emulatorMessage(serviceUrl(), 'emulator-conversation', text);

  test('a local request runs the same bot: the replies reach the connector', async () => {
    const res = await fetch(`${testApp().url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(activity('hello')),
    });
    expect(res.status).toBeLessThan(300);
    expect(received.map((a) => a.text).join('\n')).toContain('What do you want to do?');
    expect(received.every((a) => a.locale === 'en')).toBe(true);
  });

  test("a proactive message reaches the connector (continueConversationAsync), in the person's language", async () => {
    const db = testApp().db.prisma;
    const b = await db.beneficiary.create({
      data: { firstName: 'Tesfay', language: 'en', status: 'active', consentAt: new Date() },
    });
    const reference = {
      channelId: 'emulator',
      serviceUrl: serviceUrl(),
      conversation: { id: 'emulator-proactive' },
      user: { id: 'emulator-user-2' },
      bot: { id: 'bot' },
    };
    await db.conversationRef.create({
      data: {
        channel: 'emulator',
        userKey: 'emulator-user-2',
        conversationId: 'emulator-proactive',
        serviceUrl: serviceUrl(),
        reference,
        beneficiaryId: b.id,
        lastInboundAt: new Date(),
      },
    });
    const session = { workshopCode: 'cv', title: 'CV', startsAt: '2026-12-10T09:30:00.000Z', place: 'Blois' };
    const id = await db.$transaction((tx) =>
      queueNotification(tx, b.id, new Date(), { key: 'notifications.waitlistPromoted', session }),
    );
    const before = received.length;
    expect(await testApp().core.notifier.deliver(b.id)).toBe(1);
    const sent = received.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0].conversation?.id).toBe('emulator-proactive');
    expect(sent[0].text).toContain(translator('en')('notifications.waitlistPromoted').split('\n')[0]);
    expect(await db.message.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: 'sent',
      channel: 'emulator',
      conversationId: 'emulator-proactive',
    });
  });

  test('a request from another host is refused with 403', async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!external) {
      console.warn('NOTICE: no non-loopback IPv4 address on this machine: the remote-host check is not exercised');
      return;
    }
    const open = await startTestApp(testApp.databaseUrl(), { HOST: '0.0.0.0', ...EMULATOR });
    try {
      const port = new URL(open.url).port;
      const res = await fetch(`http://${external}:${port}/api/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(activity('hello')),
      });
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/MicrosoftAppId/);
    } finally {
      await open.stop();
    }
  });
});

describe('files sent from the web chat (voice notes, photos)', () => {
  async function start() {
    const res = await fetch(`${testApp().url}/v3/directline/tokens/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: { id: 'wc_upload_user_0123456789' } }),
    });
    const { conversationId, token } = (await res.json()) as { conversationId: string; token: string };
    await fetch(`${testApp().url}/v3/directline/conversations`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    return { conversationId, token };
  }

  const upload = (conversationId: string, token: string, file: Blob, name: string) =>
    uploadToWebChat(testApp().url, { conversationId, token }, file, name, 'wc_upload_user_0123456789');

  test('a voice note is stored, served to the page by its signed link, reaches the bot as an attachment', async () => {
    const { conversationId, token } = await start();
    const sound = new Uint8Array(samples.oggOpus);
    const res = await upload(conversationId, token, new Blob([sound], { type: 'audio/ogg' }), 'note.ogg');
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    const transcript = (await (
      await fetch(`${testApp().url}/v3/directline/conversations/${conversationId}/activities`, {
        headers: { Authorization: `Bearer ${token}` },
      })
    ).json()) as { activities: { id: string; attachments?: { contentType: string; contentUrl: string }[] }[] };
    const echoed = transcript.activities.find((a) => a.id === id)!;
    expect(echoed.attachments).toEqual([
      expect.objectContaining({
        contentType: 'audio/ogg',
        contentUrl: expect.stringMatching(/^\/webchat\/media\/[A-Za-z0-9_-]{32}\?c=/),
      }),
    ]);
    const file = await fetch(`${testApp().url}${echoed.attachments![0].contentUrl}`);
    expect(file.headers.get('content-type')).toBe('audio/ogg');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(sound);
    // the message record keeps the plain reference (no signature), not the bytes
    const row = await testApp().db.prisma.message.findFirst({ where: { providerId: `webchat:${id}` } });
    expect((row!.payload as { attachments: { url: string }[] }).attachments[0].url).toBe(
      echoed.attachments![0].contentUrl.split('?')[0],
    );
  });

  test('other kinds of files get 415, an oversize upload 413, an unknown media 404 (more in security/)', async () => {
    const { conversationId, token } = await start();
    expect(
      (await upload(conversationId, token, new Blob(['#!/bin/sh'], { type: 'application/x-sh' }), 'x.sh')).status,
    ).toBe(415);
    // announces 50 MB and waits: the server must refuse before reading it
    const big = await new Promise<{ status: number }>((resolve, reject) => {
      const url = new URL(`${testApp().url}/v3/directline/conversations/${conversationId}/upload`);
      const req = http.request(url, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'multipart/form-data; boundary=x',
          'Content-Length': 50 * 1024 * 1024,
        },
      });
      req.on('response', (r) => {
        resolve({ status: r.statusCode! });
        r.resume();
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(big.status).toBe(413);
    expect(
      (
        await fetch(`${testApp().url}/webchat/media/${'a'.repeat(32)}`, {
          headers: { Authorization: `Bearer ${token}` },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await fetch(`${testApp().url}/webchat/media/..%2F..%2Fpackage.json`, {
          headers: { Authorization: `Bearer ${token}` },
        })
      ).status,
    ).toBe(404);
  });
});

test('a new visitor books a workshop in Arabic through Direct Line: the Booking row and its event exist', async () => {
  const t = translator('ar');
  const client = await DirectLineClient.withToken(testApp().url, 'wc_e2e_arabic_booking_0123');
  try {
    await client.waitForBotMessages(2); // greeting + menu
    await client.sayUntil('1', 'Choisissez votre langue.'); // a new person: onboarding first
    const voice = await client.sayUntil('٣', t('voice.question'));
    const consent = [...voice, ...(await client.sayUntil('١', t('onboarding.consent.question')))]; // read
    expect(consent.every((m) => m.locale === 'ar')).toBe(true);
    await client.sayUntil('١', t('onboarding.name.question'));
    await client.sayUntil('سمير', t('workshops.menu.question'));
    await client.sayUntil('١', t('workshops.birthYear.question'));
    await client.sayUntil('١٩٩٠', t('workshops.list.question'));
    const booked = await client.sayUntil('١', t('workshops.booked.done'));
    expect(booked.every((m) => m.locale === 'ar')).toBe(true);
  } finally {
    client.end();
  }
  const person = await testApp().db.prisma.beneficiary.findFirstOrThrow({ where: { firstName: 'سمير' } });
  expect(person).toMatchObject({ status: 'pending', language: 'ar', birthYear: 1990 });
  const booking = await testApp().db.prisma.booking.findFirstOrThrow({
    where: { beneficiaryId: person.id },
    include: { session: true },
  });
  expect(booking.status).toBe('booked');
  expect(booking.session.audience).toBe('over25');
  const events = await testApp().db.prisma.caseEvent.findMany({
    where: { beneficiaryId: person.id },
    orderBy: { id: 'asc' },
  });
  expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['consent_given', 'workshop_booked']));
});

test('stopping the server lets a turn in progress finish and keeps its record', async () => {
  const own = await startTestApp(testApp.databaseUrl());
  const res = await fetch(`${own.url}/v3/directline/tokens/generate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: { id: 'wc_shutdown_user_0123456789' } }),
  });
  const { conversationId, token } = (await res.json()) as { conversationId: string; token: string };
  await fetch(`${own.url}/v3/directline/conversations`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
  });
  // a turn is on its way when the server is told to stop
  const posting = fetch(`${own.url}/v3/directline/conversations/${conversationId}/activities`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'message', text: '6' }),
  });
  while (own.core.turns.size === 0) await new Promise((r) => setImmediate(r));
  const stopping = own.stop(); // the turn is running now
  const posted = await posting;
  await stopping;
  expect(posted.status).toBe(200);
  const { id } = (await posted.json()) as { id: string };
  // the turn ran to its end: the message and the bot's answer are on record
  const rows = await testApp().db.prisma.message.findMany({ where: { conversationId }, orderBy: { id: 'asc' } });
  expect(rows.find((r) => r.providerId === `webchat:${id}`)).toBeDefined();
  expect(
    rows.some(
      (r) => r.direction === 'out' && (r.payload as { text?: string }).text?.includes('Choisissez votre langue.'),
    ),
  ).toBe(true);
  // and the stopped server takes nothing new
  await expect(fetch(`${own.url}/healthz`)).rejects.toThrow();
});
