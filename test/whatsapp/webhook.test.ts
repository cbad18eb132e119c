// parseWebhook: a body that is not Meta's envelope is refused with a problem (the server answers
// 400); inside a good envelope, messages and statuses are read from every entry and change, odd
// items are skipped and counted, reactions, other fields and other numbers are ignored and counted.
// Who wrote: the wa_id when there is one, else the business-scoped user id, from the message or
// its contact. What is kept of a message: the fields we use, of the right type, within bounds.
import { parseWebhook, type InboundEvent, type ParsedWebhook } from '../../bot/channels/whatsapp/webhook';
import { fixture, PHONE_NUMBER_ID } from '../support/whatsappWebhooks';

type Json = Record<string, any>;

const load = (name: string): Json => JSON.parse(fixture(name).toString('utf8'));
const parse = (body: unknown, options?: { phoneNumberId?: string }) =>
  parseWebhook(typeof body === 'string' ? body : JSON.stringify(body), options);

function ok(result: ParsedWebhook) {
  if (!result.ok) throw new Error(`refused: ${result.problem}`);
  return result;
}
function problem(result: ParsedWebhook): string {
  if (result.ok) throw new Error('accepted');
  return result.problem;
}

/** An envelope around one change value. */
function envelope(value: Json, field = 'messages'): Json {
  return { object: 'whatsapp_business_account', entry: [{ id: '200000000000001', changes: [{ value, field }] }] };
}
const METADATA = { display_phone_number: '33180000000', phone_number_id: PHONE_NUMBER_ID };
const message = (extra: Json): Json => ({
  id: 'wamid.HBgLMzM2MDAwMDAwOTkVAgASGBRGSVhUVVJFVEVTVDAwMDk5AA==',
  timestamp: '1767603600',
  type: 'text',
  text: { body: 'salut' },
  ...extra,
});
const one = (value: Json): InboundEvent => {
  const r = ok(parse(envelope({ messaging_product: 'whatsapp', metadata: METADATA, ...value })));
  expect(r.messages).toHaveLength(1);
  return r.messages[0];
};

// ---- the envelope ----

test.each([
  ['an empty body', ''],
  ['a truncated body', '{"object":"whatsapp_business_account","entry":['],
  ['text', 'hello'],
  ['a BOM-less UTF-16 body', Buffer.from('{"object":1}', 'utf16le').toString('latin1')],
])('%s is refused as not JSON', (_, body) => {
  expect(problem(parse(body))).toBe('The body is not JSON.');
});

test.each([
  ['null', null],
  ['a number', 42],
  ['a JSON string', JSON.stringify('whatsapp_business_account')],
  ['an array', [{ object: 'whatsapp_business_account', entry: [] }]],
  ['no "object"', { entry: [] }],
  ['another object (a Page)', { object: 'page', entry: [] }],
  ['"object" of another case', { object: 'WHATSAPP_BUSINESS_ACCOUNT', entry: [] }],
  ['"object" not a string', { object: ['whatsapp_business_account'], entry: [] }],
])('%s is refused: not a WhatsApp Business Account webhook', (_, body) => {
  expect(problem(typeof body === 'string' ? parseWebhook(body) : parse(body))).toMatch(
    /"object" must be "whatsapp_business_account"/,
  );
});

test.each([
  ['no entry', { object: 'whatsapp_business_account' }],
  ['entry an object', { object: 'whatsapp_business_account', entry: { id: '1', changes: [] } }],
  ['entry a string', { object: 'whatsapp_business_account', entry: '[]' }],
])('%s is refused: "entry" must be an array', (_, body) => {
  expect(problem(parse(body))).toBe('"entry" must be an array.');
});

