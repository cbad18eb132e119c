// GET and POST /api/whatsapp on the real server: the verification handshake, signatures, sizes,
// malformed bodies, duplicate deliveries and the order of a person's messages.
import { translator } from '../../bot/i18n/translator';
import { signatureOf } from '../../bot/channels/whatsapp/signature';
import {
  APP_SECRET,
  VERIFY_TOKEN,
  fixture,
  fixtureSignatures,
  postWebhook,
  text,
  asMetaJson,
} from '../support/whatsappWebhooks';
import { textOf, useWhatsAppApp } from '../support/whatsappApp';

const h = useWhatsAppApp();

const handshake = (query: Record<string, string>) => fetch(`${h.app.url}/api/whatsapp?${new URLSearchParams(query)}`);

test('the handshake answers the challenge to the right verify token, 403 otherwise', async () => {
  const ok = await handshake({
    'hub.mode': 'subscribe',
    'hub.verify_token': VERIFY_TOKEN,
    'hub.challenge': '1158201444',
  });
  expect(ok.status).toBe(200);
  expect(await ok.text()).toBe('1158201444');
  expect((await handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'wrong', 'hub.challenge': '1' })).status).toBe(
    403,
  );
  expect(
    (await handshake({ 'hub.mode': 'unsubscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1' })).status,
  ).toBe(403);
  expect((await handshake({ 'hub.mode': 'subscribe', 'hub.challenge': '1' })).status).toBe(403);
  expect((await handshake({})).status).toBe(403);
});

test("signatures: the fixtures' own are accepted; missing or wrong ones get 401 and store nothing", async () => {
  const signatures = fixtureSignatures();
  for (const name of ['text-fr.json', 'button-reply.json', 'voice-note.json', 'status-delivered.json']) {
    const res = await postWebhook(h.app.url, fixture(name), { signature: signatures.get(name) });
    expect({ name, status: res.status }).toEqual({ name, status: 200 });
  }
  await h.settled();
  const stored = await h.app.db.prisma.message.count();
  const body = fixture('text-fr.json');
  expect((await postWebhook(h.app.url, body, { signature: null })).status).toBe(401);
  expect((await postWebhook(h.app.url, body, { signature: 'sha256=' + '0'.repeat(64) })).status).toBe(401);
  expect((await postWebhook(h.app.url, body, { signature: signatureOf(body, 'another-secret') })).status).toBe(401);
  expect((await postWebhook(h.app.url, body, { signature: 'sha1=abc' })).status).toBe(401);
  // One byte changed after signing.
  const tampered = Buffer.from(body);
  tampered[tampered.indexOf('Blois')] = 'M'.charCodeAt(0);
  expect((await postWebhook(h.app.url, tampered, { signature: signatures.get('text-fr.json') })).status).toBe(401);
  // The same content re-serialised (Meta signs its own bytes, with \u escapes).
  const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
  expect((await postWebhook(h.app.url, reserialised, { signature: signatures.get('text-fr.json') })).status).toBe(401);
  expect(await h.app.db.prisma.message.count()).toBe(stored);
});

test('a body over 1 MB gets 413, one that is not JSON or not the envelope gets 400, with a reason', async () => {
  const big = Buffer.alloc(1024 * 1024 + 10, 'a');
  expect((await postWebhook(h.app.url, big)).status).toBe(413);
  const notJson = await postWebhook(h.app.url, '{"object": "whatsapp_business_account", "entry": [');
  expect(notJson.status).toBe(400);
  expect(((await notJson.json()) as { error: { message: string } }).error.message).toMatch(/not JSON/);
  for (const body of [
    { object: 'page', entry: [] },
    { object: 'whatsapp_business_account' },
    { object: 'whatsapp_business_account', entry: [{ id: '1' }] },
    [],
    'x',
  ]) {
    expect((await postWebhook(h.app.url, JSON.stringify(body))).status).toBe(400);
  }
  // An envelope with nothing for us (an account update): 200.
  const other = {
    object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } }] }],
  };
  expect((await postWebhook(h.app.url, other)).status).toBe(200);
});

test('a message delivered twice, even at the same moment, is stored and answered once', async () => {
  const person = { waId: '33700000101', name: 'Lina' };
  const body = asMetaJson(text(person, 'bonjour'));
  const answers = await Promise.all([
    postWebhook(h.app.url, body),
    postWebhook(h.app.url, body),
    postWebhook(h.app.url, body),
  ]);
  expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
  await h.settled();
  expect(h.graph.sentTo(person.waId)).toHaveLength(1);
  expect(await h.app.db.prisma.message.count({ where: { direction: 'in', conversationId: person.waId } })).toBe(1);
  // And days later (Meta retries for a week): still nothing new.
  await postWebhook(h.app.url, body);
  await h.settled();
  expect(h.graph.sentTo(person.waId)).toHaveLength(1);
});

test("a person's messages are handled in the order they came, even coming faster than the bot answers", async () => {
  const person = { waId: '33700000102', name: 'Omid' };
  const t = Date.now();
  // Posted one after the other without waiting for the answers: hello, Dari (4), read, yes to consent.
  for (const [i, body] of ['salam', '4', '1', '1'].entries()) {
    const res = await postWebhook(h.app.url, text(person, body, { timestamp: t + i * 1000 }));
    expect(res.status).toBe(200);
  }
  await h.settled();
  const replies = h.graph.sentTo(person.waId).map(textOf);
  const fa = translator('fa');
  expect(replies[0]).toContain(translator('fr')('language.question'));
  expect(replies.join('\n')).toContain(fa('voice.question'));
  expect(replies.join('\n')).toContain(fa('onboarding.consent.question'));
  // The fourth message answered the consent question: the name question comes next, in Dari.
  expect(replies.at(-1)).toContain(fa('onboarding.name.confirm', { name: 'Omid' }));
  const inbound = await h.app.db.prisma.message.findMany({
    where: { direction: 'in', conversationId: person.waId },
    orderBy: { id: 'asc' },
  });
  expect(inbound.map((m) => (m.payload as { text?: string }).text)).toEqual(['salam', '4', '1', '1']);
  expect(inbound.every((m) => m.status === 'received')).toBe(true);
});

test(
  'the acknowledgement comes after the message is stored (a 200 means ' +
    'it is in the database); the message is then marked read, "typing..."',
  async () => {
    const person = { waId: '33700000103' };
    const body = text(person, 'hello');
    const res = await postWebhook(h.app.url, body);
    expect(res.status).toBe(200);
    const wamid = (body.entry[0].changes[0].value.messages[0] as { id: string }).id;
    // Immediately after the answer, before any handling is waited for.
    expect(await h.app.db.prisma.message.count({ where: { providerId: `whatsapp:${wamid}` } })).toBe(1);
    await h.settled();
    expect(h.graph.reads).toContainEqual(expect.objectContaining({ messageId: wamid, typing: true }));
  },
);

test('the signature is checked on the raw bytes: a secret of another app never opens the endpoint', async () => {
  const body = asMetaJson(text({ waId: '33700000104' }, 'x'));
  expect((await postWebhook(h.app.url, body, { secret: `${APP_SECRET}x` })).status).toBe(401);
});
