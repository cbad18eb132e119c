// Voice on the web chat page, in chromium with a fake microphone: the large microphone button
// records a voice note (MediaRecorder) that reaches the bot as an audio attachment, kept for the
// CIP; from then on the person hears the bot: its replies carry a clip with a play control, served
// to this page only.
import { chromium, type Browser } from 'playwright-core';
import { appForTests } from '../support/app';
import { CHROMIUM_ARGS, chromiumPath } from '../support/browser';

declare const document: { querySelector(s: string): { src: string } | null };

const executablePath = process.env.PASSERELLE_TEST_CHROMIUM ?? chromiumPath() ?? '';
const describeInBrowser = executablePath ? describe : describe.skip;
const REPLY_MS = 15_000;
const TEST_MS = 60_000;
const TRANSCRIPT = '.webchat__basic-transcript';

describeInBrowser('voice on the web chat page', () => {
  let browser: Browser;
  beforeAll(async () => {
    const args = [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
    browser = await chromium.launch({ executablePath, args });
  }, TEST_MS);
  afterAll(() => browser?.close(), TEST_MS);
  const testApp = appForTests();

  test(
    'the microphone records a voice note that reaches the bot; the replies then carry a clip to play',
    async () => {
      const context = await browser.newContext({ viewport: { width: 420, height: 800 }, locale: 'fr-FR' });
      context.setDefaultTimeout(REPLY_MS);
      await context.grantPermissions(['microphone']);
      try {
        const page = await context.newPage();
        // (The page's own CSP applies: the recording and its upload must work under it.)
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
        await page.goto(`${testApp().url}/?lang=fr`);
        await page.locator(`${TRANSCRIPT} .webchat__bubble`).first().waitFor();
        const mic = page.locator('#mic');
        await mic.waitFor({ state: 'visible' });
        expect(await mic.innerText()).toContain('Parler');
        expect(await page.locator(`${TRANSCRIPT} audio`).count()).toBe(0);

        await mic.click();
        await page.waitForFunction(() => document.querySelector('#mic[aria-pressed="true"]') !== null);
        expect(await mic.innerText()).toContain('Envoyer');
        await page.waitForTimeout(1500);
        await mic.click();

        // The note reached the bot, and is kept as a file of the conversation.
        const db = testApp().db.prisma;
        let stored: { attachments?: { contentType: string }[] } | undefined;
        for (let i = 0; i < 100 && !stored; i++) {
          const rows = await db.message.findMany({ where: { direction: 'in', channel: 'webchat' } });
          stored = rows
            .map((r) => r.payload as { attachments?: { contentType: string }[] })
            .find((p) => p.attachments?.some((a) => a.contentType.startsWith('audio/')));
          if (!stored) await page.waitForTimeout(100);
        }
        expect(stored?.attachments?.[0]?.contentType).toMatch(/^audio\/(webm|ogg)/);

        // The bot's answer carries its clip, with a play control, served to this page.
        const player = page.locator(`${TRANSCRIPT} audio`).first();
        await player.waitFor({ state: 'attached', timeout: REPLY_MS });
        const src = await player.evaluate((el) => (el as unknown as { src: string }).src);
        expect(src).toContain('/webchat/voice/');
        const fetched = await page.evaluate(async (url) => {
          const res = await fetch(url);
          const bytes = new Uint8Array(await res.arrayBuffer());
          return { status: res.status, type: res.headers.get('content-type'), head: [...bytes.slice(0, 4)] };
        }, src);
        expect(fetched).toEqual({ status: 200, type: 'audio/ogg', head: [...Buffer.from('OggS')] });
        // Not without the page's signature.
        const bare = await fetch(`${testApp().url}${new URL(src).pathname}`);
        expect(bare.status).toBe(404);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    },
    TEST_MS,
  );
});
