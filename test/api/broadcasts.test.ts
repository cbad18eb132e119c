// Workshop invitations (broadcasts) end to end: the CIP API, the outbox, WhatsApp (a fake Graph
// API) and the web chat, the answers by chat. Each person gets the invitation in their language;
// "1" books (capacity, then the waiting list), "2" declines, days later too; the counts say so;
// the same idempotency key sends nothing new; opted-out, ineligible and booked people are skipped
// and counted; nothing goes in the quiet hours; many accepting at once never overbook.
import { LANGUAGE_CODES, type LanguageCode } from '../../bot/i18n/languages';
import { translator } from '../../bot/i18n/translator';
import { renderActivities } from '../../bot/channels/whatsapp/renderer';
import { renderNotification } from '../../cards/notifications';
import { signedIn, type StaffClient } from '../support/cipApi';
import { TEMPLATE_LANGUAGE } from '../support/languageSamples';
import { appPerTest, onWhatsApp, textOf, type WhatsAppTestApp } from '../support/whatsappApp';
import { postWebhook, templateButton, text } from '../support/whatsappWebhooks';
import { sessionOf } from '../support/workshopFixture';

const HOUR = 3600_000;
const startApp = appPerTest();
let h: WhatsAppTestApp;
let coordinator: StaffClient;

async function start(options: Parameters<typeof startApp>[0] = {}) {
  h = await startApp(options);
  coordinator = await signedIn(h.app, 'coordinator');
}

/** A session for 25 and over, in two days, with `capacity` seats. */
async function session(capacity = 50) {
  const workshop = await h.app.db.prisma.workshop.findFirstOrThrow({ where: { code: 'paperwork' } });
  const startsAt = new Date(Date.now() + 48 * HOUR);
  return sessionOf(h.app.db.prisma, workshop.id, startsAt, capacity, {
    place: 'Passerelle, Blois',
    audience: 'over25',
  });
}

/** The app as it starts, and a session in it as session() makes it. */
async function startWithSession(capacity?: number) {
  await start();
  return session(capacity);
}

/** Active people on WhatsApp: `wrote` hours ago (their window), or never (a phone number only). */
async function people(
  n: number,
  options: {
    wrote?: number;
    from?: number;
    language?: (i: number) => LanguageCode;
    birthYear?: number;
    optedOut?: boolean;
  } = {},
) {
  const db = h.app.db.prisma;
  const out: { id: number; waId: string; language: LanguageCode }[] = [];
  for (let i = 0; i < n; i++) {
    const waId = `3361${String((options.from ?? 0) + i).padStart(7, '0')}`;
    const language = options.language?.(i) ?? LANGUAGE_CODES[i % LANGUAGE_CODES.length];
    const b = await db.beneficiary.create({
      data: {
        firstName: `P${i}`,
        phone: `+${waId}`,
        language,
        birthYear: options.birthYear ?? 1990,
        status: 'active',
        consentAt: new Date(),
        ...(options.optedOut && { optedOutAt: new Date() }),
      },
    });
    if (options.wrote !== undefined) {
      await onWhatsApp(h.app, { beneficiaryId: b.id, waId, language }, new Date(Date.now() - options.wrote * HOUR));
    }
    out.push({ id: b.id, waId, language });
  }
  return out;
}

const broadcast = (sessionId: number, audience: object, key = `key-${Math.random()}`) =>
  coordinator.call('POST', '/api/cip/broadcasts', { sessionId, audience, idempotencyKey: key });
const report = async (id: number) => (await coordinator.call('GET', `/api/cip/broadcasts/${id}`)).body;