test.each([
  ['an entry that is not an object', [null]],
  ['an entry without changes', [{ id: '1' }]],
  ['changes as an object', [{ id: '1', changes: { field: 'messages', value: {} } }]],
  [
    'one good entry and one bad',
    [
      { id: '1', changes: [] },
      { id: '2', changes: 'x' },
    ],
  ],
])('%s is refused', (_, entry) => {
  expect(problem(parse({ object: 'whatsapp_business_account', entry }))).toBe(
    'Every entry must have a "changes" array.',
  );
});

test.each([
  ['a change that is not an object', 'messages'],
  ['a change without field', { value: {} }],
  ['a field that is not a string', { field: 1, value: {} }],
  ['a change without value', { field: 'messages' }],
  ['a value that is an array', { field: 'messages', value: [] }],
  ['a value that is a string', { field: 'messages', value: '{}' }],
])('%s is refused', (_, change) => {
  expect(problem(parse({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [change] }] }))).toBe(
    'Every change must have a "field" and a "value" object.',
  );
});

test.each(['messages', 'statuses', 'contacts', 'errors'])('"%s" that is not an array is refused', (list) => {
  const body = load('text-fr.json');
  body.entry[0].changes[0].value[list] = { 0: {} };
  expect(problem(parse(body))).toBe(`"${list}" must be an array.`);
});

test('messages or statuses without metadata.phone_number_id are refused; an empty value without it is not', () => {
  for (const name of ['text-fr.json', 'status-delivered.json']) {
    const body = load(name);
    delete body.entry[0].changes[0].value.metadata.phone_number_id;
    expect(problem(parse(body))).toBe('"metadata.phone_number_id" is missing.');
    body.entry[0].changes[0].value.metadata = 'x';
    expect(problem(parse(body))).toBe('"metadata.phone_number_id" is missing.');
  }
  expect(ok(parse(envelope({ messaging_product: 'whatsapp' })))).toEqual({
    ok: true,
    messages: [],
    statuses: [],
    skipped: 0,
    ignored: 0,
  });
});

test('an envelope with no entries, or entries with no changes, is accepted and empty', () => {
  const empty = { ok: true, messages: [], statuses: [], skipped: 0, ignored: 0 };
  expect(parse({ object: 'whatsapp_business_account', entry: [] })).toEqual(empty);
  expect(parse({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [] }] })).toEqual(empty);
});

test('a Buffer and a string of the same body read the same', () => {
  const raw = fixture('text-fr.json');
  expect(parseWebhook(raw)).toEqual(parseWebhook(raw.toString('utf8')));
});

// ---- the fixtures with their signatures (SIGNATURES.txt) ----

test('text-fr.json: one message from Nadia, with both ids, her profile name and the text unescaped', () => {
  const r = ok(parseWebhook(fixture('text-fr.json'), { phoneNumberId: PHONE_NUMBER_ID }));
  expect(r).toMatchObject({ statuses: [], skipped: 0, ignored: 0 });
  expect(r.messages).toEqual([
    {
      wamid: 'wamid.HBgLMzM2Mzk5ODAwMDEVAgASGBRQQVNTRVJFTExFVEVYVEZSMDAwMQA=',
      userKey: '33639980001',
      waId: '33639980001',
      bsuid: 'FR.5200000000000000001',
      profileName: 'Nadia K.',
      sentAt: 1780300800 * 1000,
      phoneNumberId: PHONE_NUMBER_ID,
      message: {
        id: 'wamid.HBgLMzM2Mzk5ODAwMDEVAgASGBRQQVNTRVJFTExFVEVYVEZSMDAwMQA=',
        timestamp: '1780300800',
        type: 'text',
        text: {
          body:
            'Bonjour, je suis arrivée à Blois le mois dernier. Je ' +
            "voudrais un atelier pour écrire mon CV, c'est possible ?",
        },
      },
    },
  ]);
});

