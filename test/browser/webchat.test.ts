// The built-in web chat page in a real browser: Debian's chromium, driven by playwright-core,
// against the real application (Microsoft Web Chat on our local Direct Line endpoint, a SQLite
// database). Checks the greeting and the numbered menu, the language switch to Arabic and the
// right-to-left page, that the choice survives a reload, `?lang=`, Web Chat's UI words for Dari
// from strings.json, the suggested-action buttons, "forget me on this computer" (link and keyword),
// and that the page stays clean: no console error (a CSP violation would be one), and no request
// that leaves our server.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { translator } from '../../bot/i18n/translator';
import { projectRoot } from '../../bot/runtime/paths';
import { appForTests } from '../support/app';
import { CHROMIUM_ARGS, chromiumPath } from '../support/browser';
import {
  AR_CHANGED,
  AR_GREETING,
  AR_MENU,
  AR_MENU_QUESTION,
  FA_GREETING,
  FR_GREETING,
  FR_LANGUAGE_QUESTION,
  FR_MENU,
  FR_MENU_QUESTION,
  LANGUAGE_MENU,
} from '../support/botTexts';
import {
  REPLY_MS,
  TRANSCRIPT,
  botBubbles,
  expectRightToLeft,
  expectTheDariPath,
  send,
  sendBox,
  waitForBot,
  walkTheDariPath,
  withoutMarks,
} from '../support/webchatPage';

// The page's globals, for the functions that run in the browser (the project's lib has no DOM).
declare const document: { documentElement: { dir: string; lang: string } };
declare const localStorage: { getItem(key: string): string | null; removeItem(key: string): void };
declare const window: { WebChat?: { renderWebChat?: unknown } };

// globalSetup sets it, empty when chromium is missing; run without globalSetup, look for it here.
const executablePath = process.env.PASSERELLE_TEST_CHROMIUM ?? chromiumPath() ?? '';
if (!executablePath) {
  console.warn('*** NOTICE: chromium not found (set CHROMIUM_PATH): the web chat browser suite is SKIPPED ***');
}
const describeInBrowser = executablePath ? describe : describe.skip;

const TEST_MS = 60_000;
jest.setTimeout(TEST_MS);
/** PASSERELLE_SCREENSHOTS=/tmp saves a picture of the Arabic page there, to look at. */
const SCREENSHOTS = process.env.PASSERELLE_SCREENSHOTS;

const USER_BUBBLE = `${TRANSCRIPT} .webchat__bubble--from-user`;
const SUGGESTED_ACTIONS = '.webchat__suggested-actions';

const ARABIC_SCRIPT = /[\u0600-\u06ff]/;

const STRINGS = JSON.parse(
  fs.readFileSync(path.join(projectRoot, 'bot', 'channels', 'webchat', 'public', 'strings.json'), 'utf8'),
) as Record<string, Record<string, string>>;

/** An option's button shows its number and label: "1. Ateliers" → "1 · Ateliers". */
const asButton = (line: string) => line.replace(/^(\d+)\. /, '$1 · ');

/** Reads until `done` says yes (state is saved just after the reply goes out), or gives up. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = REPLY_MS): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Session {
  context: BrowserContext;
  page: Page;
  /** console errors and uncaught exceptions, as they came */
  errors: string[];
  /** every URL the page asked for */
  requests: string[];
}