test(
  'acceptance: everyone gets the invitation in their language; two answer "1" and are booked, one "2"; the ' +
    'counts say so',
  async () => {
    const s = await startWithSession();
    const invited = await people(8, { wrote: 2 });
    const res = await broadcast(s.id, { all: true });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ invited: 8, skipped: 0, created: true });
    await h.settled();
    const sessionView = {
      id: s.id,
      workshopCode: 'paperwork',
      title: 'Papiers et démarches',
      startsAt: s.startsAt.toISOString(),
      endsAt: s.endsAt.toISOString(),
      place: s.place,
    };
    for (const p of invited) {
      const [got] = h.graph.sentTo(p.waId);
      const expected = renderActivities(
        [renderNotification({ key: 'broadcasts.invitation', session: sessionView }, p.language, 'Europe/Paris')],
        p.language,
      )[0];
      expect({ language: p.language, body: got.body.interactive }).toEqual({
        language: p.language,
        body: (expected.message as { interactive: unknown }).interactive,
      });
    }
    // Two say yes (a tap on the button, a typed number in their script), one says no.
    const [a, b, c] = invited;
    await h.send(templateButton(a, '1', 'Je viens'));
    await h.send(text(b, '١'));
    await h.send(text(c, '2'));
    const bookings = await h.app.db.prisma.booking.findMany({ where: { sessionId: s.id } });
    expect(bookings.map((x) => [x.beneficiaryId, x.status, x.source]).sort()).toEqual(
      [
        [a.id, 'booked', 'broadcast'],
        [b.id, 'booked', 'broadcast'],
      ].sort(),
    );
    expect(textOf(h.graph.sentTo(b.waId)[1])).toContain(translator(b.language)('workshops.booked.done'));
    expect(textOf(h.graph.sentTo(c.waId)[1])).toContain(translator(c.language)('broadcasts.declined'));
    const counts = (await report(res.body.broadcastId)).counts;
    expect(counts).toMatchObject({
      audience: 8,
      invited: 8,
      sent: 8,
      accepted: 2,
      declined: 1,
      waitlisted: 0,
      skipped: 0,
      failed: 0,
      queued: 0,
    });
    // A second answer to the same invitation changes nothing.
    await h.send(text(c, '1'));
    expect((await report(res.body.broadcastId)).counts).toMatchObject({ accepted: 2, declined: 1 });
  },
);

test(
  "1,000 people in the 8 languages: each invitation in the person's language, as text inside the window, as " +
    'the template in their template language outside it',
  async () => {
    const s = await startWithSession(2000);
    // Half wrote 3 hours ago (inside their window), half never wrote.
    const [recent, away] = [await people(500, { wrote: 3 }), await people(500, { from: 500 })];
    const res = await broadcast(s.id, { all: true });
    expect(res.body).toMatchObject({ invited: 1000, skipped: 0 });
    await h.settled(60_000);
    for (const p of recent) {
      const [got] = h.graph.sentTo(p.waId);
      expect(textOf(got)).toContain(translator(p.language)('broadcasts.invitation.intro'));
    }
    for (const p of away) {
      const [got] = h.graph.sentTo(p.waId);
      const template = got.body.template as { name: string; language: { code: string } };
      expect([p.language, template.name, template.language.code]).toEqual([
        p.language,
        'passerelle_workshop_invitation',
        TEMPLATE_LANGUAGE[p.language],
      ]);
    }
    const twice = [...recent, ...away]
      .filter((p) => h.graph.sentTo(p.waId).length !== 1)
      .map((p) => [p.waId, h.graph.sentTo(p.waId).map((m) => m.body.type)]);
    expect(twice).toEqual([]);
    expect(h.graph.sent).toHaveLength(1000);
    expect((await report(res.body.broadcastId)).counts).toMatchObject({ invited: 1000, sent: 1000 });
  },
);

test('the same idempotency key sends nothing new; with another session or audience it is refused (409)', async () => {
  const s = await startWithSession();
  await people(3, { wrote: 1 });
  const first = await broadcast(s.id, { all: true }, 'monday-invitation-1');
  await h.settled();
  const again = await broadcast(s.id, { all: true }, 'monday-invitation-1');
  expect(again.body).toMatchObject({ broadcastId: first.body.broadcastId, created: false, invited: 3 });
  await h.settled();
  expect(h.graph.sent).toHaveLength(3);
  expect((await broadcast(s.id, { language: 'fr' }, 'monday-invitation-1')).status).toBe(409);
  expect(await h.app.db.prisma.message.count({ where: { kind: 'broadcast' } })).toBe(3);
});

