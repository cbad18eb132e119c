// "Écrire à la personne" through the CIP API, on WhatsApp (a fake Graph API): a ready-made message
// goes in the person's language (inside their 24-hour window as text; outside it they first get
// "a message is waiting", and the message when they write), a free text as it is, both signed with
// the CIP's first name; its state follows Meta's statuses; a CaseEvent and audit rows; the quiet
// hours hold it; refusals (stop, no consent, unreachable, erased, bad values, another CIP's person)
// write nothing.
import { cipMessageLines } from '../../cards/cipMessages';
import { translator } from '../../bot/i18n/translator';
import type { CipMessageContent } from '../../bot/services/cipMessages';
import { signedIn, type StaffClient } from '../support/cipApi';
import { appPerTest, onWhatsApp, textOf, type WhatsAppTestApp } from '../support/whatsappApp';
import { statusWebhook, text } from '../support/whatsappWebhooks';

const HOUR = 3600_000;
const startApp = appPerTest();
let h: WhatsAppTestApp;
let cip: StaffClient;
let otherCip: StaffClient;

async function start(options: Parameters<typeof startApp>[0] = {}) {
  h = await startApp(options);
  cip = await signedIn(h.app, 'cip', 'marie.durand@passerelle.test');
  await h.app.db.prisma.staffUser.update({ where: { id: cip.id }, data: { name: 'Marie Durand' } });
  otherCip = await signedIn(h.app, 'cip');
}

let seq = 0;
/** A person followed by `cip`, on WhatsApp: wrote `wrote` hours ago, or never (a phone number only). */
async function person(
  options: { language?: string; wrote?: number; consent?: boolean; optedOut?: boolean; phone?: boolean } = {},
) {
  const db = h.app.db.prisma;
  const waId = `3362${String(++seq).padStart(7, '0')}`;
  const b = await db.beneficiary.create({
    data: {
      firstName: `W${seq}`,
      phone: options.phone === false ? null : `+${waId}`,
      language: options.language ?? 'fa',
      status: 'active',
      cipId: cip.id,
      consentAt: options.consent === false ? null : new Date(),
      optedOutAt: options.optedOut ? new Date() : null,
    },
  });
  if (options.wrote !== undefined) {
    const at = new Date(Date.now() - options.wrote * HOUR);
    await onWhatsApp(h.app, { beneficiaryId: b.id, waId, language: options.language ?? 'fa' }, at);
  }
  return { id: b.id, waId, from: { waId, name: `W${seq}` } };
}

/** The app as it starts, and a person in it as person() makes them. */
async function startWithPerson(options: Parameters<typeof person>[0]) {
  await start();
  return person(options);
}

const inDays = (n: number) => new Date(Date.now() + n * 24 * HOUR).toISOString().slice(0, 10);
const write = (id: number, body: object, client: StaffClient = cip) =>
  client.call('POST', `/api/cip/beneficiaries/${id}/messages`, body);
const states = async (id: number) =>
  (await cip.call('GET', `/api/cip/beneficiaries/${id}/staff-messages`)).body.items.map(
    (m: { state: string }) => m.state,
  );

test(
  "a ready-made message in the person's language inside the window: sent as text, then delivered and read; a " +
    'CaseEvent and audit rows',
  async () => {
    const p = await startWithPerson({ language: 'fa', wrote: 2 });
    const day = inDays(3);
    const res = await write(p.id, { template: 'comeToOffice', day, time: '14:30' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ template: 'comeToOffice', from: 'Marie', channel: 'whatsapp' });
    expect(res.body.french).toBe(cipMessageLines({ template: 'comeToOffice', day, time: '14:30' }, 'Marie', 'fr')[0]);
    expect(res.body.french).toMatch(/^Venez au bureau le \S+ \d+ \S+ à 14 h 30\.$/);
    await h.settled();
    const [got] = h.graph.sentTo(p.waId);
    const expected = cipMessageLines({ template: 'comeToOffice', day, time: '14:30' }, 'Marie', 'fa');
    expect(textOf(got)).toBe(expected.join('\n'));
    expect(textOf(got)).toContain('به دفتر بیایید');
    expect(textOf(got)).toContain('Marie');
    expect(await states(p.id)).toEqual(['sent']);

    await h.send(statusWebhook([{ wamid: got.wamid, status: 'delivered', to: p.waId }]));
    expect(await states(p.id)).toEqual(['delivered']);
    await h.send(statusWebhook([{ wamid: got.wamid, status: 'read', to: p.waId }]));
    expect(await states(p.id)).toEqual(['read']);

    const db = h.app.db.prisma;
    const events = await db.caseEvent.findMany({ where: { beneficiaryId: p.id, type: 'cip_message' } });
    expect(events.map((e) => [e.actorType, e.actorId, e.payload])).toEqual([
      ['staff', String(cip.id), { messageId: res.body.id, template: 'comeToOffice' }],
    ]);
    expect(
      await db.auditEvent.count({
        where: { staffUserId: cip.id, action: 'create', resource: 'staff_message', beneficiaryId: p.id },
      }),
    ).toBe(1);
    expect(
      await db.auditEvent.count({
        where: { staffUserId: cip.id, action: 'read', resource: 'staff_messages', beneficiaryId: p.id },
      }),
    ).toBe(3);
  },
);