test('button-reply.json: the reply with its id, its Dari title and the message it answers', () => {
  const [event] = ok(parseWebhook(fixture('button-reply.json'))).messages;
  expect(event.userKey).toBe('33639980003');
  expect(event.profileName).toBe('Hamid');
  expect(event.message.interactive).toEqual({
    type: 'button_reply',
    button_reply: { id: 'lang:prs_AF', title: 'دری' },
    list_reply: undefined,
  });
  expect(event.message.context).toEqual({ id: 'wamid.HBgLMzM2Mzk5ODAwMDMVAgARGBJQQVNTRVJFTExFX0xBTkdfMDAzAA==' });
});

test('voice-note.json: an audio message marked as a voice note, without the fields we do not use', () => {
  const [event] = ok(parseWebhook(fixture('voice-note.json'))).messages;
  expect(event.userKey).toBe('33639980004');
  expect(event.message).toEqual({
    id: 'wamid.HBgLMzM2Mzk5ODAwMDQVAgASGBRQQVNTRVJFTExFVk9JQ0UwMDA0AA==',
    timestamp: '1780301100',
    type: 'audio',
    audio: {
      id: '2700000000000004',
      mime_type: 'audio/ogg; codecs=opus',
      url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=2700000000000004&ext=1780301400&hash=PASSERELLETESTHASH',
      voice: true,
    },
  });
  expect(event.message.audio).not.toHaveProperty('sha256');
});

test('status-delivered.json: one status, no message', () => {
  const r = ok(parseWebhook(fixture('status-delivered.json')));
  expect(r.messages).toEqual([]);
  expect(r.statuses).toEqual([
    {
      wamid: 'wamid.HBgLMzM2Mzk5ODAwMDEVAgARGBJQQVNTRVJFTExFX1JFUExZMDAxAA==',
      status: 'delivered',
      at: new Date(1780300845 * 1000),
      errors: [],
    },
  ]);
  expect(r).toMatchObject({ skipped: 0, ignored: 0 });
});

// ---- our fixtures ----

test('status-read.json and status-failed-131047.json: the status, its time and its error code and title', () => {
  expect(ok(parseWebhook(fixture('status-read.json'))).statuses).toEqual([
    {
      wamid: 'wamid.HBgLMzM2MDAwMDAwMjAVAgARGBJGSVhUVVJFX1JFUExZXzAwMjAA',
      status: 'read',
      at: new Date(1767605900 * 1000),
      errors: [],
    },
  ]);
  expect(ok(parseWebhook(fixture('status-failed-131047.json'))).statuses).toEqual([
    {
      wamid: 'wamid.HBgLMzM2MDAwMDAwMjEVAgARGBJGSVhUVVJFX1JFUExZXzAwMjEA',
      status: 'failed',
      at: new Date(1767606000 * 1000),
      errors: [{ code: 131047, title: 'Re-engagement message' }],
    },
  ]);
});

test('multi-entry.json: the messages and statuses of every entry, in order', () => {
  const r = ok(parseWebhook(fixture('multi-entry.json'), { phoneNumberId: PHONE_NUMBER_ID }));
  expect(r.messages.map((m) => [m.userKey, m.profileName, m.message.text?.body])).toEqual([
    ['33600000022', 'Mariam', '1'],
    ['33600000023', 'Olena', 'Дякую!'],
  ]);
  expect(r.statuses.map((s) => s.status)).toEqual(['delivered', 'sent', 'read']);
  expect(r.statuses[1].wamid).toBe(r.statuses[2].wamid);
  expect(r).toMatchObject({ skipped: 0, ignored: 0 });
});

test('two-messages.json: two people in one change, each with their own contact', () => {
  const r = ok(parseWebhook(fixture('two-messages.json')));
  expect(
    r.messages.map((m) => ({ userKey: m.userKey, bsuid: m.bsuid, name: m.profileName, text: m.message.text?.body })),
  ).toEqual([
    { userKey: '33600000018', bsuid: 'FR.4100000000000000018', name: 'Amina', text: 'مرحبا' },
    { userKey: '33600000019', bsuid: 'FR.4100000000000000019', name: 'Dawit', text: 'ሰላም' },
  ]);
});

