// The WhatsApp outbox, through the real server against the fake Graph API: the 24-hour window
// and templates, 131047, retries of passing failures, permanent ones, a refused token, delivery
// statuses, "stop", the order of one person's messages and the number's rate.
import { translator } from '../../bot/i18n/translator';
import { queueNotification } from '../../bot/services/notifications';
import { renderNotification } from '../../cards/notifications';
import { FAILURES } from '../support/fakeGraphApi';
import { startWhatsAppApp, textOf, textReply, type WhatsAppTestApp } from '../support/whatsappApp';
import { statusWebhook, templateButton, text } from '../support/whatsappWebhooks';
import type { LanguageCode } from '../../bot/i18n/languages';
import { selamOnWhatsApp } from '../support/whatsappPerson';

let h: WhatsAppTestApp;
afterEach(async () => {
  await h?.close();
});

const HOUR = 3600_000;
const session = {
  workshopCode: 'cv',
  title: 'Faire son CV',
  startsAt: '2026-12-10T09:30:00.000Z',
  place: 'Maison des associations, Blois',
};
const promoted = { key: 'notifications.waitlistPromoted', session };

/** A consenting person on WhatsApp who last wrote `hoursAgo` hours ago. */
async function person(waId: string, language: LanguageCode, hoursAgo: number, extra: { optedOutAt?: Date } = {}) {
  const b = await selamOnWhatsApp(h.app.db.prisma, waId, language, new Date(Date.now() - hoursAgo * HOUR), extra);
  return { ...b, waId };
}

/** The app (as startWhatsAppApp starts it), then a person in it as person() makes them. */
async function startWithPerson(...args: Parameters<typeof person>) {
  h = await startWhatsAppApp();
  return person(...args);
}

/** Queues a notification for the person and lets the notifier hand it to the channel. */
async function notify(id: number, payload: { key: string; [k: string]: unknown } = promoted) {
  const db = h.app.db.prisma;
  await db.$transaction((tx) => queueNotification(tx, id, new Date(), payload));
  await h.app.core.notifier.deliver(id);
  await h.settled();
}

const row = (wamid: string) =>
  h.app.db.prisma.message.findUniqueOrThrow({ where: { providerId: `whatsapp:${wamid}` } });

test("inside the 24-hour window a notification is text; outside, its template in the person's language", async () => {
  const recent = await startWithPerson('33600000301', 'ar', 2);
  await notify(recent.id);
  const [free] = h.graph.sentTo(recent.waId);
  expect(free.body.type).toBe('text');
  expect(textOf(free)).toBe(renderNotification(promoted, 'ar', 'Europe/Paris').text);

  const away = await person('33600000302', 'ar', 30);
  await notify(away.id);
  const [template] = h.graph.sentTo(away.waId);
  expect(template.body.type).toBe('template');
  const t = template.body.template as {
    name: string;
    language: { code: string };
    components: { type: string; parameters: { text?: string }[] }[];
  };
  expect(t.name).toBe('passerelle_waitlist_promoted');
  expect(t.language.code).toBe('ar');
  expect(t.components[0].parameters.map((p) => p.text)).toEqual([
    'Selam',
    translator('ar')('workshops.titles.cv', { defaultValue: 'Faire son CV' }),
    expect.stringMatching(/ديسمبر/),
    session.place,
  ]);
  const stored = await row(template.wamid);
  expect(stored).toMatchObject({ status: 'sent', kind: 'notification', beneficiaryId: away.id });
  expect((stored.payload as { sentAs: { template: string } }).sentAs.template).toBe('passerelle_waitlist_promoted');
});

test('Meta has no Tigrinya templates: Tigrinya speakers get the English one, filled in English', async () => {
  const ti = await startWithPerson('33600000303', 'ti', 48);
  await notify(ti.id);
  const [sent] = h.graph.sentTo(ti.waId);
  const t = sent.body.template as { language: { code: string }; components: { parameters: { text?: string }[] }[] };
  expect(t.language.code).toBe('en');
  expect(t.components[0].parameters[2].text).toMatch(/December/);
});

