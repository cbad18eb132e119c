// The real Web Chat page in chromium in front of three instances of the app on one PostgreSQL
// database, through a round-robin proxy (every request to the next instance): the Dari acceptance
// path holds to its end, each of its requests answered by whichever instance the proxy chose.
import { chromium, type Browser } from 'playwright-core';
import type { Database } from '../../bot/db/client';
import { CHROMIUM_ARGS, chromiumPath } from '../support/browser';
import { FR_GREETING, FR_MENU_QUESTION } from '../support/botTexts';
import { behindProxy, type Cluster, type ProxiedCluster } from '../support/cluster';
import { createTempPostgres, type TempDatabase } from '../support/postgres';
import type { RoundRobinProxy } from '../support/roundRobinProxy';
import { REPLY_MS, expectTheDariPath, waitForBot, walkTheDariPath } from '../support/webchatPage';

const executablePath = process.env.PASSERELLE_TEST_CHROMIUM ?? chromiumPath() ?? '';
const run = process.env.PASSERELLE_TEST_PG === '1' && executablePath ? describe : describe.skip;
jest.setTimeout(120_000);

run('the web chat in chromium, three instances behind a round-robin proxy', () => {
  let tmp: TempDatabase;
  let setup: ProxiedCluster | undefined;
  let cluster: Cluster;
  let proxy: RoundRobinProxy;
  let db: Database;
  let browser: Browser;

  beforeAll(async () => {
    tmp = await createTempPostgres();
    ({ cluster, proxy, db } = setup = await behindProxy(tmp.url, 3, { TRUST_PROXY: '127.0.0.1' }));
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await setup?.close();
    await tmp?.drop();
  });

  test('the Dari booking conversation holds to its end, its requests spread over the three', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 }, locale: 'fr-FR' });
    context.setDefaultTimeout(REPLY_MS);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
    });
    try {
      await page.goto(`${proxy.url}/`);
      await waitForBot(page, FR_GREETING);
      await waitForBot(page, FR_MENU_QUESTION);
      const reference = await walkTheDariPath(page);
      await expectTheDariPath(db.prisma, reference);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    expect(proxy.failures).toEqual([]);
    for (const url of cluster.urls) expect(proxy.answeredBy.get(url) ?? 0).toBeGreaterThan(10);
  });

  test('a long poll with nothing new waits its 10 s through the proxy and ends with 200', async () => {
    const api = (path: string, init: RequestInit = {}) => fetch(`${proxy.url}/v3/directline${path}`, init);
    const generated = await api('/tokens/generate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: { id: 'wc_cluster_poll_0123456789abcdef' }, locale: 'fr-FR' }),
    });
    const { conversationId, token } = (await generated.json()) as { conversationId: string; token: string };
    const auth = { Authorization: `Bearer ${token}` };
    expect((await api('/conversations', { method: 'POST', headers: auth })).status).toBe(201);
    const greeted = await api(`/conversations/${conversationId}/activities?watermark=0`, { headers: auth });
    const { watermark } = (await greeted.json()) as { watermark: string };
    await new Promise((r) => setTimeout(r, 1000)); // the end of the greeting's turn
    const started = Date.now();
    const poll = await api(`/conversations/${conversationId}/activities?watermark=${watermark}`, { headers: auth });
    expect(poll.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(9000);
    expect(proxy.failures).toEqual([]);
  });
});