test('two people, contacts in the other order: each message still gets its own sender', () => {
  const body = load('two-messages.json');
  body.entry[0].changes[0].value.contacts.reverse();
  expect(ok(parse(body)).messages.map((m) => [m.userKey, m.profileName])).toEqual([
    ['33600000018', 'Amina'],
    ['33600000019', 'Dawit'],
  ]);
});

test('username-only.json: no phone number, so the business-scoped user id is the key', () => {
  const [event] = ok(parseWebhook(fixture('username-only.json'))).messages;
  expect(event).toMatchObject({
    userKey: 'FR.4100000000000000017',
    bsuid: 'FR.4100000000000000017',
    profileName: 'Lina',
  });
  expect(event.waId).toBeUndefined();
  expect(event.message.text?.body).toBe('Salam, je voudrais parler à ma conseillère.');
});

test(
  'group-text.json: a message written in a group is skipped and ' +
    'counted, whatever it says; the same message sent directly is read',
  () => {
    const group = load('group-text.json');
    expect(ok(parseWebhook(JSON.stringify(group)))).toMatchObject({ messages: [], skipped: 1, ignored: 0 });
    expect(
      ok(parse(envelope({ messaging_product: 'whatsapp', metadata: METADATA, messages: [message({ group_id: '' })] }))),
    ).toMatchObject({ messages: [], skipped: 1 });
    delete group.entry[0].changes[0].value.messages[0].group_id;
    expect(ok(parseWebhook(JSON.stringify(group))).messages.map((m) => m.message.text?.body)).toEqual([
      'Salut tout le monde, oui 1',
    ]);
  },
);

test('reaction.json: a reaction is ignored, not skipped', () => {
  expect(parseWebhook(fixture('reaction.json'))).toEqual({
    ok: true,
    messages: [],
    statuses: [],
    skipped: 0,
    ignored: 1,
  });
});

test('sticker.json: a type we do not read is still delivered, with its type', () => {
  const [event] = ok(parseWebhook(fixture('sticker.json'))).messages;
  expect(event.message).toEqual({
    id: 'wamid.HBgLMzM2MDAwMDAwMTUVAgASGBRGSVhUVVJFU1RJQ0tFUjAwMDAxNQA=',
    timestamp: '1767605500',
    type: 'sticker',
  });
});

test('image.json, document.json, location.json, list-reply.json, template-button.json: the fields of each kind', () => {
  expect(ok(parseWebhook(fixture('image.json'))).messages[0].message.image).toEqual({
    id: '1900000000000011',
    mime_type: 'image/jpeg',
    url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1900000000000011&ext=1767605400&hash=FIXTUREHASH',
    caption: 'Фото мого посвідчення для реєстрації',
  });
  expect(ok(parseWebhook(fixture('document.json'))).messages[0].message.document).toMatchObject({
    id: '1900000000000012',
    mime_type: 'application/pdf',
    filename: 'attestation-hébergement.pdf',
    caption: 'Attestation de domicile',
  });
  expect(ok(parseWebhook(fixture('location.json'))).messages[0].message.location).toEqual({
    latitude: 45.757814,
    longitude: 4.832011,
    name: 'Place Bellecour',
    address: '2 Place Bellecour, 69002 Lyon',
  });
  expect(ok(parseWebhook(fixture('list-reply.json'))).messages[0].message.interactive).toEqual({
    type: 'list_reply',
    button_reply: undefined,
    list_reply: { id: '3', title: '3. العربية' },
  });
  expect(ok(parseWebhook(fixture('template-button.json'))).messages[0].message.button).toEqual({
    payload: '1',
    text: 'می‌آیم',
  });
});

// ---- identity ----

test('the wa_id is the key when there is one, even when the message also has a user id', () => {
  const event = one({
    contacts: [{ profile: { name: 'A' }, wa_id: '33600000050', user_id: 'FR.4100000000000000050' }],
    messages: [message({ from: '33600000050', from_user_id: 'FR.4100000000000000050' })],
  });
  expect(event).toMatchObject({ userKey: '33600000050', waId: '33600000050', bsuid: 'FR.4100000000000000050' });
});

