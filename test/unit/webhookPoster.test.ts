// The benchmarks' load generator (bench/fakeGraph.ts): signed webhooks over a bounded set of
// kept-alive connections, as Meta or a load balancer sends them, not a new connection for each.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureOf } from '../../bot/channels/whatsapp/signature';
import { POSTER_CONNECTIONS, SECRET, webhookPoster } from '../../bench/fakeGraph';

test('200 webhooks at once go over at most POSTER_CONNECTIONS connections, each signed and answered', async () => {
  let connections = 0;
  let badSignatures = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.headers['x-hub-signature-256'] !== signatureOf(Buffer.concat(chunks), SECRET)) badSignatures++;
      // Slow enough that the requests overlap. (Not chained: restify, loaded by other tests of the
      // same worker, replaces writeHead with one that returns nothing.)
      setTimeout(() => {
        res.writeHead(req.url === '/api/whatsapp' ? 200 : 404);
        res.end('{}');
      }, 5);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const post = webhookPoster(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => post(Buffer.from(JSON.stringify({ n: i, text: 'é' })))),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(badSignatures).toBe(0);
    expect(connections).toBeGreaterThan(1);
    expect(connections).toBeLessThanOrEqual(POSTER_CONNECTIONS);
    // The time of each post counts its wait for a connection.
    expect(Math.max(...results.map((r) => r.ackMs))).toBeGreaterThan(5);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