describeInBrowser('the web chat page in chromium', () => {
  let browser: Browser;
  const sessions: Session[] = [];

  // Declared before the app: the browser closes before the app stops.
  beforeAll(async () => (browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS })), TEST_MS);
  afterAll(() => browser?.close(), TEST_MS);
  const testApp = appForTests();

  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.context.close();
  });

  /**
   * A fresh browser context (its own localStorage, so its own user) and a page that records problems;
   * a French browser unless told (its languages are the page's first guess).
   */
  async function openSession(locale = 'fr-FR'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 }, locale });
    context.setDefaultTimeout(REPLY_MS);
    const page = await context.newPage();
    const session: Session = { context, page, errors: [], requests: [] };
    page.on('console', (message) => {
      if (message.type() === 'error') session.errors.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => session.errors.push(`pageerror: ${error.message}`));
    page.on('request', (request) => session.requests.push(request.url()));
    sessions.push(session);
    return page;
  }

  /** The session of a page openSession opened. */
  const sessionOf = (page: Page) => sessions.find((s) => s.page === page)!;

  /** No console error, and every request went to our server (data: URLs and our blobs aside). */
  function expectCleanPage(page: Page) {
    const session = sessionOf(page);
    expect(session.errors).toEqual([]);
    const elsewhere = session.requests.filter(
      (url) => !url.startsWith('data:') && new URL(url).origin !== testApp().url,
    );
    expect(elsewhere).toEqual([]);
    expect(session.requests.length).toBeGreaterThan(0);
  }

  /** The labels of the buttons shown now (the last question's options). */
  async function buttons(page: Page): Promise<string[]> {
    await page.locator(`${SUGGESTED_ACTIONS} button`).first().waitFor();
    return (await page.locator(`${SUGGESTED_ACTIONS} button`).allInnerTexts()).map((t) => withoutMarks(t).trim());
  }

  /** A question's options are its buttons (not lines of its text: they appear once). */
  async function expectOptions(page: Page, question: string, lines: string[]) {
    const text = await waitForBot(page, question);
    for (const line of lines) expect(text).not.toContain(line);
    await eventually(
      () => buttons(page),
      (shown) => lines.every((line) => shown.includes(asButton(line))),
    );
    expect(await buttons(page)).toEqual(expect.arrayContaining(lines.map(asButton)));
  }

  async function expectFrenchMenu(page: Page) {
    await waitForBot(page, FR_GREETING);
    await expectOptions(page, FR_MENU_QUESTION, FR_MENU);
  }

  /** A fresh session (as openSession makes it) at `path`; its page. */
  async function openPage(path = '/', locale?: string): Promise<Page> {
    const page = await openSession(locale);
    await page.goto(`${testApp().url}${path}`);
    return page;
  }

  /** A fresh session on the home page, greeted in French with the menu; its page. */
  async function greetedInFrench(): Promise<Page> {
    const page = await openPage();
    await expectFrenchMenu(page);
    return page;
  }

  /** The menu's "6", then "٣" (an Arabic-Indic digit) in the language list. */
  async function switchToArabic(page: Page) {
    await send(page, '6', FR_LANGUAGE_QUESTION);
    await expectOptions(page, FR_LANGUAGE_QUESTION, LANGUAGE_MENU);
    await send(page, '٣', AR_CHANGED);
    await expectOptions(page, AR_MENU_QUESTION, AR_MENU);
  }

  test('opening / greets in French with the numbered menu; 6 then ٣ switches to Arabic, right to left', async () => {
    const page = await greetedInFrench();
    expect(
      await page.evaluate(() => ({ dir: document.documentElement.dir, lang: document.documentElement.lang })),
    ).toEqual({ dir: 'ltr', lang: 'fr' });
    expect(await page.locator(`${TRANSCRIPT}[dir="ltr"]`).count()).toBe(1);
    // the lines stay lines (not a Markdown list swallowing the hint)
    expect(await waitForBot(page, FR_MENU_QUESTION)).toMatch(/Que voulez-vous faire \?\n+Envoyez un numéro\./);

    await switchToArabic(page);
    await expectRightToLeft(page, 'ar');
    // Web Chat's own words are Arabic too, and the buttons follow the menu
    expect(await sendBox(page).getAttribute('placeholder')).toMatch(ARABIC_SCRIPT);
    await page
      .locator(SUGGESTED_ACTIONS)
      .getByRole('button', { name: asButton(AR_MENU[0]), exact: true })
      .waitFor();
    expect(new URL(page.url()).searchParams.get('lang')).toBe('ar');
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'webchat-ar.png') });
    expectCleanPage(page);
  });

  test("the language stays Arabic after a reload: the choice is stored under the browser's user id", async () => {
    const page = await greetedInFrench();
    await switchToArabic(page);
    const userId = await page.evaluate(() => localStorage.getItem('passerelle.userId'));
    expect(userId).toMatch(/^[A-Za-z0-9_-]{16,100}$/);
    // the user's state row in the database, keyed by that id
    const userState = () => testApp().db.prisma.botState.findUnique({ where: { key: `webchat/users/${userId}/` } });
    expect(JSON.parse((await eventually(userState, (row) => !!row?.data.includes('"ar"')))?.data ?? '{}')).toEqual({
      profile: { language: 'ar', channelLanguage: 'fr' },
    }); // issue 11: the page's language is remembered (a later switch there is a choice)

    await page.reload();
    await waitForBot(page, AR_GREETING);
    await waitForBot(page, AR_MENU_QUESTION);
    await expectRightToLeft(page, 'ar');

    // Without any hint from the page (no ?lang=, no language remembered by the browser) the page
    // opens in French, and the bot, which knows this user, answers in Arabic: the page follows.
    await page.evaluate(() => localStorage.removeItem('passerelle.lang'));
    await page.goto(`${testApp().url}/`);
    await expectOptions(page, AR_MENU_QUESTION, AR_MENU);
    await expectRightToLeft(page, 'ar');
    expect(await botBubbles(page, FR_GREETING).count()).toBe(0);
    expect(await page.evaluate(() => localStorage.getItem('passerelle.userId'))).toBe(userId);
    expectCleanPage(page);
  });

  test(
    'a browser that says fa-AF: greeted in Dari, right to left; the first task asks to confirm ' + 'Dari in one digit',
    async () => {
      const page = await openPage('/', 'fa-AF');
      await waitForBot(page, FA_GREETING);
      await expectRightToLeft(page, 'fa');
      expect(await botBubbles(page, FR_GREETING).count()).toBe(0);
      const fa = translator('fa');
      await send(page, '1', 'دری / فارسی؟');
      expect(await buttons(page)).toEqual(
        expect.arrayContaining([`1 · ${fa('common.yes')}`, `2 · ${fa('language.other')}`]),
      );
      await send(page, '1', fa('voice.question'));
      expectCleanPage(page);
    },
  );

  test('/?lang=ar starts in Arabic, right to left, before any message', async () => {
    const page = await openSession();
    // Hold the conversation's activities until the empty page has been checked.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/v3/directline/conversations/*/activities*', async (route) => {
      await held;
      await route.continue();
    });
    const response = await page.goto(`${testApp().url}/?lang=ar`);
    // the first paint is already right to left
    expect(await response!.text()).toMatch(/<html lang="ar" dir="rtl">/);
    await sendBox(page).waitFor();
    expect(await page.locator(`${TRANSCRIPT} .webchat__bubble`).count()).toBe(0);
    await expectRightToLeft(page, 'ar');
    expect(await sendBox(page).getAttribute('placeholder')).toMatch(ARABIC_SCRIPT);

    release();
    await waitForBot(page, AR_GREETING);
    await expectOptions(page, AR_MENU_QUESTION, AR_MENU);
    await expectRightToLeft(page, 'ar');
    expectCleanPage(page);
  });

  test("/?lang=fa shows Web Chat's own words in Dari, from strings.json", async () => {
    const page = await openPage('/?lang=fa');
    await waitForBot(page, FA_GREETING);
    await expectRightToLeft(page, 'fa');
    expect(await sendBox(page).getAttribute('placeholder')).toBe(STRINGS.fa.TEXT_INPUT_PLACEHOLDER);
    expect(await sendBox(page).getAttribute('aria-label')).toBe(STRINGS.fa.TEXT_INPUT_ALT);
    expectCleanPage(page);
  });

  test(
    'a suggested-action button sends its number and gets the answer; the bubble shows the label ' + 'tapped',
    async () => {
      const page = await greetedInFrench();
      await page
        .locator(SUGGESTED_ACTIONS)
        .getByRole('button', { name: asButton(FR_MENU[0]), exact: true })
        .click();
      // a new person picking a task starts with onboarding: first the language
      await waitForBot(page, 'Choisissez votre langue.');
      // what was sent is the number (the bot's record says so); the bubble shows the label tapped
      expect((await page.locator(USER_BUBBLE).allInnerTexts()).map((t) => t.trim())).toEqual(['1 · Ateliers']);
      const sent = await eventually(
        () => testApp().db.prisma.message.findMany({ where: { channel: 'webchat', direction: 'in' } }),
        (rows) => rows.some((r) => (r.payload as { text?: string }).text === '1'),
      );
      expect(sent.some((r) => (r.payload as { text?: string }).text === '1')).toBe(true);
      expectCleanPage(page);
    },
  );

  test('Web Chat comes from our server: nothing is fetched elsewhere, and the console stays clean', async () => {
    const page = await openSession();
    const bundle = page.waitForResponse((r) => /\/webchat\/v\/[0-9a-f]{16}\/webchat\.js$/.test(r.url()));
    await page.goto(`${testApp().url}/`);
    expect((await bundle).status()).toBe(200);
    expect(await page.evaluate(() => typeof window.WebChat?.renderWebChat)).toBe('function');
    await expectFrenchMenu(page);
    await send(page, '3', 'Choisissez votre langue.');
    // versioned addresses (content hashes), cached for a year
    for (const name of ['webchat.js', 'app.js', 'app.css'])
      expect(
        sessionOf(page).requests.some((url) =>
          new RegExp(`^${testApp().url}/webchat/v/[0-9a-f]{16}/${name.replace('.', '\\.')}$`).test(url),
        ),
      ).toBe(true);
    expect((await bundle).headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(
      sessionOf(page).requests.some((url) => url.startsWith(`${testApp().url}/v3/directline/conversations/`)),
    ).toBe(true);
    expectCleanPage(page);
  });

  test(
    '"forget me on this computer": the link, then the keyword, clear the stored id and start a ' + 'fresh conversation',
    async () => {
      const page = await openSession();
      const conversations: string[] = [];
      page.on('response', async (response) => {
        if (response.url().endsWith('/v3/directline/tokens/generate'))
          conversations.push(((await response.json()) as { conversationId: string }).conversationId);
      });
      await page.goto(`${testApp().url}/`);
      await expectFrenchMenu(page);
      await send(page, '6', FR_LANGUAGE_QUESTION);
      const firstId = await page.evaluate(() => localStorage.getItem('passerelle.userId'));

      // The link, in the page's language.
      const link = page.getByRole('button', { name: translator('fr')('forget.link') });
      await link.click();
      await page.waitForURL(/\?lang=fr$/);
      await expectFrenchMenu(page);
      const secondId = await page.evaluate(() => localStorage.getItem('passerelle.userId'));
      expect(secondId).toMatch(/^[A-Za-z0-9_-]{16,100}$/);
      expect(secondId).not.toBe(firstId);
      expect(await botBubbles(page, FR_LANGUAGE_QUESTION).count()).toBe(0); // a fresh transcript
      expect(conversations).toHaveLength(2);
      expect(testApp().directLine.store.get(conversations[0])).toBeUndefined(); // ended on the server too

      // The keyword: the bot says it, then the page starts afresh.
      await send(page, 'oublier', translator('fr')('forget.done'));
      await eventually(
        async () => conversations.length,
        (n) => n === 3,
      );
      await expectFrenchMenu(page);
      expect(await page.evaluate(() => localStorage.getItem('passerelle.userId'))).not.toBe(secondId);
      expect(await botBubbles(page, translator('fr')('forget.done')).count()).toBe(0);
      expect(testApp().directLine.store.get(conversations[1])).toBeUndefined();
      expectCleanPage(page);
    },
  );

  test(
    'the acceptance path in Dari: choose Dari, read, consent, first name, book the ' +
      'next workshop with Persian digits, report an urgent childcare problem',
    async () => {
      const page = await greetedInFrench();
      const reference = await walkTheDariPath(page);
      if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'webchat-fa.png') });
      await expectTheDariPath(testApp().db.prisma, reference);
      expectCleanPage(page);
    },
  );
});