test(
  'a reply that could not go within the window waits; the person gets "a message is waiting" once; tapping ' +
    'it sends what waited, in order',
  async () => {
    const p = await startWithPerson('33600000304', 'fr', 30);
    const reply = (body: string) => ({
      to: p.waId,
      beneficiaryId: p.id,
      kind: 'reply',
      payload: {
        form: 'message',
        message: { type: 'text', text: { body } },
        text: body,
        locale: 'fr',
        answers: Date.now() - 30 * HOUR,
      },
      nextAttemptAt: new Date(),
    });
    await h.app.whatsapp!.store.enqueue(undefined, [reply('première réponse'), reply('deuxième réponse')]);
    h.app.whatsapp!.sender.wake();
    await h.settled();
    const nudges = h.graph.sentTo(p.waId);
    expect(nudges).toHaveLength(1);
    expect((nudges[0].body.template as { name: string }).name).toBe('passerelle_message_waiting');
    expect(
      await h.app.db.prisma.message.count({
        where: { conversationId: p.waId, direction: 'out', status: 'queued', nextAttemptAt: null },
      }),
    ).toBe(2);

    await h.send(templateButton(p, 'passerelle:show', 'Lire le message'));
    expect(h.graph.sentTo(p.waId).slice(1).map(textOf)).toEqual(['première réponse', 'deuxième réponse']);
  },
);

test('131047 on a free-form send: a notification goes again at once as its template; its row records it', async () => {
  const p = await startWithPerson('33600000305', 'fa', 1);
  h.graph.fail(FAILURES.reengage, { type: 'text' });
  await notify(p.id);
  const sent = h.graph.sentTo(p.waId);
  expect(sent).toHaveLength(1);
  expect(sent[0].body.type).toBe('template');
  expect((sent[0].body.template as { language: { code: string } }).language.code).toBe('prs_AF');
  const stored = await row(sent[0].wamid);
  expect(stored.status).toBe('sent');
  expect(stored.attempts).toBe(2);
});

test(
  'a free-form message that Meta fails later with 131047 (status webhook) goes once more as its template, ' +
    'once however often the status comes',
  async () => {
    const p = await startWithPerson('33600000306', 'uk', 1);
    await notify(p.id);
    const [free] = h.graph.sentTo(p.waId);
    const failed = statusWebhook([
      { wamid: free.wamid, status: 'failed', to: p.waId, errors: [{ code: 131047, title: 'Re-engagement message' }] },
    ]);
    await h.send(failed);
    await h.send(failed);
    expect(await row(free.wamid)).toMatchObject({ status: 'failed', errorCode: 131047 });
    const sent = h.graph.sentTo(p.waId);
    expect(sent.map((s) => s.body.type)).toEqual(['text', 'template']);
    expect((sent[1].body.template as { language: { code: string } }).language.code).toBe('uk');
  },
);

test("throttling, 5xx, timeouts: retried with backoff; permanent errors fail with Meta's code and title", async () => {
  h = await startWhatsAppApp({ tuning: { graphTimeoutMs: 1000 } });
  const a = await person('33600000307', 'fr', 1);
  h.graph.fail(FAILURES.throttled, { to: a.waId, times: 2 });
  h.graph.fail(FAILURES.plain500, { to: a.waId });
  h.graph.fail('timeout', { to: a.waId });
  await notify(a.id);
  await h.settled(20000);
  const [ok] = h.graph.sentTo(a.waId);
  expect(await row(ok.wamid)).toMatchObject({ status: 'sent', attempts: 5 });

  const b = await person('33600000308', 'fr', 1);
  h.graph.fail(FAILURES.undeliverable, { to: b.waId });
  await notify(b.id);
  const failed = await h.app.db.prisma.message.findFirstOrThrow({
    where: { conversationId: b.waId, direction: 'out' },
  });
  expect(failed).toMatchObject({
    status: 'failed',
    errorCode: 131026,
    errorTitle: 'Message undeliverable',
    attempts: 1,
  });
  expect(h.graph.sentTo(b.waId)).toHaveLength(0);
});

