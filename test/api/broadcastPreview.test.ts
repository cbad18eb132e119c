// Invitations' preview and follow-up: POST /api/cip/broadcasts/preview says who would be invited
// (by language) and who left out and why, sending nothing, with the same rules as the send; the
// Invitations page shows it with the message in each language of the people invited; a
// broadcast's own page shows its counts, and htmx's fragment refreshes them.
import { appForTests } from '../support/app';
import { signedIn } from '../support/cipApi';
import { dashboardClient } from '../support/dashboardClient';
import { sessionOf } from '../support/workshopFixture';

// WhatsApp is off here: someone with only a phone number is unreachable.
const testApp = appForTests({ DEMO_DATA: 'off' });

const { send, signIn, account } = dashboardClient(testApp);

let phones = 0;
/** A session to come and seven people (the people of an earlier fixture archived: out of any audience). */
async function fixture() {
  const db = testApp().db.prisma;
  await db.beneficiary.updateMany({ data: { status: 'archived' } });
  const workshop = await db.workshop.create({
    data: { code: `cv_${Date.now()}`, title: 'Écrire son CV', category: 'emploi' },
  });
  const startsAt = new Date(Date.now() + 4 * 24 * 3600_000);
  const session = await sessionOf(db, workshop.id, startsAt, 10, { place: 'Salle C', audience: 'over25' });
  let n = 0;
  const person = async (language: string, extra: object = {}, chat = true) => {
    const b = await db.beneficiary.create({
      data: { firstName: `Inv${++n}`, language, status: 'active', birthYear: 1985, consentAt: new Date(), ...extra },
    });
    if (chat)
      await db.conversationRef.create({
        data: {
          channel: 'webchat',
          userKey: `wc_inv_${b.id}_0123456789`,
          conversationId: `conv-${b.id}`,
          reference: {},
          beneficiaryId: b.id,
          lastInboundAt: new Date(),
        },
      });
    return b;
  };
  await person('fa');
  await person('fa');
  await person('ar');
  await person('ti', { optedOutAt: new Date() });
  await person('ru', { birthYear: 2008 });
  await person('uk', { birthYear: null });
  await person('ps', { phone: `+3369999${String(++phones).padStart(4, '0')}` }, false);
  return session;
}

test('the preview counts who would be invited, by language, who is left out and why; it sends nothing', async () => {
  const session = await fixture();
  const coordinator = await signedIn(testApp(), 'coordinator');
  const res = await coordinator.call('POST', '/api/cip/broadcasts/preview', {
    sessionId: session.id,
    audience: { all: true },
  });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    invited: 3,
    byLanguage: { fa: 2, ar: 1 },
    skipped: { opted_out: 1, not_eligible: 1, age_unknown: 1, unreachable: 1 },
  });
  const arabic = await coordinator.call('POST', '/api/cip/broadcasts/preview', {
    sessionId: session.id,
    audience: { language: 'ar' },
  });
  expect(arabic.body).toEqual({ invited: 1, byLanguage: { ar: 1 }, skipped: {} });
  expect(await testApp().db.prisma.broadcast.count()).toBe(0);
  expect(await testApp().db.prisma.message.count()).toBe(0);
  // A CIP previews their own people only: none here.
  const cip = await signedIn(testApp(), 'cip');
  expect(
    (await cip.call('POST', '/api/cip/broadcasts/preview', { sessionId: session.id, audience: { all: true } })).body,
  ).toEqual({ invited: 0, byLanguage: {}, skipped: {} });
  expect(
    (await coordinator.call('POST', '/api/cip/broadcasts/preview', { sessionId: 999999, audience: { all: true } }))
      .status,
  ).toBe(404);
  await testApp().db.prisma.workshopSession.update({ where: { id: session.id }, data: { status: 'cancelled' } });
  expect(
    (await coordinator.call('POST', '/api/cip/broadcasts/preview', { sessionId: session.id, audience: { all: true } }))
      .body.error.reason,
  ).toBe('broadcast.sessionClosed');
});

test("the Invitations page previews counts and each language's message; the broadcast's page follows", async () => {
  const session = await fixture();
  await account('inv.coord@passerelle.test', 'coordinator');
  const { cookie } = await signIn('inv.coord@passerelle.test');
  const preview = await (await send(`/cip/broadcasts?sessionId=${session.id}`, { cookie })).text();
  expect(preview).toContain('Personnes invitées : 3');
  expect(preview).toContain('<li data-skipped="opted_out">a dit stop : 1</li>');
  // The message in French, Dari and Arabic (the languages of the people invited), none in Tigrinya.
  expect([...preview.matchAll(/<pre class="preview" lang="(\w+)"/g)].map((m) => m[1])).toEqual(['fr', 'fa', 'ar']);
  expect(await testApp().db.prisma.broadcast.count({ where: { sessionId: session.id } })).toBe(0);

  const sent = await send('/cip/broadcasts', {
    cookie,
    form: { sessionId: String(session.id), idempotencyKey: `page-${session.id}-key` },
  });
  expect(sent.status).toBe(200);
  const broadcast = await testApp().db.prisma.broadcast.findFirstOrThrow({ where: { sessionId: session.id } });
  expect(await sent.text()).toContain(`href="/cip/broadcasts/${broadcast.id}"`);
  const page = await (await send(`/cip/broadcasts/${broadcast.id}`, { cookie })).text();
  expect(page).toContain('<td data-count="invited">3</td>');
  expect(page).toContain('<td data-count="skipped">4</td>');
  // (Just made: the counts refresh themselves.)
  expect(page).toContain(`hx-get="/cip/broadcasts/${broadcast.id}/counts"`);
  // One answers yes, as the chat would record it: the fragment says so.
  await testApp().db.prisma.broadcastRecipient.updateMany({
    where: { broadcastId: broadcast.id, status: 'invited', beneficiary: { language: 'ar' } },
    data: { answer: 'accepted', answeredAt: new Date() },
  });
  const counts = await (
    await send(`/cip/broadcasts/${broadcast.id}/counts`, { cookie, headers: { 'HX-Request': 'true' } })
  ).text();
  expect(counts).toContain('<td data-count="accepted">1</td>');
  expect(counts).not.toContain('<html');
  // Another CIP's broadcast is not theirs to read.
  await account('inv.cip@passerelle.test', 'cip');
  const other = await signIn('inv.cip@passerelle.test');
  expect((await send(`/cip/broadcasts/${broadcast.id}`, { cookie: other.cookie })).status).toBe(404);
});
