// The built-in web chat page in chromium, for the browser tests: Web Chat's parts, waiting for the
// bot's replies, sending a message, and the whole Dari acceptance path with what it leaves in the
// case database (test/browser/webchat.test.ts on one instance, test/scale/cluster.webchat.test.ts
// through a proxy in front of three).
import type { Locator, Page } from 'playwright-core';
import type { Db } from '../../bot/db/client';
import { translator } from '../../bot/i18n/translator';
import { FR_LANGUAGE_QUESTION } from './botTexts';

// The page's globals, for the functions that run in the browser (the project's lib has no DOM).
declare const document: { documentElement: { dir: string; lang: string } };
declare function getComputedStyle(element: unknown): { direction: string };

/** How long a reply may take to show (it normally takes well under a second). */
export const REPLY_MS = 15_000;

export const SEND_BOX = '[data-id="webchat-sendbox-input"]';
export const TRANSCRIPT = '.webchat__basic-transcript';
export const BOT_BUBBLE = `${TRANSCRIPT} .webchat__bubble:not(.webchat__bubble--from-user)`;

/** The page shows the bot's lines with direction marks in front (app.js): compare without them. */
export const withoutMarks = (text: string) => text.replace(/[\u200e\u200f]/g, '');

export const sendBox = (page: Page) => page.locator(SEND_BOX);
export const botBubbles = (page: Page, text: string) => page.locator(BOT_BUBBLE, { hasText: text });

/** Waits until there are more than `before` bot bubbles with `text`; returns the text of the next one. */
export async function waitForBot(page: Page, text: string, before = 0): Promise<string> {
  const bubble: Locator = botBubbles(page, text).nth(before);
  await bubble.waitFor({ state: 'visible', timeout: REPLY_MS });
  return withoutMarks(await bubble.innerText());
}

/** Types `text` in Web Chat's send box, sends it with Enter, and waits for a new reply with `reply`. */
export async function send(page: Page, text: string, reply: string): Promise<string> {
  const before = await botBubbles(page, reply).count();
  await sendBox(page).fill(text);
  await sendBox(page).press('Enter');
  return waitForBot(page, reply, before);
}

/** The page and Web Chat's own UI (transcript, send box, bubbles) are right to left. */
export async function expectRightToLeft(page: Page, lang: string) {
  await page.waitForSelector('html[dir="rtl"]');
  expect(
    await page.evaluate(() => ({ dir: document.documentElement.dir, lang: document.documentElement.lang })),
  ).toEqual({ dir: 'rtl', lang });
  await page.locator(`${TRANSCRIPT}[dir="rtl"]`).waitFor();
  await page.locator('.webchat__send-box[dir="rtl"]').waitFor();
  expect(await sendBox(page).evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
  expect(await page.locator(`${TRANSCRIPT} .webchat__bubble:not(.webchat__bubble--rtl)`).count()).toBe(0);
}

/**
 * From the French menu, the acceptance path in Dari: choose Dari (Persian digits), read, consent,
 * first name, book the next workshop (born ۱۹۸۸), report an urgent childcare problem. Returns the
 * problem's reference, as the page shows it.
 */
export async function walkTheDariPath(page: Page): Promise<string | undefined> {
  const t = translator('fa');
  await send(page, '1', FR_LANGUAGE_QUESTION); // workshops: a new person goes through onboarding
  await send(page, '۴', t('voice.question')); // Dari, in Persian digits
  await expectRightToLeft(page, 'fa');
  await send(page, '۱', t('onboarding.consent.question')); // read
  await send(page, '۱', t('onboarding.name.question')); // yes
  await send(page, 'محبوبه', t('workshops.menu.question'));
  await send(page, '۱', t('workshops.birthYear.question'));
  await send(page, '۱۹۸۸', t('workshops.list.question'));
  await send(page, '۱', t('workshops.booked.done')); // the next eligible session
  await send(page, '۳', t('problem.start.question')); // back at the menu: 3, a problem
  await send(page, '۱', t('problem.category.question'));
  await send(page, '۲', t('problem.urgency.question')); // childcare
  await send(page, '۱', t('problem.describe.question')); // today
  const saved = await send(page, 'کسی از طفلم نگهداری نمی‌کند', t('problem.saved'));
  expect(saved).toBeTruthy();
  return /B-\d{4,5}/.exec(await page.locator(BOT_BUBBLE, { hasText: 'B-' }).last().innerText())?.[0];
}

/** What the Dari path leaves in the case database: the person, the booking, the blocker, their events, Dari. */
export async function expectTheDariPath(prisma: Db, reference: string | undefined) {
  expect(reference).toBeTruthy();
  const person = await prisma.beneficiary.findFirstOrThrow({ where: { firstName: 'محبوبه' } });
  expect(person).toMatchObject({ status: 'pending', language: 'fa', birthYear: 1988 });
  expect(person.consentAt).not.toBeNull();
  const bookings = await prisma.booking.findMany({ where: { beneficiaryId: person.id }, include: { session: true } });
  expect(bookings).toHaveLength(1);
  expect(bookings[0].status).toBe('booked');
  const next = await prisma.workshopSession.findFirstOrThrow({
    where: { audience: 'over25', startsAt: { gt: new Date() } },
    orderBy: { startsAt: 'asc' },
  });
  expect(bookings[0].sessionId).toBe(next.id);
  const blocker = await prisma.blocker.findFirstOrThrow({ where: { beneficiaryId: person.id } });
  expect(blocker).toMatchObject({ reference, category: 'childcare', urgency: 'today', status: 'open' });
  const events = await prisma.caseEvent.findMany({ where: { beneficiaryId: person.id } });
  expect(events.map((e) => e.type)).toEqual(
    expect.arrayContaining(['consent_given', 'workshop_booked', 'blocker_reported']),
  );
  expect(events.find((e) => e.type === 'blocker_reported')?.attention).toBe(true);

  // Every reply after the choice of Dari was in Dari.
  const rows = await prisma.message.findMany({ where: { beneficiaryId: person.id }, orderBy: { id: 'asc' } });
  const chose = rows.findIndex((r) => r.direction === 'in' && (r.payload as { text?: string }).text === '۴');
  const replies = rows.slice(chose + 1).filter((r) => r.direction === 'out');
  expect(replies.length).toBeGreaterThan(10);
  expect(replies.filter((r) => (r.payload as { locale?: string }).locale !== 'fa')).toEqual([]);
}