test(
  'a refused access token (190) stops the sending: what was to be sent waits in the outbox, answers keep ' +
    'coming in; a restart with a good token sends it all',
  async () => {
    h = await startWhatsAppApp();
    h.graph.failAll(FAILURES.token);
    const p = await person('33600000309', 'fr', 1);
    await notify(p.id);
    await h.send(text({ waId: '33600000310' }, 'bonjour'));
    expect(h.app.whatsapp!.sender.stopped).toMatch(/WHATSAPP_ACCESS_TOKEN/);
    const waiting = await h.app.db.prisma.message.findMany({ where: { direction: 'out', channel: 'whatsapp' } });
    expect(waiting.length).toBe(2);
    expect(waiting.every((m) => m.status === 'queued')).toBe(true);
    // The inbound message was handled (its reply is one of the waiting ones).
    expect(await h.app.db.prisma.message.count({ where: { direction: 'in', status: 'received' } })).toBe(1);

    h.graph.clearFailures();
    await h.app.stop();
    const again = await startWhatsAppApp({ graph: h.graph, reuse: h.db });
    try {
      await again.settled();
      expect(h.graph.sentTo(p.waId)).toHaveLength(1);
      expect(h.graph.sentTo('33600000310')).toHaveLength(1);
    } finally {
      await again.app.stop();
    }
  },
);

test('delivery statuses move a message forward only: read may come before delivered, repeats do nothing', async () => {
  const p = await startWithPerson('33600000311', 'fr', 1);
  await notify(p.id);
  const [m] = h.graph.sentTo(p.waId);
  const at = (s: number) => Date.now() + s * 1000;
  const readAt = at(20); // (once: two readings of the clock may fall on both sides of a second)
  await h.send(statusWebhook([{ wamid: m.wamid, status: 'read', timestamp: readAt }]));
  expect(await row(m.wamid)).toMatchObject({ status: 'read' });
  await h.send(
    statusWebhook([
      { wamid: m.wamid, status: 'delivered', timestamp: at(10) },
      { wamid: m.wamid, status: 'sent', timestamp: at(5) },
    ]),
  );
  const r = await row(m.wamid);
  expect(r.status).toBe('read');
  expect(r.deliveredAt).not.toBeNull();
  expect(r.readAt!.getTime()).toBe(Math.floor(readAt / 1000) * 1000);
  await h.send(
    statusWebhook([{ wamid: m.wamid, status: 'failed', errors: [{ code: 131026, title: 'Message undeliverable' }] }]),
  );
  expect(await row(m.wamid)).toMatchObject({ status: 'read', errorCode: null });
});

test('a status that arrives before its send is recorded is kept and applied when it is', async () => {
  h = await startWhatsAppApp();
  const store = h.app.whatsapp!.store;
  await store.applyStatuses([{ wamid: 'wamid.EARLY', status: 'delivered', at: new Date(), errors: [] }]);
  expect(await h.app.db.prisma.message.count({ where: { direction: 'status' } })).toBe(1);
  const p = await person('33600000312', 'fr', 1);
  await store.enqueue(undefined, [{ to: p.waId, kind: 'notification', payload: promoted, nextAttemptAt: null }]);
  const [claimed] = await h.app.db.prisma.message.findMany({ where: { direction: 'out' } });
  await h.app.db.prisma.message.update({ where: { id: claimed.id }, data: { status: 'sending' } });
  const late: unknown[] = [];
  const hook = store.onLateStatuses;
  store.onLateStatuses = (applied) => late.push(...applied);
  await store.settle({ id: claimed.id, outcome: 'sent', providerId: 'wamid.EARLY', payload: promoted, to: p.waId });
  store.onLateStatuses = hook;
  expect(late).toEqual([{ id: claimed.id, status: 'delivered' }]);
  expect(await row('wamid.EARLY')).toMatchObject({ status: 'delivered' });
  expect(await h.app.db.prisma.message.count({ where: { direction: 'status' } })).toBe(0);
});

test('after "stop" nothing proactive goes (it waits), replies do; once the person writes again it goes', async () => {
  const p = await startWithPerson('33600000313', 'fr', 1, { optedOutAt: new Date() });
  await notify(p.id);
  expect(h.graph.sentTo(p.waId)).toHaveLength(0);
  expect(
    await h.app.db.prisma.message.findFirstOrThrow({ where: { conversationId: p.waId, direction: 'out' } }),
  ).toMatchObject({ status: 'queued', nextAttemptAt: null });
  // They write "start" (the profile links the chat to the case).
  await h.app.core.storage.write({
    [`whatsapp/users/${p.waId}/`]: {
      profile: { beneficiaryId: p.id, language: 'fr', conversationId: p.waId },
      eTag: '*',
    },
  });
  const replies = await h.send(text(p, 'start'), p.waId);
  expect(replies.map(textOf)).toEqual(
    expect.arrayContaining([renderNotification(promoted, 'fr', 'Europe/Paris').text]),
  );
  expect(replies.map(textOf).join('\n')).toContain(translator('fr')('start.done'));
});