test(
  "a free text goes as it is, signed; the papers are named in the person's language; the preview shows both " +
    'languages',
  async () => {
    const p = await startWithPerson({ language: 'ar', wrote: 1 });
    const preview = await cip.call('POST', `/api/cip/beneficiaries/${p.id}/messages/preview`, {
      template: 'bringPapers',
      papers: ['passport', 'addressProof'],
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ language: 'ar', rtl: true });
    expect(preview.body.french).toBe(
      'Apportez vos papiers : passeport, justificatif de domicile.\n— Marie, Passerelle',
    );
    const ar = translator('ar');
    expect(preview.body.text).toContain(
      `${ar('cipMessages.papers.passport')}، ${ar('cipMessages.papers.addressProof')}`,
    );
    expect(await h.app.db.prisma.message.count({ where: { beneficiaryId: p.id } })).toBe(0); // a preview sends nothing

    const free = 'Bonjour, le rendez-vous de jeudi est déplacé.';
    expect((await write(p.id, { template: 'free', text: `  ${free} ` })).status).toBe(201);
    expect((await write(p.id, { template: 'bringPapers', papers: ['passport', 'addressProof'] })).status).toBe(201);
    await h.settled();
    const sent = h.graph.sentTo(p.waId).map(textOf);
    expect(sent[0]).toBe(`${free}\n${cipMessageLines({ text: free }, 'Marie', 'ar')[1]}`);
    expect(sent[1]).toBe(preview.body.text);
    const list = (await cip.call('GET', `/api/cip/beneficiaries/${p.id}/staff-messages`)).body.items;
    expect(list.map((m: { template: string; french: string }) => [m.template, m.french])).toEqual([
      ['bringPapers', 'Apportez vos papiers : passeport, justificatif de domicile.'],
      ['free', free],
    ]);
  },
);

test('outside the window the person first gets "a message is waiting"; the message goes when they write', async () => {
  const p = await startWithPerson({ language: 'ti', wrote: 30 });
  expect((await write(p.id, { template: 'received' })).status).toBe(201);
  await h.settled();
  const first = h.graph.sentTo(p.waId);
  expect(first.map(textOf)).toEqual(['[template passerelle_message_waiting]']);
  expect(await states(p.id)).toEqual(['waiting_for_person']);
  const got = await h.send(text(p.from, 'ሰላም'), p.waId);
  expect(got.map(textOf)).toContain(cipMessageLines({ template: 'received' }, 'Marie', 'ti').join('\n'));
  expect(await states(p.id)).toEqual(['sent']);
});

test('in the quiet hours the message waits for their end', async () => {
  const night = new Date('2026-03-03T22:30:00Z'); // 23:30 in Paris
  await start({ env: { QUIET_HOURS: '21:00-08:00' }, now: () => night });
  const p = await person({ wrote: 1 });
  const res = await write(p.id, { template: 'willCall', day: inDays(1) });
  expect(res.status).toBe(201);
  expect(res.body.state).toBe('quiet_hours');
  await new Promise((r) => setTimeout(r, 500)); // the sender polls every 100 ms: it had its chances
  expect(h.graph.sentTo(p.waId)).toEqual([]);
  const row = await h.app.db.prisma.message.findUniqueOrThrow({ where: { id: res.body.id } });
  expect(row.nextAttemptAt).toEqual(new Date('2026-03-04T07:00:00Z')); // 08:00 in Paris
});

