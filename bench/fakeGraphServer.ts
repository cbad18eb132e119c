// The fake Graph API of the tests, in a process of its own for the benchmark (so that its work
// does not count as the server's): prints "listening <url>", then one line per message sent:
// "sent <to> <epoch ms> <type>" (type: text, button, list, template).
import { FakeGraphApi } from '../test/support/fakeGraphApi';

async function main() {
  const fake = await FakeGraphApi.start({ accessToken: process.env.FAKE_ACCESS_TOKEN, phoneNumberId: process.env.FAKE_PHONE_NUMBER_ID });
  fake.keep = false;
  const out: string[] = [];
  let scheduled = false;
  fake.onSent = (m) => {
    const b = m.body as { type: string; interactive?: { type: string } };
    out.push(`sent ${m.to} ${performance.timeOrigin + performance.now()} ${b.type === 'interactive' ? b.interactive!.type : b.type}\n`);
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        process.stdout.write(out.splice(0).join(''));
      });
    }
  };
  process.stdout.write(`listening ${fake.url}\n`);
  process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
}

void main();