test('a message with only from_user_id gets the wa_id of its matching contact', () => {
  const contacts = [
    { profile: { name: 'Other' }, wa_id: '33600000051', user_id: 'FR.4100000000000000051' },
    { profile: { name: 'Hawa' }, wa_id: '33600000052', user_id: 'FR.4100000000000000052' },
  ];
  const event = one({ contacts, messages: [message({ from_user_id: 'FR.4100000000000000052' })] });
  expect(event).toMatchObject({
    userKey: '33600000052',
    waId: '33600000052',
    bsuid: 'FR.4100000000000000052',
    profileName: 'Hawa',
  });
});

test('a message with only from gets the user id of its matching contact', () => {
  const contacts = [
    { profile: { name: 'Hawa' }, wa_id: '33600000052', user_id: 'FR.4100000000000000052' },
    { profile: { name: 'Other' }, wa_id: '33600000051', user_id: 'FR.4100000000000000051' },
  ];
  const event = one({ contacts, messages: [message({ from: '33600000051' })] });
  expect(event).toMatchObject({ userKey: '33600000051', bsuid: 'FR.4100000000000000051', profileName: 'Other' });
});

test('a message without any id of its own takes them from the only contact', () => {
  const event = one({
    contacts: [{ profile: { name: 'Lina' }, user_id: 'FR.4100000000000000017' }],
    messages: [message({})],
  });
  expect(event).toMatchObject({ userKey: 'FR.4100000000000000017', profileName: 'Lina' });
  expect(event.waId).toBeUndefined();
  const withPhone = one({ contacts: [{ profile: { name: 'Ali' }, wa_id: '33600000053' }], messages: [message({})] });
  expect(withPhone).toMatchObject({ userKey: '33600000053', waId: '33600000053', profileName: 'Ali' });
});

test('a parent business-scoped id (CC.ENT.digits) is a valid key', () => {
  const event = one({ messages: [message({ from_user_id: 'FR.ENT.4100000000000000054' })] });
  expect(event.userKey).toBe('FR.ENT.4100000000000000054');
});

test('a contact that contradicts the message is not its sender: no name, no ids from it', () => {
  const event = one({
    contacts: [{ profile: { name: 'Not me' }, wa_id: '33600000060', user_id: 'FR.4100000000000000060' }],
    messages: [message({ from: '33600000061' })],
  });
  expect(event).toMatchObject({ userKey: '33600000061', waId: '33600000061' });
  expect(event.profileName).toBeUndefined();
  expect(event.bsuid).toBeUndefined();
  const byUserId = one({
    contacts: [{ profile: { name: 'Not me' }, user_id: 'FR.4100000000000000060' }],
    messages: [message({ from_user_id: 'FR.4100000000000000061' })],
  });
  expect(byUserId).toMatchObject({ userKey: 'FR.4100000000000000061' });
  expect(byUserId.profileName).toBeUndefined();
});

test('with several contacts and none matching, the message keeps its own id and has no name', () => {
  const contacts = [
    { profile: { name: 'A' }, wa_id: '33600000070' },
    { profile: { name: 'B' }, wa_id: '33600000071' },
  ];
  const event = one({ contacts, messages: [message({ from: '33600000072' })] });
  expect(event.userKey).toBe('33600000072');
  expect(event.profileName).toBeUndefined();
});

test.each([
  ['a phone number with "+"', '+33600000001'],
  ['a phone number with spaces', '33 6 00 00 00 01'],
  ['too few digits', '3360'],
  ['too many digits', '3'.repeat(21)],
  ['a number, not a string', 33600000001],
])('a sender we cannot answer (%s, no contact) is skipped', (_, from) => {
  const r = ok(parse(envelope({ messaging_product: 'whatsapp', metadata: METADATA, messages: [message({ from })] })));
  expect(r).toMatchObject({ messages: [], skipped: 1, ignored: 0 });
});

