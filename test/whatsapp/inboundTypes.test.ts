// Each kind of WhatsApp message, through the real server and dialogs: texts, taps on buttons and
// list rows, template quick replies, voice notes (with and without a speech-to-text service),
// pictures and documents for a problem report, locations, reactions and the unreadable rest;
// people known by their business-scoped id only; a phone number that matches a CIP's case.
import { translator } from '../../bot/i18n/translator';
import {
  buttonReply,
  fixture,
  fixtureSignatures,
  image,
  listReply,
  messageWebhook,
  postWebhook,
  templateButton,
  text,
  voiceNote,
} from '../support/whatsappWebhooks';
import { startWhatsAppApp, textOf, type WhatsAppTestApp } from '../support/whatsappApp';
import { FakeSpeechToText } from '../support/fakeSpeechToText';
import { signedIn } from '../support/cipApi';
import { samples } from '../support/mediaSamples';

let h: WhatsAppTestApp;
afterEach(async () => {
  await h?.close();
});

const fr = translator('fr');
const all = (sent: { body: Record<string, unknown> }[]) => sent.map((s) => textOf(s as never)).join('\n');

/** A new person says hello, picks French, then reading: at the consent question. */
async function atConsent(waId: string, name: string) {
  const person = { waId, name };
  await h.send(text(person, 'bonjour'), waId);
  await h.send(text(person, '1'), waId); // Français
  await h.send(text(person, '1'), waId); // read
  return person;
}

/** A person who already went through onboarding (French, consented), at the menu. */
async function onboarded(waId: string, name = 'Amina') {
  const person = await atConsent(waId, name);
  await h.send(text(person, '1'), waId); // consent: yes
  await h.send(text(person, '1'), waId); // "Is your first name Amina?" yes -> menu
  return person;
}

test('the button-reply fixture: an id not ours counts by its title (دری), and the person goes on in Dari', async () => {
  h = await startWhatsAppApp();
  const hamid = { waId: '33639980003', name: 'Hamid' };
  await h.send(text(hamid, 'hello'), hamid.waId);
  const res = await postWebhook(h.app.url, fixture('button-reply.json'), {
    signature: fixtureSignatures().get('button-reply.json'),
  });
  expect(res.status).toBe(200);
  await h.settled();
  const fa = translator('fa');
  expect(all(h.graph.sentTo(hamid.waId).slice(1))).toContain(fa('voice.question'));
  await h.send(text(hamid, '1'), hamid.waId); // read
  const replies = all(h.graph.sentTo(hamid.waId).slice(1));
  expect(replies).toContain(fa('language.changed'));
  expect(replies).toContain(fa('onboarding.consent.question'));
});

test("list rows, reply buttons come back as the option's number; template quick replies as their payload", async () => {
  h = await startWhatsAppApp();
  const person = await onboarded('33600000201');
  // The menu is a list: row "3" is "a problem".
  const problem = await h.send(listReply(person, '3', '3. Un problème'), person.waId);
  expect(all(problem)).toContain(fr('problem.start.question'));
  // "Report a problem" is button 1 of 2.
  const category = await h.send(buttonReply(person, '1', '1. Signaler'), person.waId);
  expect(all(category)).toContain(fr('problem.category.question'));
  // A template's quick reply with payload "0": the menu keyword.
  const menu = await h.send(templateButton(person, '0', 'Menu'), person.waId);
  expect(all(menu)).toContain(fr('menu.question'));
});

test('a voice note with no speech-to-text service: "I cannot listen yet" and the options again', async () => {
  h = await startWhatsAppApp();
  const person = await onboarded('33600000202');
  h.graph.addMedia('media-1', samples.oggOpus, 'audio/ogg');
  const replies = await h.send(voiceNote(person, 'media-1'), person.waId);
  expect(all(replies)).toContain(fr('prompt.cannotListen'));
  expect(all(replies)).toContain(fr('menu.question'));
});