test(
  'skipped and counted: opted out, another age group, age unknown, already booked, unreachable, a phone number ' +
    'without consent',
  async () => {
    const s = await startWithSession();
    const [ok] = await people(1, { wrote: 1 });
    const [stopped] = await people(1, { wrote: 1, from: 10, optedOut: true });
    const [young] = await people(1, { wrote: 1, from: 20, birthYear: new Date().getUTCFullYear() - 20 });
    const [unknownAge] = await people(1, { wrote: 1, from: 30 });
    await h.app.db.prisma.beneficiary.update({ where: { id: unknownAge.id }, data: { birthYear: null } });
    const [booked] = await people(1, { wrote: 1, from: 40 });
    await h.app.db.prisma.booking.create({ data: { sessionId: s.id, beneficiaryId: booked.id, status: 'booked' } });
    const unreachable = await h.app.db.prisma.beneficiary.create({
      data: { firstName: 'Nophone', status: 'active', birthYear: 1990, consentAt: new Date() },
    });
    // Opened by a CIP with a phone number, without the person's consent to messages.
    const noConsent = (
      await coordinator.call('POST', '/api/cip/beneficiaries', {
        firstName: 'Sans',
        phone: '+33611111111',
        birthYear: 1990,
      })
    ).body;
    const res = await broadcast(s.id, { all: true });
    expect(res.body).toMatchObject({ invited: 1, skipped: 6 });
    await h.settled();
    expect(h.graph.sent.map((m) => m.to)).toEqual([ok.waId]);
    const r = await report(res.body.broadcastId);
    expect(r.counts.skippedBy).toEqual({
      opted_out: 1,
      not_eligible: 1,
      age_unknown: 1,
      already_booked: 1,
      unreachable: 1,
      no_consent: 1,
    });
    const reasons = Object.fromEntries(
      r.recipients.items.map((x: { beneficiaryId: number; reason: string | null }) => [x.beneficiaryId, x.reason]),
    );
    expect(reasons).toMatchObject({
      [stopped.id]: 'opted_out',
      [young.id]: 'not_eligible',
      [unknownAge.id]: 'age_unknown',
      [booked.id]: 'already_booked',
      [unreachable.id]: 'unreachable',
      [noConsent.id]: 'no_consent',
      [ok.id]: null,
    });
    // Filters together: of these two, those who speak Arabic (none), then French (both; one too young).
    expect((await broadcast(s.id, { ids: [ok.id, young.id], language: 'ar' })).body).toMatchObject({
      invited: 0,
      skipped: 0,
    });
    expect((await broadcast(s.id, { ids: [ok.id, young.id], language: 'fr' })).body).toMatchObject({
      invited: 1,
      skipped: 1,
    });
  },
);

test(
  'many accepting at once: the seats go to the first ones, the others are on the waiting list; never more than ' +
    'the capacity',
  async () => {
    const s = await startWithSession(3);
    const invited = await people(10, { wrote: 1 });
    const res = await broadcast(s.id, { all: true });
    await h.settled();
    const answers = await Promise.all(invited.map((p) => postWebhook(h.app.url, text(p, '1'))));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    await h.settled(20000);
    const bookings = await h.app.db.prisma.booking.findMany({ where: { sessionId: s.id } });
    expect(bookings.filter((b) => b.status === 'booked')).toHaveLength(3);
    expect(bookings.filter((b) => b.status === 'waitlisted')).toHaveLength(7);
    expect((await h.app.db.prisma.workshopSession.findUniqueOrThrow({ where: { id: s.id } })).bookedCount).toBe(3);
    expect((await report(res.body.broadcastId)).counts).toMatchObject({ accepted: 3, waitlisted: 7 });
  },
);

