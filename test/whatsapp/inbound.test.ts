// contentOf: what a WhatsApp message says, as the dialogs read it. A text is its text; a button
// or list row we sent comes back as its id, the option's number, and someone else's id as its
// title; a template's quick reply as its payload (message_waiting's own payload shows what waited);
// voice notes, photos and documents as media (a caption as text); a location; anything else is
// unsupported with its type. toActivity: the Bot Framework activity of the message.
import { contentOf, locationAttachment, toActivity, CHANNEL_ID } from '../../bot/channels/whatsapp/inbound';
import { SHOW_WAITING_PAYLOAD } from '../../bot/channels/whatsapp/templates';
import { parseWebhook, type InboundEvent } from '../../bot/channels/whatsapp/webhook';
import type { WaMessage } from '../../bot/channels/whatsapp/payloads';
import { fixture } from '../support/whatsappWebhooks';

/** The (only) event of a fixture, as parseWebhook reads it. */
function eventOf(name: string): InboundEvent {
  const parsed = parseWebhook(fixture(name));
  if (!parsed.ok) throw new Error(parsed.problem);
  expect(parsed.messages).toHaveLength(1);
  return parsed.messages[0];
}
const msg = (type: string, fields: Partial<WaMessage> = {}): WaMessage => ({
  id: 'wamid.T',
  timestamp: '1767603600',
  type,
  ...fields,
});

test('text-fr.json: the text as written', () => {
  expect(contentOf(eventOf('text-fr.json').message)).toEqual({
    text:
      'Bonjour, je suis arrivée à Blois le mois dernier. Je ' +
      "voudrais un atelier pour écrire mon CV, c'est possible ?",
  });
});

test('an empty text is unsupported, not an empty answer', () => {
  expect(contentOf(msg('text', { text: { body: '' } }))).toEqual({ unsupported: 'empty' });
  expect(contentOf(msg('text'))).toEqual({ unsupported: 'empty' });
});

test('list-reply.json: a row of ours comes back as its number', () => {
  expect(contentOf(eventOf('list-reply.json').message)).toEqual({ text: '3', value: { id: '3', title: '3. العربية' } });
});

test('button-reply.json: an id that is not ours ("lang:prs_AF") gives the title the dialogs recognise', () => {
  expect(contentOf(eventOf('button-reply.json').message)).toEqual({
    text: 'دری',
    value: { id: 'lang:prs_AF', title: 'دری' },
  });
});

test.each([
  ['button_reply', '1', '1. Oui', '1'],
  ['button_reply', '10', '10. Plus', '10'],
  ['list_reply', '999', '999. x', '999'],
  ['list_reply', '1000', 'Mille', 'Mille'], // four digits: not one of our option numbers
  ['button_reply', '١', 'واحد', 'واحد'], // Arabic-Indic digit: not an id we send
  ['button_reply', ' 1', 'Un', 'Un'],
  ['list_reply', '1.', 'Un', 'Un'],
  ['button_reply', 'yes', 'Oui', 'Oui'],
  ['button_reply', 'some-id', '', 'some-id'], // no title: the id is all there is
])('%s with id %j and title %j reads as %j', (kind, id, title, text) => {
  const interactive = { type: kind, [kind]: { id, title } } as WaMessage['interactive'];
  expect(contentOf(msg('interactive', { interactive }))).toEqual({ text, value: { id, title } });
});

test('an interactive message without a reply, or with an empty one, is unsupported with its kind', () => {
  expect(contentOf(msg('interactive', { interactive: { type: 'nfm_reply' } }))).toEqual({
    unsupported: 'interactive:nfm_reply',
  });
  expect(
    contentOf(msg('interactive', { interactive: { type: 'button_reply', button_reply: { id: '', title: '' } } })),
  ).toEqual({ unsupported: 'interactive:button_reply' });
  expect(contentOf(msg('interactive'))).toEqual({ unsupported: 'interactive:' });
});

test('template-button.json: a quick reply reads as its payload, the option number', () => {
  expect(contentOf(eventOf('template-button.json').message)).toEqual({
    text: '1',
    value: { id: '1', title: 'می‌آیم' },
  });
});

test('a quick reply without a payload reads as its label; with neither it is unsupported', () => {
  expect(contentOf(msg('button', { button: { text: 'Je viens' } }))).toEqual({
    text: 'Je viens',
    value: { id: '', title: 'Je viens' },
  });
  expect(contentOf(msg('button', { button: {} }))).toEqual({ unsupported: 'button' });
  expect(contentOf(msg('button'))).toEqual({ unsupported: 'button' });
});

test("message_waiting's button shows what waited, and is not a text for the dialogs", () => {
  const content = contentOf(msg('button', { button: { payload: SHOW_WAITING_PAYLOAD, text: 'Lire le message' } }));
  expect(content).toEqual({ showWaiting: true });
  expect(content.text).toBeUndefined();
});

test('voice-note.json: a voice note to keep, with its media id and type', () => {
  expect(contentOf(eventOf('voice-note.json').message)).toEqual({
    media: { id: '2700000000000004', kind: 'audio', mimeType: 'audio/ogg; codecs=opus', voice: true },
  });
});