test('inside "report a problem" the voice note itself is kept for the CIP, downloaded from Meta', async () => {
  h = await startWhatsAppApp();
  const person = await onboarded('33600000203');
  const audio = samples.oggOpus;
  h.graph.addMedia('media-2', audio, 'audio/ogg; codecs=opus');
  await h.send(text(person, '3'), person.waId); // a problem
  await h.send(text(person, '1'), person.waId); // report one
  await h.send(text(person, '1'), person.waId); // housing
  const ask = await h.send(text(person, '1'), person.waId); // today
  expect(all(ask)).toContain(fr('problem.describe.question'));
  const saved = await h.send(voiceNote(person, 'media-2'), person.waId);
  expect(all(saved)).toContain(fr('problem.saved'));
  const blocker = await h.app.db.prisma.blocker.findFirstOrThrow({
    where: { beneficiary: { phone: `+${person.waId}` } },
  });
  expect(blocker).toMatchObject({ category: 'housing', urgency: 'today' });
  const [attachment] = blocker.attachments as { contentType: string; url: string }[];
  expect(attachment.contentType).toBe('audio/ogg');
  // The file is ours now: served by the server to staff, the same bytes.
  const cip = await signedIn(h.app, 'cip');
  const res = await fetch(`${h.app.url}${attachment.url}`, { headers: { Authorization: `Bearer ${cip.token}` } });
  expect(res.status).toBe(200);
  expect(Buffer.from(await res.arrayBuffer())).toEqual(audio);
  expect(h.graph.requests.some((r) => r.path === '/v26.0/media-2')).toBe(true);
});

test("with a speech-to-text service, a voice note is understood as an answer, in the person's language", async () => {
  const stt = await FakeSpeechToText.start();
  try {
    h = await startWhatsAppApp({ env: { SPEECH_TO_TEXT_URL: stt.url } });
    const person = await onboarded('33600000204');
    const audio = samples.oggOpus;
    stt.says(audio, 'trois');
    h.graph.addMedia('media-3', audio, 'audio/ogg');
    const replies = await h.send(voiceNote(person, 'media-3'), person.waId);
    // "trois" chose menu 3: a problem.
    expect(all(replies)).toContain(fr('problem.start.question'));
    expect(stt.requests).toEqual([{ language: 'fr-FR', contentType: 'audio/ogg', bytes: audio.length }]);
    // The service down: the same as without one.
    stt.failWith = 503;
    h.graph.addMedia('media-4', audio, 'audio/ogg');
    const notHeard = await h.send(voiceNote(person, 'media-4'), person.waId);
    expect(all(notHeard)).toContain(fr('prompt.cannotListen'));
  } finally {
    await stt.close();
  }
});

test(
  'a photo with a caption in a problem report is kept; a location ' +
    'too; reactions are ignored; a sticker gets "I can read text..."',
  async () => {
    h = await startWhatsAppApp();
    const person = await onboarded('33600000205');
    await h.send(text(person, '3'), person.waId);
    await h.send(text(person, '1'), person.waId);
    await h.send(text(person, '4'), person.waId); // papers
    await h.send(text(person, '2'), person.waId); // this week
    h.graph.addMedia('media-5', samples.jpeg, 'image/jpeg');
    await h.send(image(person, 'media-5', 'la lettre de la préfecture'), person.waId);
    const blocker = await h.app.db.prisma.blocker.findFirstOrThrow({ where: { category: 'papers' } });
    expect(blocker.description).toBe('la lettre de la préfecture');
    expect((blocker.attachments as { contentType: string }[])[0].contentType).toBe('image/jpeg');

    // A reaction: nothing stored, nothing sent.
    const before = h.graph.sentTo(person.waId).length;
    const stored = await h.app.db.prisma.message.count();
    await h.send(messageWebhook(person, { type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '👍' } }));
    expect(h.graph.sentTo(person.waId)).toHaveLength(before);
    expect(await h.app.db.prisma.message.count()).toBe(stored);

    // A sticker at the menu: what we can read, and the menu again.
    const sticker = await h.send(
      messageWebhook(person, { type: 'sticker', sticker: { id: 'st-1', mime_type: 'image/webp', animated: false } }),
      person.waId,
    );
    expect(all(sticker)).toContain(fr('prompt.unsupported'));
    expect(all(sticker)).toContain(fr('menu.question'));

    // A location as the message to the CIP: kept as a geo: link.
    await h.send(text(person, '5'), person.waId);
    await h.send(
      messageWebhook(person, {
        type: 'location',
        location: { latitude: 47.5861, longitude: 1.3359, name: 'Gare de Blois' },
      }),
      person.waId,
    );
    const event = await h.app.db.prisma.caseEvent.findFirstOrThrow({
      where: { type: 'message_to_cip' },
      orderBy: { id: 'desc' },
    });
    expect((event.payload as { attachments: { url: string; name: string }[] }).attachments[0]).toMatchObject({
      url: 'geo:47.5861,1.3359',
      name: 'Gare de Blois',
    });
  },
);

