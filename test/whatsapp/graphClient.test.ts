// The Graph API client over node:http against the fake Graph API: a send and its wamid, the body
// Meta gets, Meta's errors with their code and title, no answer within the timeout, nobody
// listening; the kept-alive connections are reused and closed with the client.
import http from 'node:http';
import { GraphClient, GraphError } from '../../bot/channels/whatsapp/graphClient';
import { FAILURES, FakeGraphApi } from '../support/fakeGraphApi';

let fake: FakeGraphApi;
let client: GraphClient;
beforeEach(async () => {
  fake = await FakeGraphApi.start({ accessToken: 'token-1', phoneNumberId: '1001' });
  client = new GraphClient({ baseUrl: fake.url, accessToken: 'token-1', phoneNumberId: '1001', timeoutMs: 300 });
});
afterEach(async () => {
  client.close();
  await fake.close();
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: unknown) => err as GraphError,
  );

test('a send: its wamid back, the body as Meta expects it, in UTF-8', async () => {
  const wamid = await client.send('33612345678', { type: 'text', text: { body: 'مرحبا 👋 é' } });
  expect(wamid).toMatch(/^wamid\./);
  expect(fake.sent).toHaveLength(1);
  expect(fake.sent[0]).toMatchObject({
    to: '33612345678',
    wamid,
    body: {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '33612345678',
      type: 'text',
      text: { body: 'مرحبا 👋 é' },
    },
  });
});

test("Meta's errors keep their status, code, title (without the code) and class", async () => {
  fake.fail(FAILURES.reengage, { times: 1 });
  fake.fail(FAILURES.throttled, { times: 1 });
  const reengage = await failure(client.send('33612345678', { type: 'text', text: { body: 'a' } }));
  expect(reengage).toBeInstanceOf(GraphError);
  expect({ status: reengage!.status, code: reengage!.code, title: reengage!.title, kind: reengage!.kind }).toEqual({
    status: 400,
    code: 131047,
    title: 'Re-engagement message',
    kind: 'reengage',
  });
  const throttled = await failure(client.send('33612345678', { type: 'text', text: { body: 'b' } }));
  expect({ status: throttled!.status, code: throttled!.code, kind: throttled!.kind }).toEqual({
    status: 429,
    code: 130429,
    kind: 'retry',
  });
  const wrongToken = new GraphClient({ baseUrl: fake.url, accessToken: 'not-the-token', phoneNumberId: '1001' });
  const refused = await failure(wrongToken.send('33612345678', { type: 'text', text: { body: 'c' } }));
  wrongToken.close();
  expect({ status: refused!.status, code: refused!.code, kind: refused!.kind }).toEqual({
    status: 401,
    code: 190,
    kind: 'stop',
  });
  expect(fake.sent).toHaveLength(0);
});

test('no answer within the timeout, or nobody listening: a GraphError without status, to try again', async () => {
  fake.fail('timeout', { times: 1 });
  const started = Date.now();
  const late = await failure(client.send('33612345678', { type: 'text', text: { body: 'a' } }));
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  expect({ message: late!.message, status: late!.status, kind: late!.kind }).toEqual({
    message: 'Graph API did not answer within 300 ms',
    status: undefined,
    kind: 'retry',
  });

  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as { port: number }).port;
  await new Promise((r) => closed.close(r));
  const nowhere = new GraphClient({
    baseUrl: `http://127.0.0.1:${port}`,
    accessToken: 'token-1',
    phoneNumberId: '1001',
  });
  const unreachable = await failure(nowhere.send('33612345678', { type: 'text', text: { body: 'b' } }));
  nowhere.close();
  expect(unreachable!.message).toMatch(/^Graph API unreachable: .*ECONNREFUSED/);
  expect(unreachable!.kind).toBe('retry');
});

test('sends one after another reuse a kept-alive connection', async () => {
  const sockets = new Set<unknown>();
  const server = (fake as unknown as { server: http.Server }).server;
  server.on('connection', (s) => sockets.add(s));
  for (let i = 0; i < 5; i++) await client.send('33612345678', { type: 'text', text: { body: `m${i}` } });
  expect(fake.sent).toHaveLength(5);
  expect(sockets.size).toBe(1);
});
