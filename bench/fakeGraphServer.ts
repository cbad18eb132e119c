// The fake Graph API of the tests, in a process of its own for the benchmark (so that its work
// does not count as the server's): prints "listening <url>", then one line per message sent:
// "sent <to> <epoch ms> <type>" (type: text, button, list, template, audio: a voice note, sent by
// the media id of an upload), and one line per upload (POST /<version>/<phone-number-id>/media, a
// multipart form: messaging_product, type, file; checked as Meta does, answered {id}):
// "uploaded <epoch ms> <HTTP status>".
// For the broadcast benchmark (broadcast.ts), FAKE_TRACE=1 adds, after the type, the message
// itself as JSON (the template, the text...), and prints "aborted <epoch ms>" for each request
// whose connection died before it was answered (the server killed mid-send);
// FAKE_LATENCY_MS=n makes each send take n ms to answer (a slower network).
import type http from 'node:http';
import { FakeGraphApi } from '../test/support/fakeGraphApi';

const trace = process.env.FAKE_TRACE === '1';

async function main() {
  const fake = await FakeGraphApi.start({
    accessToken: process.env.FAKE_ACCESS_TOKEN,
    phoneNumberId: process.env.FAKE_PHONE_NUMBER_ID,
  });
  fake.keep = false;
  fake.latencyMs = Number(process.env.FAKE_LATENCY_MS ?? 0) || 0;
  const out: string[] = [];
  let scheduled = false;
  const print = (line: string) => {
    out.push(line);
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        process.stdout.write(out.splice(0).join(''));
      });
    }
  };
  const now = () => performance.timeOrigin + performance.now();
  fake.onSent = (m) => {
    const b = m.body as { type: string; interactive?: { type: string } };
    const type = b.type === 'interactive' ? b.interactive!.type : b.type;
    print(
      `sent ${m.to} ${now()} ` +
        `${type}${trace ? ` ${JSON.stringify((m.body as Record<string, unknown>)[b.type])}` : ''}\n`,
    );
  };
  // (The fake keeps its HTTP server to itself: reached here only to watch uploads end and
  // connections die.)
  const server = (fake as unknown as { server: http.Server }).server;
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method === 'POST' && req.url?.endsWith('/media'))
      res.on('finish', () => {
        print(`uploaded ${now()} ${res.statusCode}\n`);
        // (The fake keeps each upload's bytes in two places: those of its media store will do.)
        fake.uploads.length = 0;
      });
    if (trace)
      res.on('close', () => {
        if (!res.writableFinished) print(`aborted ${now()}\n`);
      });
  });
  // A request cut off in the middle of its body (the server killed) rejects the fake's handler:
  // that request is simply lost, as it would be at Meta's.
  process.on('unhandledRejection', () => undefined);
  process.stdout.write(`listening ${fake.url}\n`);
  process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
}

void main();