test(
  'someone known by a username only (business-scoped id): answered through ' +
    '"recipient"; later the same person with only that id keeps their conversation',
  async () => {
    h = await startWhatsAppApp();
    const hidden = { bsuid: 'FR.4100000000000000207', name: 'Sara' };
    const first = await h.send(text(hidden, 'salut'), hidden.bsuid);
    expect(first).toHaveLength(1);
    expect(first[0].body.recipient).toBe(hidden.bsuid);
    expect(first[0].body.to).toBeUndefined();

    // A person first seen with both ids, then with the business-scoped id only: one person.
    const both = { waId: '33600000208', bsuid: 'FR.4100000000000000208', name: 'Reza' };
    await h.send(text(both, 'salam'), both.waId);
    await h.send(text(both, '4'), both.waId); // Dari
    await h.send(text(both, '1'), both.waId); // read
    const later = await h.send(text({ bsuid: both.bsuid, name: 'Reza' }, '1'), both.waId);
    // Answered on the wa_id's conversation: the consent question was waiting, "1" is yes.
    expect(all(later)).toContain(translator('fa')('onboarding.name.confirm', { name: 'Reza' }));
  },
);

test('a wa_id that matches the phone of a case a CIP created is linked to that case on consent', async () => {
  h = await startWhatsAppApp();
  const caseByCip = await h.app.db.prisma.beneficiary.create({
    data: { firstName: 'Hawa', phone: '+33600000209', status: 'active', language: 'fr' },
  });
  const person = await atConsent('33600000209', 'H.');
  const thanks = await h.send(text(person, '1'), person.waId);
  expect(all(thanks)).toContain(fr('onboarding.thanks', { firstName: 'Hawa' }));
  expect(await h.app.db.prisma.beneficiary.count()).toBe(1);
  const ref = await h.app.db.prisma.conversationRef.findFirstOrThrow({
    where: { channel: 'whatsapp', userKey: person.waId },
  });
  expect(ref.beneficiaryId).toBe(caseByCip.id);
  const inbound = await h.app.db.prisma.message.findMany({ where: { direction: 'in', conversationId: person.waId } });
  expect(inbound.every((m) => m.beneficiaryId === caseByCip.id)).toBe(true);
});

test('a person who refuses consent: nothing of the conversation is kept, not even their number', async () => {
  h = await startWhatsAppApp();
  const person = await atConsent('33600000210', 'No');
  const declined = await h.send(text(person, '2'), person.waId);
  expect(all(declined)).toContain(fr('onboarding.declined.ok'));
  const rows = await h.app.db.prisma.message.findMany({ where: { channel: 'whatsapp' } });
  // The last message (the "no") and its answers are kept only as an empty trace (so a repeated
  // delivery is not handled twice), without the number or the words.
  expect(rows.filter((r) => r.conversationId === person.waId)).toEqual([]);
  expect(rows.every((r) => JSON.stringify(r.payload) === '{"forgotten":true}')).toBe(true);
  expect(await h.app.db.prisma.conversationRef.count({ where: { userKey: person.waId } })).toBe(0);
  expect(await h.app.db.prisma.beneficiary.count()).toBe(0);
});

test(
  'someone who wrote but never consented is forgotten after 30 days ' +
    'without a message: messages, number, state; people with a case are not',
  async () => {
    // Two strangers who write: one long ago (made so below), one recently.
    const stranger = { waId: '33600000211', name: 'Anon' };
    const recent = { waId: '33600000212', name: 'Recent' };
    h = await startWhatsAppApp();
    await h.send(text(stranger, 'bonjour'), stranger.waId);
    await h.send(text(recent, 'bonjour'), recent.waId);
    const person = await onboarded('33600000213');
    const db = h.app.db.prisma;
    const old = new Date(Date.now() - 31 * 86400_000);
    await db.conversationRef.updateMany({
      where: { userKey: { in: [stranger.waId, person.waId] } },
      data: { lastInboundAt: old },
    });
    expect(await db.botState.count({ where: { key: { contains: stranger.waId } } })).toBeGreaterThan(0);

    const forgotten = await h.app.whatsapp!.store.forgetStrangers(30);
    expect(forgotten).toMatchObject({ people: 1 });
    expect(await db.message.count({ where: { conversationId: stranger.waId } })).toBe(0);
    expect(await db.conversationRef.count({ where: { userKey: stranger.waId } })).toBe(0);
    expect(await db.botState.count({ where: { key: { contains: stranger.waId } } })).toBe(0);
    // The one who wrote lately, and the one with a case, stay.
    expect(await db.message.count({ where: { conversationId: recent.waId } })).toBeGreaterThan(0);
    expect(await db.message.count({ where: { conversationId: person.waId } })).toBeGreaterThan(0);
    expect(await db.conversationRef.count({ where: { userKey: person.waId } })).toBe(1);
  },
);