test("one person's messages keep their order when the first one must be tried again", async () => {
  const p = await startWithPerson('33600000314', 'fr', 1);
  h.graph.fail(FAILURES.serverError, { to: p.waId });
  await h.app.whatsapp!.store.enqueue(
    undefined,
    ['un', 'deux', 'trois'].map((body) => textReply(p.waId, body)),
  );
  h.app.whatsapp!.sender.wake();
  await h.settled();
  expect(h.graph.sentTo(p.waId).map(textOf)).toEqual(['un', 'deux', 'trois']);
});

test("a proactive message waiting for the morning (quiet hours) does not hold back the night's replies", async () => {
  const p = await startWithPerson('33600000315', 'fr', 1);
  const morning = new Date(Date.now() + 8 * HOUR);
  await h.app.whatsapp!.store.enqueue(undefined, [
    {
      to: p.waId,
      beneficiaryId: p.id,
      kind: 'checkin',
      payload: { key: 'checkins.question', placement: { structure: 'Ferme' } },
      nextAttemptAt: morning,
    },
  ]);
  await h.app.whatsapp!.store.enqueue(undefined, [textReply(p.waId, 'réponse')]);
  h.app.whatsapp!.sender.wake();
  await h.graph.waitForSent(1, { to: p.waId });
  expect(h.graph.sentTo(p.waId).map(textOf)).toEqual(['réponse']);
  expect(
    await h.app.db.prisma.message.findFirstOrThrow({ where: { conversationId: p.waId, kind: 'checkin' } }),
  ).toMatchObject({ status: 'queued', nextAttemptAt: morning });
});

test("the number's rate (WHATSAPP_MPS) is kept, and one person gets at most a few messages at once", async () => {
  h = await startWhatsAppApp({ env: { WHATSAPP_MPS: '10' }, tuning: { pairIntervalMs: 300, pairBurst: 2 } });
  const rows = Array.from({ length: 30 }, (_, i) => textReply(`3360000040${String(i).padStart(2, '0')}`, `m${i}`));
  const one = Array.from({ length: 5 }, (_, i) => textReply('33600000499', `p${i}`));
  const started = Date.now();
  await h.app.whatsapp!.store.enqueue(undefined, [...rows, ...one]);
  h.app.whatsapp!.sender.wake();
  await h.settled(20000);
  const times = h.graph.sent.map((s) => s.at).sort((a, b) => a - b);
  expect(times).toHaveLength(35);
  // 35 messages at 10 a second: at least 3.3 s; never more than 10 (and the bucket's 1) in a second.
  expect(times[34] - started).toBeGreaterThanOrEqual(3200);
  for (let i = 0; i + 11 < times.length; i++) expect(times[i + 11] - times[i]).toBeGreaterThanOrEqual(1000);
  const mine = h.graph.sentTo('33600000499').map((s) => s.at);
  // Two at once, then one every 300 ms.
  for (let i = 2; i < mine.length; i++) expect(mine[i] - mine[i - 2]).toBeGreaterThanOrEqual(290);
});

test('proactive messages due together reach one person one at a time, a pair interval apart', async () => {
  h = await startWhatsAppApp({ tuning: { pairIntervalMs: 400, pairBurst: 5 } });
  const p = await person('33600000315', 'fr', 1);
  const notice = (n: number) => ({
    to: p.waId,
    beneficiaryId: p.id,
    kind: 'notification',
    payload: { ...promoted, n },
    nextAttemptAt: new Date(),
  });
  await h.app.whatsapp!.store.enqueue(undefined, [notice(1), notice(2), notice(3)]);
  h.app.whatsapp!.sender.wake();
  await h.settled();
  const at = h.graph.sentTo(p.waId).map((s) => s.at);
  expect(at).toHaveLength(3);
  expect(at[1] - at[0]).toBeGreaterThanOrEqual(390);
  expect(at[2] - at[1]).toBeGreaterThanOrEqual(390);
});