test('a malformed user id is not a key', () => {
  for (const id of ['fr.4100000000000000001', 'FR-4100000000000000001', 'FR.', 'F.41000', `FR.${'1'.repeat(141)}`]) {
    const r = ok(
      parse(envelope({ messaging_product: 'whatsapp', metadata: METADATA, messages: [message({ from_user_id: id })] })),
    );
    expect(r.skipped).toBe(1);
  }
});

test('the profile name is cut at 200 characters; an empty or non-string name is no name', () => {
  const long = one({
    contacts: [{ profile: { name: 'ن'.repeat(300) }, wa_id: '33600000080' }],
    messages: [message({ from: '33600000080' })],
  });
  expect(long.profileName).toBe('ن'.repeat(200));
  for (const profile of [{ name: '' }, { name: 42 }, 'Amadou', null]) {
    const event = one({ contacts: [{ profile, wa_id: '33600000080' }], messages: [message({ from: '33600000080' })] });
    expect(event.profileName).toBeUndefined();
  }
});

// ---- skipped and ignored ----

test('messages without a usable id, type or timestamp are skipped and counted; the others are read', () => {
  const from = { from: '33600000090' };
  const messages = [
    message({ ...from, id: 'wamid.GOOD1' }),
    message({ ...from, id: undefined }),
    message({ ...from, id: '' }),
    message({ ...from, id: 12345 }),
    message({ ...from, id: `wamid.${'x'.repeat(600)}` }),
    message({ ...from, id: 'wamid.NOTYPE', type: undefined }),
    message({ ...from, id: 'wamid.NOTIME', timestamp: undefined }),
    message({ ...from, id: 'wamid.BADTIME', timestamp: 'yesterday' }),
    message({ ...from, id: 'wamid.NEGTIME', timestamp: -5 }),
    message({ ...from, id: 'wamid.FRACTIME', timestamp: 1767603600.5 }),
    message({ ...from, id: 'wamid.NEGSTRTIME', timestamp: '-1767603600' }),
    'wamid.NOTANOBJECT',
    null,
    [message(from)],
    message({ ...from, id: 'wamid.GOOD2', timestamp: 1767603601 }),
  ];
  const r = ok(parse(envelope({ messaging_product: 'whatsapp', metadata: METADATA, messages })));
  expect(r.messages.map((m) => [m.wamid, m.sentAt])).toEqual([
    ['wamid.GOOD1', 1767603600000],
    ['wamid.GOOD2', 1767603601000],
  ]);
  expect(r.messages[1].message.timestamp).toBe('1767603601');
  expect(r.skipped).toBe(13);
  expect(r.ignored).toBe(0);
});

test('statuses without id, time or a known status are skipped and counted', () => {
  const s = (extra: Json) => ({
    id: 'wamid.OURS',
    status: 'sent',
    timestamp: '1767603600',
    recipient_id: '33600000001',
    ...extra,
  });
  const statuses = [
    s({}),
    s({ status: 'deleted' }),
    s({ status: 'SENT' }),
    s({ id: undefined }),
    s({ timestamp: 'now' }),
    s({ status: undefined }),
    42,
    s({ status: 'failed' }),
  ];
  const r = ok(parse(envelope({ messaging_product: 'whatsapp', metadata: METADATA, statuses })));
  expect(r.statuses.map((x) => x.status)).toEqual(['sent', 'failed']);
  expect(r.skipped).toBe(6);
});

