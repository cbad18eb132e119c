// A stand-in for the Bot Framework connector: CloudAdapter posts the bot's replies to serviceUrl,
// this server keeps them. emulatorMessage() is what the Bot Framework Emulator posts to /api/messages.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeConnector {
  /** the activities the bot posted, in order */
  received: { text?: string; locale?: string; conversation?: { id: string } }[];
  /** its URL (once started) */
  serviceUrl(): string;
}

/** The connector for the tests of a file or describe block: listens in beforeAll, closes in afterAll. */
export function fakeConnectorForTests(): FakeConnector {
  let server: http.Server | undefined;
  let url = '';
  const received: FakeConnector['received'] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.method === 'POST' && req.url?.includes('/activities')) received.push(JSON.parse(body));
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: `r${received.length}` }));
      });
    });
    const listening = server;
    await new Promise<void>((r) => listening.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));
  const serviceUrl = () => {
    if (!url) throw new Error('the connector starts in beforeAll (use it inside a test)');
    return url;
  };
  return { received, serviceUrl };
}

/** A message from the Emulator's user, in English, in a conversation, replies to serviceUrl. */
export const emulatorMessage = (serviceUrl: string, conversation: string, text: string) => ({
  type: 'message',
  id: `a-${Math.random()}`,
  text,
  channelId: 'emulator',
  serviceUrl,
  from: { id: 'emulator-user', name: 'User' },
  recipient: { id: 'bot', name: 'Passerelle' },
  conversation: { id: conversation },
  locale: 'en-US',
});