test('a sound file sent (not recorded) is media but not a voice note', () => {
  expect(contentOf(msg('audio', { audio: { id: 'A1', mime_type: 'audio/mpeg', voice: false } })).media).toEqual({
    id: 'A1',
    kind: 'audio',
    mimeType: 'audio/mpeg',
    voice: false,
  });
});

test('image.json: the photo, with its caption as the text', () => {
  expect(contentOf(eventOf('image.json').message)).toEqual({
    text: 'Фото мого посвідчення для реєстрації',
    media: { id: '1900000000000011', kind: 'image', mimeType: 'image/jpeg' },
  });
});

test('document.json: the PDF with its file name, its caption as the text', () => {
  expect(contentOf(eventOf('document.json').message)).toEqual({
    text: 'Attestation de domicile',
    media: {
      id: '1900000000000012',
      kind: 'document',
      mimeType: 'application/pdf',
      filename: 'attestation-hébergement.pdf',
    },
  });
});

test('a photo without a caption has no text', () => {
  const content = contentOf(msg('image', { image: { id: 'I1', mime_type: 'image/png' } }));
  expect(content).toEqual({ media: { id: 'I1', kind: 'image', mimeType: 'image/png' } });
  expect('text' in content).toBe(false);
});

test('media types whose media is missing are unsupported with their type', () => {
  for (const type of ['audio', 'image', 'document', 'location'])
    expect(contentOf(msg(type))).toEqual({ unsupported: type });
});

test('location.json: the point, with its name and address', () => {
  expect(contentOf(eventOf('location.json').message)).toEqual({
    location: {
      latitude: 45.757814,
      longitude: 4.832011,
      name: 'Place Bellecour',
      address: '2 Place Bellecour, 69002 Lyon',
    },
  });
});

test('sticker.json and other types we do not read are unsupported, with their type', () => {
  expect(contentOf(eventOf('sticker.json').message)).toEqual({ unsupported: 'sticker' });
  for (const type of ['video', 'contacts', 'order', 'system', 'unknown', 'reaction'])
    expect(contentOf(msg(type))).toEqual({ unsupported: type });
});

test('a location attachment: a geo: URI and GeoJSON (longitude first)', () => {
  const { message } = eventOf('location.json');
  expect(locationAttachment(message.location!)).toEqual({
    contentType: 'application/geo+json',
    contentUrl: 'geo:45.757814,4.832011',
    name: 'Place Bellecour',
    content: { type: 'Point', coordinates: [4.832011, 45.757814] },
  });
  expect(locationAttachment({ latitude: 1, longitude: 2, address: 'Rue X' }).name).toBe('Rue X');
  expect(locationAttachment({ latitude: 1, longitude: 2 }).name).toBe('location');
});

test('toActivity: one personal conversation per person, keyed like the sender, with the time Meta gave', () => {
  const event = eventOf('text-fr.json');
  const activity = toActivity(event, contentOf(event.message), []);
  expect(activity).toEqual({
    type: 'message',
    id: 'wamid.HBgLMzM2Mzk5ODAwMDEVAgASGBRQQVNTRVJFTExFVEVYVEZSMDAwMQA=',
    channelId: CHANNEL_ID,
    serviceUrl: 'whatsapp:',
    timestamp: new Date('2026-06-01T08:00:00.000Z'),
    from: { id: '33639980001', name: 'Nadia K.', role: 'user' },
    recipient: { id: '100000000000001', name: 'Passerelle', role: 'bot' },
    conversation: { id: '33639980001', isGroup: false, conversationType: 'personal', name: '' },
    text: event.message.text!.body,
    channelData: { type: 'text' },
  });
});

test('toActivity: the value of a tap, the message it answers, and no text when there is none', () => {
  const reply = eventOf('button-reply.json');
  const activity = toActivity(reply, contentOf(reply.message), []);
  expect(activity.text).toBe('دری');
  expect(activity.value).toEqual({ id: 'lang:prs_AF', title: 'دری' });
  expect(activity.replyToId).toBe('wamid.HBgLMzM2Mzk5ODAwMDMVAgARGBJQQVNTRVJFTExFX0xBTkdfMDAzAA==');

  const voice = eventOf('voice-note.json');
  const attachments = [
    { contentType: 'audio/ogg', contentUrl: 'whatsapp-media:2700000000000004', name: 'voice-note.ogg' },
  ];
  const withMedia = toActivity(voice, contentOf(voice.message), attachments);
  expect(withMedia).not.toHaveProperty('text');
  expect(withMedia).not.toHaveProperty('value');
  expect(withMedia).not.toHaveProperty('replyToId');
  expect(withMedia.attachments).toEqual(attachments);
  expect(withMedia.channelData).toEqual({ type: 'audio' });
});

test('toActivity: a username-only person is keyed by their business-scoped id; no profile name: empty name', () => {
  const event = eventOf('username-only.json');
  const activity = toActivity({ ...event, profileName: undefined }, contentOf(event.message), []);
  expect(activity.from).toEqual({ id: 'FR.4100000000000000017', name: '', role: 'user' });
  expect(activity.conversation?.id).toBe('FR.4100000000000000017');
  expect(activity).not.toHaveProperty('attachments');
});