test('status errors: codes that are integers are kept, with their title cut at 200; others dropped', () => {
  const errors = [
    { code: 131047, title: 'T'.repeat(300) },
    { code: '131026', title: 'string code' },
    { code: 1.5 },
    'error',
    null,
    { code: 131000 },
  ];
  const r = ok(
    parse(
      envelope({
        messaging_product: 'whatsapp',
        metadata: METADATA,
        statuses: [{ id: 'wamid.X', status: 'failed', timestamp: '1767603600', errors }],
      }),
    ),
  );
  expect(r.statuses[0].errors).toEqual([{ code: 131047, title: 'T'.repeat(200) }, { code: 131000 }]);
  const notArray = ok(
    parse(
      envelope({
        messaging_product: 'whatsapp',
        metadata: METADATA,
        statuses: [{ id: 'wamid.X', status: 'failed', timestamp: '1767603600', errors: { code: 1 } }],
      }),
    ),
  );
  expect(notArray.statuses[0].errors).toEqual([]);
});

test('changes of another field (account or template updates) are ignored and counted, not read', () => {
  const body = load('text-fr.json');
  body.entry[0].changes.push({
    field: 'message_template_status_update',
    value: { event: 'APPROVED', message_template_id: 1 },
  });
  body.entry[0].changes.push({
    field: 'account_update',
    value: { phone_number: '33180000000', event: 'VERIFIED_ACCOUNT' },
  });
  // A "messages" payload under another field is not read either.
  body.entry[0].changes.push({ field: 'history', value: load('text-fr.json').entry[0].changes[0].value });
  const r = ok(parse(body));
  expect(r.messages).toHaveLength(1);
  expect(r.ignored).toBe(3);
});

test("another number's messages and statuses are ignored and counted; without our number every number is read", () => {
  const body = load('multi-entry.json');
  body.entry[1].changes[0].value.metadata.phone_number_id = '100000000000999';
  const r = ok(parse(body, { phoneNumberId: PHONE_NUMBER_ID }));
  expect(r.messages.map((m) => m.userKey)).toEqual(['33600000022']);
  expect(r.statuses.map((s) => s.status)).toEqual(['delivered']);
  expect(r.ignored).toBe(3); // one message and two statuses of the other number
  const all = ok(parse(body));
  expect(all.messages.map((m) => m.phoneNumberId)).toEqual([PHONE_NUMBER_ID, '100000000000999']);
  expect(all.ignored).toBe(0);
});

// ---- what is kept of a message ----

test('unknown fields are dropped; the fields we use keep only their own parts', () => {
  const event = one({
    messages: [
      message({
        from: '33600000001',
        referral: { source_url: 'https://example.org', headline: 'ad' },
        errors: [{ code: 131051 }],
        text: { body: 'bonjour', extra: 'x' },
        context: { id: 'wamid.CTX', from: '33180000000', forwarded: true },
      }),
    ],
  });
  expect(event.message).toEqual({
    id: expect.any(String),
    timestamp: '1767603600',
    type: 'text',
    text: { body: 'bonjour' },
    context: { id: 'wamid.CTX' },
  });
});

test('texts are cut to their bounds', () => {
  const big = one({ messages: [message({ from: '33600000001', text: { body: 'a'.repeat(20000) } })] });
  expect(big.message.text!.body).toHaveLength(10000);
  const reply = one({
    messages: [
      message({
        from: '33600000001',
        type: 'interactive',
        text: undefined,
        interactive: {
          type: 'list_reply',
          list_reply: { id: '1'.repeat(600), title: 'b'.repeat(300), description: 'd' },
        },
      }),
    ],
  });
  expect(reply.message.interactive!.list_reply).toEqual({ id: '1'.repeat(512), title: 'b'.repeat(200) });
  const caption = one({
    messages: [
      message({
        from: '33600000001',
        type: 'image',
        text: undefined,
        image: { id: 'm'.repeat(300), caption: 'c'.repeat(2000) },
      }),
    ],
  });
  expect(caption.message.image!.id).toHaveLength(128);
  expect(caption.message.image!.caption).toHaveLength(1024);
});