test(
  'refusals write nothing: stop, no consent by phone only, unreachable, erased (409); bad values (400); ' +
    "another CIP's person (404)",
  async () => {
    await start();
    const db = h.app.db.prisma;
    const cases = {
      optedOut: await person({ wrote: 1, optedOut: true }),
      noConsent: await person({ consent: false }),
      unreachable: await person({ phone: false }),
    };
    for (const [reason, p] of Object.entries(cases)) {
      const res = await write(p.id, { template: 'received' });
      expect([reason, res.status, res.body.error.reason]).toEqual([reason, 409, `message.${reason}`]);
    }
    // In French when asked (the dashboard's language).
    const fr = await fetch(`${h.app.url}/api/cip/beneficiaries/${cases.optedOut.id}/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${cip.token}`, 'Content-Type': 'application/json', 'Accept-Language': 'fr' },
      body: JSON.stringify({ template: 'received' }),
    });
    expect(((await fr.json()) as { error: { message: string } }).error.message).toBe(
      translator('fr')('api.errors.message.optedOut'),
    );
    const erased = await person({ wrote: 1 });
    await db.beneficiary.update({ where: { id: erased.id }, data: { status: 'erased' } });
    expect((await write(erased.id, { template: 'received' })).body.error.reason).toBe('message.erased');

    const ok = await person({ wrote: 1 });
    const bad: [object, string][] = [
      [{ template: 'comeToOffice', day: inDays(2) }, 'time'],
      [{ template: 'comeToOffice', day: '2020-01-01', time: '10:00' }, 'day'],
      [{ template: 'comeToOffice', day: inDays(2), time: '25:00' }, 'time'],
      [{ template: 'bringPapers', papers: [] }, 'papers'],
      [{ template: 'bringPapers', papers: ['diploma'] }, 'papers.0'],
      [{ template: 'callMe', phone: 'call me' }, 'phone'],
      [{ template: 'free', text: '   ' }, 'text'],
      [{ template: 'free', text: 'x'.repeat(1001) }, 'text'],
      [{ template: 'sayHello' }, 'template'],
      [{ template: 'received', extra: 1 }, ''],
    ];
    for (const [body, path] of bad) {
      const res = await write(ok.id, body);
      expect([body, res.status, res.body.error.fields.map((f: { path: string }) => f.path)]).toEqual([
        body,
        400,
        [path],
      ]);
    }
    expect((await write(ok.id, { template: 'received' }, otherCip)).status).toBe(404);
    expect((await otherCip.call('GET', `/api/cip/beneficiaries/${ok.id}/staff-messages`)).status).toBe(404);
    expect(await db.message.count({ where: { kind: 'cip' } })).toBe(0);
    expect(await db.caseEvent.count({ where: { type: 'cip_message' } })).toBe(0);
  },
);

test('the lines of every ready-made message exist in the 8 languages, with the values in them', () => {
  const contents: CipMessageContent[] = [
    { template: 'received' },
    { template: 'comeToOffice', day: '2026-12-10', time: '09:05' },
    {
      template: 'bringPapers',
      papers: ['residencePermit', 'passport', 'vitaleCard', 'bankDetails', 'cv', 'addressProof'],
    },
    { template: 'callMe', phone: '02 54 00 00 00' },
    { template: 'willCall', day: '2026-12-10' },
  ];
  for (const lng of ['fr', 'en', 'ar', 'fa', 'ps', 'ti', 'ru', 'uk'] as const) {
    for (const c of contents) {
      const [line, signature] = cipMessageLines(c, 'Marie', lng);
      expect(line).not.toMatch(/cipMessages\.|\{\{/);
      expect(signature).toContain('Marie');
      if ('phone' in c) expect(line).toContain('02 54 00 00 00');
      if ('day' in c) expect(line).toMatch(/10/); // the 10th, in Latin digits
      if ('time' in c) expect(line).toMatch(/9/);
    }
  }
  expect(cipMessageLines(contents[1], 'Marie', 'fr')[0]).toBe('Venez au bureau le jeudi 10 décembre à 9 h 05.');
  expect(cipMessageLines(contents[1], 'Marie', 'en')[0]).toBe('Come to the office on Thursday 10 December at 9:05.');
});