test(
  'an answer days later still books; after the person chats about something else, "1" is theirs again (the ' + 'menu)',
  async () => {
    let now = Date.now();
    await start({ now: () => new Date(now) });
    const s = await session();
    const [later, chatted] = await people(2, { wrote: 1, language: () => 'fr' });
    await broadcast(s.id, { all: true });
    await h.settled();
    now += 40 * HOUR; // within the window of the invitation? not needed: the answer opens a new one
    await h.send(text(later, '1'));
    expect(await h.app.db.prisma.booking.count({ where: { beneficiaryId: later.id, status: 'booked' } })).toBe(1);
    // The other one writes "menu" first, then "1": the menu's first entry (workshops), not the invitation.
    await h.send(text(chatted, 'menu'));
    const replies = await h.send(text(chatted, '1'), chatted.waId);
    expect(replies.map(textOf).join('\n')).toContain(translator('fr')('workshops.menu.question'));
    expect(await h.app.db.prisma.booking.count({ where: { beneficiaryId: chatted.id } })).toBe(0);
  },
);

test('nothing goes in the quiet hours: queued at 22:00, sent at 08:00', async () => {
  // 22:30 in Paris, on a winter evening.
  let now = Date.parse('2026-12-07T21:30:00Z');
  await start({ env: { QUIET_HOURS: '21:00-08:00' }, now: () => new Date(now) });
  const workshop = await h.app.db.prisma.workshop.findFirstOrThrow({ where: { code: 'paperwork' } });
  // 9:00 to 11:00 (UTC), in Blois.
  const s = await sessionOf(h.app.db.prisma, workshop.id, new Date('2026-12-09T09:00:00Z'), 10, { audience: 'over25' });
  const [p] = await people(1, { wrote: 1 });
  await h.app.db.prisma.conversationRef.updateMany({ data: { lastInboundAt: new Date(now - HOUR) } });
  await broadcast(s.id, { all: true });
  await new Promise((r) => setTimeout(r, 500));
  expect(h.graph.sentTo(p.waId)).toHaveLength(0);
  const queued = await h.app.db.prisma.message.findFirstOrThrow({ where: { kind: 'broadcast' } });
  expect(queued.nextAttemptAt!.toISOString()).toBe('2026-12-08T07:00:00.000Z'); // 08:00 in Paris
  now = Date.parse('2026-12-08T07:01:00Z');
  h.app.whatsapp!.sender.wake();
  await h.graph.waitForSent(1, { to: p.waId });
  await h.settled();
  expect(h.graph.sentTo(p.waId)).toHaveLength(1);
});

test(
  'a CIP broadcasts to their own cases only; bad input gets field errors; an unknown session 404, a started ' +
    'one 409',
  async () => {
    const s = await startWithSession();
    const cip = await signedIn(h.app, 'cip');
    const [mine, other] = await people(2, { wrote: 1 });
    await h.app.db.prisma.beneficiary.update({ where: { id: mine.id }, data: { cipId: cip.id } });
    const res = await cip.call('POST', '/api/cip/broadcasts', {
      sessionId: s.id,
      audience: { all: true },
      idempotencyKey: 'cip-own-cases',
    });
    expect(res.body).toMatchObject({ invited: 1 });
    await h.settled();
    expect(h.graph.sent.map((m) => m.to)).toEqual([mine.waId]);
    expect(h.graph.sentTo(other.waId)).toHaveLength(0);
    // Another CIP does not see this broadcast.
    const stranger = await signedIn(h.app, 'cip');
    expect((await stranger.call('GET', `/api/cip/broadcasts/${res.body.broadcastId}`)).status).toBe(404);
    const bad = await cip.call('POST', '/api/cip/broadcasts', { sessionId: 'x', audience: {}, idempotencyKey: 'k' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'audience',
      'idempotencyKey',
      'sessionId',
    ]);
    expect(
      (
        await cip.call('POST', '/api/cip/broadcasts', {
          sessionId: 999999,
          audience: { all: true },
          idempotencyKey: 'unknown-session',
        })
      ).status,
    ).toBe(404);
    const past = await h.app.db.prisma.workshopSession.update({ where: { id: s.id }, data: { status: 'cancelled' } });
    expect(
      (
        await cip.call('POST', '/api/cip/broadcasts', {
          sessionId: past.id,
          audience: { all: true },
          idempotencyKey: 'cancelled-session',
        })
      ).status,
    ).toBe(409);
    expect(
      await h.app.db.prisma.auditEvent.count({ where: { resource: 'broadcast', staffUserId: cip.id } }),
    ).toBeGreaterThan(0);
  },
);