test('fields of the wrong type are dropped, not passed on', () => {
  const m = one({
    messages: [
      message({
        from: '33600000001',
        text: 'hello', // a string, not { body }
        interactive: ['button_reply'],
        button: 'payload',
        image: { id: 123, caption: 'x' },
        audio: { id: 'A1', voice: 'true', mime_type: 7 },
        document: { id: 'D1', filename: ['a.pdf'] },
        location: { latitude: '45.7', longitude: 4.8 },
        context: 'wamid.X',
      }),
    ],
  }).message;
  expect(m.text).toBeUndefined();
  expect(m.interactive).toBeUndefined();
  expect(m.button).toBeUndefined();
  expect(m.image).toBeUndefined();
  expect(m.audio).toEqual({ id: 'A1', mime_type: undefined, url: undefined, voice: false });
  expect(m.document).toEqual({
    id: 'D1',
    mime_type: undefined,
    url: undefined,
    caption: undefined,
    filename: undefined,
  });
  expect(m.location).toBeUndefined();
  expect(m.context).toBeUndefined();
});

test('a text message whose body is not a string keeps an empty body', () => {
  const m = one({ messages: [message({ from: '33600000001', text: { body: { nested: true } } })] }).message;
  expect(m.text).toEqual({ body: '' });
});

test('a numeric timestamp is read as seconds and kept as a string', () => {
  const event = one({ messages: [message({ from: '33600000001', timestamp: 1767603600 })] });
  expect(event.sentAt).toBe(1767603600000);
  expect(event.message.timestamp).toBe('1767603600');
});

test('a timestamp beyond any real date is refused, so that every time read is a valid date', () => {
  for (const timestamp of [1e20, Number.MAX_SAFE_INTEGER, 10 ** 13]) {
    const r = ok(
      parse(
        envelope({
          messaging_product: 'whatsapp',
          metadata: METADATA,
          messages: [message({ from: '33600000001', timestamp })],
          statuses: [{ id: 'wamid.S', status: 'read', timestamp }],
        }),
      ),
    );
    expect(r).toMatchObject({ messages: [], statuses: [], skipped: 2 });
  }
  const latest = ok(
    parse(
      envelope({
        messaging_product: 'whatsapp',
        metadata: METADATA,
        statuses: [{ id: 'wamid.S', status: 'read', timestamp: '999999999999' }],
      }),
    ),
  );
  expect(Number.isNaN(latest.statuses[0].at.getTime())).toBe(false);
});

test('half an emoji (a lone surrogate) never comes out: U+FFFD in its place, so that the database can store it', () => {
  const r = ok(
    parse(
      envelope({
        messaging_product: 'whatsapp',
        metadata: METADATA,
        contacts: [{ profile: { name: `${'n'.repeat(199)}👍` }, wa_id: '33600000001' }], // cut at 200: inside the emoji
        messages: [message({ from: '33600000001', id: 'wamid.A\ud83d', text: { body: `${'a'.repeat(9999)}👍🏽` } })],
        statuses: [
          {
            id: 'wamid.\udc4dS',
            status: 'failed',
            timestamp: '1767603600',
            errors: [{ code: 131047, title: 'Re-engagement \ud800message' }],
          },
        ],
      }),
    ),
  );
  const [m] = r.messages;
  expect(m.profileName).toBe(`${'n'.repeat(199)}\ufffd`);
  expect(m.wamid).toBe('wamid.A\ufffd');
  expect(m.message.id).toBe(m.wamid);
  expect(m.message.text!.body).toBe(`${'a'.repeat(9999)}\ufffd`);
  expect(r.statuses[0].wamid).toBe('wamid.\ufffdS');
  expect(r.statuses[0].errors).toEqual([{ code: 131047, title: 'Re-engagement \ufffdmessage' }]);
  // Whole emoji, Arabic and bidi isolates are left as they are.
  const fine = one({ messages: [message({ from: '33600000001', text: { body: 'رقم \u2066B-4821\u2069 👍🏽 👨‍👩‍👧' } })] });
  expect(fine.message.text!.body).toBe('رقم \u2066B-4821\u2069 👍🏽 👨‍👩‍👧');
});
