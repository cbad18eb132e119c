// Employers' attendance requests on WhatsApp (a fake Graph API, signed webhooks) with an injected
// clock: after a shift ends the employer contact is asked in their language (text in the 24-hour
// window, the approved template outside it), once however often the job runs; who is asked (the
// tutor, else a supervisor; nobody who said "stop"); the answers 1/2/3 on the shift, "2" an alert
// the CIP API lists; two requests answered one after the other; the quiet hours; immersions at
// ATTENDANCE_CRON; a contact who writes gets their own menu; and two instances on one PostgreSQL
// database, each request sent once.
import { openDatabase } from '../../bot/db/client';
import { translator } from '../../bot/i18n/translator';
import { requestShiftAttendance } from '../../bot/services/attendance';
import type { LanguageCode } from '../../bot/i18n/languages';
import { zonedTime } from '../../bot/services/time';
import { formatTimeRange } from '../../cards/format';
import { FakeGraphApi } from '../support/fakeGraphApi';
import { postgresKind } from '../support/databases';
import { signedIn } from '../support/cipApi';
import { drainedBy, startWhatsAppApp, textOf, type WhatsAppTestApp } from '../support/whatsappApp';
import { postWebhook, templateButton, text } from '../support/whatsappWebhooks';

const TZ = 'Europe/Paris';
/** Paris time on a day of March 2026 (Monday 2 to Friday 6). */
const paris = (day: number, hour: number, minute = 0) => zonedTime(2026, 3, day, hour, minute, TZ);
const date = (day: number) => new Date(Date.UTC(2026, 2, day));
const HOUR = 3600_000;

const clock = { now: paris(2, 12, 5) };
let h: WhatsAppTestApp;
afterEach(async () => {
  await h?.close();
});

async function start(env: Record<string, string> = {}, now = paris(2, 12, 5)) {
  clock.now = now;
  h = await startWhatsAppApp({
    now: () => clock.now,
    env: { WHATSAPP_MPS: '1000', ...env },
    tuning: { pairIntervalMs: 1 },
  });
}

const structure = (name: string, kind = 'siae') =>
  h.app.db.prisma.structure.create({ data: { name, kind, capacity: kind === 'siae' ? 2 : null, city: 'Blois' } });

let counter = 0;
/** An employer contact; `wrote`: they wrote an hour before the clock (their window is open). */
async function contact(
  structureId: number,
  language: LanguageCode,
  options: { role?: string; wrote?: boolean; optedOut?: boolean; active?: boolean } = {},
) {
  const db = h.app.db.prisma;
  const waId = `3365${String(++counter).padStart(7, '0')}`;
  const c = await db.contact.create({
    data: {
      structureId,
      firstName: `C${counter}`,
      phone: `+${waId}`,
      language,
      role: options.role ?? 'supervisor',
      active: options.active ?? true,
      ...(options.optedOut && { optedOutAt: clock.now }),
    },
  });
  if (options.wrote) {
    const at = new Date(clock.now.getTime() - HOUR);
    await db.conversationRef.create({
      data: {
        channel: 'whatsapp',
        userKey: waId,
        conversationId: waId,
        reference: {},
        contactId: c.id,
        lastInboundAt: at,
      },
    });
    await h.app.core.storage.write({
      [`whatsapp/users/${waId}/`]: {
        profile: { contactId: c.id, language, conversationId: waId, lastTurnAt: at.toISOString() },
        eTag: '*',
      },
    });
  }
  return { id: c.id, waId, language };
}

/** A person placed at a structure (days of March), with a shift on `day` from `hour` for `hours`. */
async function placed(
  structureId: number,
  firstName: string,
  options: {
    kind?: string;
    from?: number;
    to?: number;
    tutorId?: number;
    shift?: [day: number, hour: number, hours: number];
  } = {},
) {
  const db = h.app.db.prisma;
  const b = await db.beneficiary.create({
    data: { firstName, status: 'active', consentAt: clock.now, language: 'fr' },
  });
  const p = await db.placement.create({
    data: {
      beneficiaryId: b.id,
      structureId,
      kind: options.kind ?? 'sas_iae',
      startDate: date(options.from ?? 1),
      endDate: date(options.to ?? 20),
      status: 'active',
      tutorId: options.tutorId,
    },
  });
  const [day, hour, hours] = options.shift ?? [2, 8, 4];
  const start = paris(day, hour);
  const shift = await db.shift.create({
    data: { placementId: p.id, beneficiaryId: b.id, startsAt: start, endsAt: new Date(start.getTime() + hours * HOUR) },
  });
  return { id: b.id, placementId: p.id, shift, firstName };
}

/** Waits until every webhook is handled and the outbox has nothing due by the app's clock. */
const drained = (app = h) => drainedBy(app.app, () => clock.now);

async function say(who: { waId: string }, body: object): Promise<string[]> {
  const before = h.graph.sentTo(who.waId).length;
  const res = await postWebhook(h.app.url, body);
  expect(res.status).toBe(200);
  await drained();
  return h.graph.sentTo(who.waId).slice(before).map(textOf);
}

const run = (job: string, app = h) => app.app.jobs.run(job) as Promise<Record<string, unknown>>;
const range = (s: { startsAt: Date; endsAt: Date }, locale: LanguageCode) =>
  formatTimeRange(s.startsAt, s.endsAt, locale, TZ);
const requestLines = (locale: LanguageCode, name: string, time: string) => {
  const t = translator(locale);
  return [
    t('attendance.request', { name, time }),
    `1. ${t('attendance.present')}`,
    `2. ${t('attendance.absent')}`,
    `3. ${t('attendance.late')}`,
    t('prompt.hint'),
  ].join('\n');
};

test(
  'after a shift ends: the contact is asked in their language (text in the window, the template outside it), ' +
    'once however often the job runs',
  async () => {
    await start();
    const [a, b] = [await structure('Les Jardins'), await structure('La Ressourcerie')];
    const sylvie = await contact(a.id, 'fr', { wrote: true });
    const karim = await contact(b.id, 'ar');
    const amina = await placed(a.id, 'Amina');
    const omid = await placed(b.id, 'Omid');
    // Not asked: not ended yet, an immersion (asked at ATTENDANCE_CRON), attendance already known,
    // ended over a day ago.
    await placed(a.id, 'Later', { shift: [2, 12, 4] });
    await placed(b.id, 'Immersion', { kind: 'immersion' });
    const known = await placed(b.id, 'Known');
    await h.app.db.prisma.shift.update({ where: { id: known.shift.id }, data: { attendance: 'present' } });
    await placed(a.id, 'Old', { shift: [1, 8, 3] });

    expect(await run('attendance-shifts')).toEqual({ asked: 2, already: 0, skipped: 0 });
    await drained();
    const [toSylvie] = h.graph.sentTo(sylvie.waId);
    expect(toSylvie.body.type).toBe('interactive');
    expect(textOf(toSylvie)).toBe(requestLines('fr', 'Amina', range(amina.shift, 'fr')));
    expect(textOf(toSylvie)).toBe(
      "Amina était là aujourd'hui, 8 h – 12 h ?\n1. Oui\n2. Non\n3. En retard\nEnvoyez un numéro.",
    );
    // Karim never wrote: the approved template, in Arabic, filled in Arabic.
    const [toKarim] = h.graph.sentTo(karim.waId);
    expect(toKarim.body.template).toMatchObject({
      name: 'passerelle_attendance_request',
      language: { code: 'ar' },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Omid' },
            { type: 'text', text: range(omid.shift, 'ar') },
          ],
        },
        { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: '1' }] },
        { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: '2' }] },
        { type: 'button', sub_type: 'quick_reply', index: '2', parameters: [{ type: 'payload', payload: '3' }] },
      ],
    });

    // Again (the next run, a restart): nobody is asked twice.
    expect(await run('attendance-shifts')).toEqual({ asked: 0, already: 2, skipped: 0 });
    await drained();
    expect(h.graph.sent).toHaveLength(2);
    const rows = await h.app.db.prisma.message.findMany({ where: { kind: 'attendance' }, orderBy: { id: 'asc' } });
    expect(rows.map((m) => [m.contactId, m.beneficiaryId, m.dedupeKey, m.status])).toEqual([
      [sylvie.id, null, `attendance:${amina.shift.id}`, 'sent'],
      [karim.id, null, `attendance:${omid.shift.id}`, 'sent'],
    ]);
  },
);

test(
  'the answers by chat: "1" (a template button), "٢" and "en retard" go on the shift with shift_attendance; ' +
    '"2" is an alert in GET /api/cip/alerts',
  async () => {
    await start();
    const [a, b, c] = [
      await structure('Les Jardins'),
      await structure('La Ressourcerie'),
      await structure('La Table du Château', 'company'),
    ];
    const sylvie = await contact(a.id, 'fr');
    const karim = await contact(b.id, 'ar', { wrote: true });
    const julien = await contact(c.id, 'fr', { wrote: true });
    const amina = await placed(a.id, 'Amina');
    const omid = await placed(b.id, 'Omid');
    const lina = await placed(c.id, 'Lina', { kind: 'job' });
    await run('attendance-shifts');
    await drained();

    clock.now = paris(2, 12, 30);
    expect((await say(sylvie, templateButton(sylvie, '1', 'Oui'))).join('\n')).toContain(
      "Merci. C'est noté : Amina était là.",
    );
    const ar = translator('ar');
    const toKarim = (await say(karim, text(karim, '٢'))).join('\n');
    expect(toKarim).toContain(ar('attendance.noted.absent', { name: 'Omid' }));
    expect(toKarim).toContain(ar('attendance.alerted'));
    expect((await say(julien, text(julien, 'en retard'))).join('\n')).toContain(
      "Merci. C'est noté : Lina était en retard.",
    );

    const shift = (id: number) => h.app.db.prisma.shift.findUniqueOrThrow({ where: { id } });
    expect(await shift(amina.shift.id)).toMatchObject({
      attendance: 'present',
      attendanceAt: clock.now,
      attendanceContactId: sylvie.id,
    });
    expect(await shift(omid.shift.id)).toMatchObject({ attendance: 'absent', attendanceContactId: karim.id });
    expect(await shift(lina.shift.id)).toMatchObject({ attendance: 'late', attendanceContactId: julien.id });
    const events = await h.app.db.prisma.caseEvent.findMany({
      where: { type: 'shift_attendance' },
      orderBy: { id: 'asc' },
    });
    expect(
      events.map((e) => [
        e.beneficiaryId,
        e.actorType,
        e.actorId,
        (e.payload as { attendance: string }).attendance,
        e.attention,
      ]),
    ).toEqual([
      [amina.id, 'contact', String(sylvie.id), 'present', false],
      [omid.id, 'contact', String(karim.id), 'absent', true],
      [lina.id, 'contact', String(julien.id), 'late', false],
    ]);
    const coordinator = await signedIn(h.app, 'coordinator');
    const alerts = (await coordinator.call('GET', '/api/cip/alerts')).body.items as {
      type: string;
      beneficiaryId: number;
      payload: { shiftId: number };
    }[];
    expect(
      alerts.filter((x) => x.type === 'shift_attendance').map((x) => [x.beneficiaryId, x.payload.shiftId]),
    ).toEqual([[omid.id, omid.shift.id]]);

    // What the contacts wrote is theirs on record, never a beneficiary's.
    const inbound = await h.app.db.prisma.message.findMany({
      where: { direction: 'in', conversationId: { in: [sylvie.waId, karim.waId, julien.waId] } },
    });
    expect(inbound.map((m) => [m.beneficiaryId, m.contactId !== null])).toEqual([
      [null, true],
      [null, true],
      [null, true],
    ]);
    expect(
      await h.app.db.prisma.message.count({
        where: { conversationId: { in: [sylvie.waId, karim.waId, julien.waId] }, beneficiaryId: { not: null } },
      }),
    ).toBe(0);
  },
);

test('two people at one SIAE: the two requests are answered one after the other', async () => {
  await start();
  const a = await structure('Les Jardins');
  const sylvie = await contact(a.id, 'fr', { wrote: true });
  const amina = await placed(a.id, 'Amina');
  const omid = await placed(a.id, 'Omid', { shift: [2, 9, 3] });
  await run('attendance-shifts');
  await drained();
  expect(h.graph.sentTo(sylvie.waId).map(textOf)).toEqual([
    requestLines('fr', 'Amina', '8 h – 12 h'),
    requestLines('fr', 'Omid', '9 h – 12 h'),
  ]);

  clock.now = paris(2, 12, 40);
  expect(await say(sylvie, text(sylvie, 'oui'))).toEqual([
    "Merci. C'est noté : Omid était là.\n\n" + requestLines('fr', 'Amina', '8 h – 12 h'),
  ]);
  clock.now = paris(2, 12, 41);
  const second = (await say(sylvie, text(sylvie, '2'))).join('\n');
  expect(second).toContain("Merci. C'est noté : Amina n'était pas là.\nSon conseiller est prévenu.");
  expect(second).toContain('Que voulez-vous faire ?');
  const shifts = await h.app.db.prisma.shift.findMany({
    where: { id: { in: [amina.shift.id, omid.shift.id] } },
    orderBy: { id: 'asc' },
  });
  expect(shifts.map((s) => s.attendance)).toEqual(['absent', 'present']);
});

test(
  'who is asked: the tutor, else a supervisor first; nobody who said "stop", nor an inactive contact; a ' +
    'structure without a contact: nobody',
  async () => {
    await start();
    const company = await structure('La Table du Château', 'company');
    const siae = await structure('Les Jardins');
    const alone = await structure('Ferme des Quatre Vents', 'company');
    const stopped = await structure('Net Insertion');
    const other = await contact(siae.id, 'fr', { role: 'other', wrote: true });
    const supervisor = await contact(siae.id, 'ru', { wrote: true });
    const boss = await contact(company.id, 'fr', { wrote: true });
    const tutor = await contact(company.id, 'uk', { role: 'tutor', wrote: true });
    const inactive = await contact(alone.id, 'fr', { active: false, wrote: true });
    const optedOut = await contact(stopped.id, 'fr', { wrote: true, optedOut: true });
    const lina = await placed(company.id, 'Lina', { kind: 'job', tutorId: tutor.id });
    const amina = await placed(siae.id, 'Amina');
    await placed(alone.id, 'Omid', { kind: 'job' });
    await placed(stopped.id, 'Nour');

    expect(await run('attendance-shifts')).toEqual({ asked: 2, already: 0, skipped: 2 });
    await drained();
    expect(h.graph.sentTo(tutor.waId).map(textOf)).toEqual([requestLines('uk', 'Lina', range(lina.shift, 'uk'))]);
    expect(h.graph.sentTo(supervisor.waId).map(textOf)).toEqual([
      requestLines('ru', 'Amina', range(amina.shift, 'ru')),
    ]);
    for (const c of [other, boss, inactive, optedOut]) expect(h.graph.sentTo(c.waId)).toEqual([]);
    expect(
      await h.app.db.prisma.message.count({
        where: { kind: 'attendance', contactId: { in: [other.id, boss.id, inactive.id, optedOut.id] } },
      }),
    ).toBe(0);
  },
);

test('a request queued at night for a contact who then said "stop" does not go at 8; "start" brings it', async () => {
  await start({ QUIET_HOURS: '21:00-08:00' }, paris(2, 21, 35));
  const a = await structure('Les Jardins');
  const sylvie = await contact(a.id, 'fr', { wrote: true });
  await placed(a.id, 'Amina', { shift: [2, 17, 4.5] });
  expect(await run('attendance-shifts')).toMatchObject({ asked: 1 });
  // "stop" at 22:00 (as the contact dialog records it; what the chat says is tested above and in test/dialogs).
  clock.now = paris(2, 22, 0);
  await h.app.db.prisma.contact.update({ where: { id: sylvie.id }, data: { optedOutAt: clock.now } });
  clock.now = paris(3, 8, 0);
  await new Promise((r) => setTimeout(r, 300));
  await drained();
  const request = await h.app.db.prisma.message.findFirstOrThrow({ where: { kind: 'attendance' } });
  expect(request).toMatchObject({ status: 'queued', nextAttemptAt: null, sentAt: null });
  expect(h.graph.sentTo(sylvie.waId)).toHaveLength(0);
  clock.now = paris(3, 8, 5);

  const back = (await say(sylvie, text(sylvie, 'start'))).join('\n');
  expect(back).toContain('Très bien. Je peux de nouveau vous envoyer des messages.');
  await drained();
  // (Released by her message, the oldest of her messages goes first.)
  expect(h.graph.sentTo(sylvie.waId).map(textOf)).toContain(
    'Amina était là lundi 2 mars, 17 h – 21 h 30 ?\n1. Oui\n2. Non\n3. En retard\nEnvoyez un numéro.',
  );
  expect(await h.app.db.prisma.message.findFirstOrThrow({ where: { kind: 'attendance' } })).toMatchObject({
    status: 'sent',
  });
});

test('quiet hours: a shift that ends at 21:30 is asked at 08:00 the next morning', async () => {
  await start({ QUIET_HOURS: '21:00-08:00' }, paris(2, 21, 35));
  const a = await structure('Les Jardins');
  const b = await structure('La Ressourcerie');
  const sylvie = await contact(a.id, 'fr', { wrote: true });
  const karim = await contact(b.id, 'fr');
  await placed(a.id, 'Amina', { shift: [2, 17, 4.5] });
  await placed(b.id, 'Omid', { shift: [2, 17, 4.5] });
  expect(await run('attendance-shifts')).toMatchObject({ asked: 2 });
  const rows = await h.app.db.prisma.message.findMany({ where: { kind: 'attendance' } });
  expect(rows.map((m) => m.nextAttemptAt)).toEqual([paris(3, 8), paris(3, 8)]);
  await drained();
  await new Promise((r) => setTimeout(r, 300));
  clock.now = paris(3, 7, 59);
  await run('notifications-sweep');
  await new Promise((r) => setTimeout(r, 300));
  expect(h.graph.sent).toEqual([]);

  clock.now = paris(3, 8, 0);
  await run('notifications-sweep'); // Karim never wrote: reached by his number
  await drained();
  // Asked the next day: the text names the day of the shift.
  expect(h.graph.sentTo(sylvie.waId).map(textOf)).toEqual([
    'Amina était là lundi 2 mars, 17 h – 21 h 30 ?\n1. Oui\n2. Non\n3. En retard\nEnvoyez un numéro.',
  ]);
  expect(h.graph.sentTo(karim.waId).map((m) => (m.body.template as { name: string }).name)).toEqual([
    'passerelle_attendance_request',
  ]);
});

test(
  "immersions: at ATTENDANCE_CRON the day's immersion shifts are asked once; an immersion day without a shift " +
    'asks nothing',
  async () => {
    await start({}, paris(3, 17, 30));
    const company = await structure('Ferme des Quatre Vents', 'company');
    const tutor = await contact(company.id, 'en', { role: 'tutor', wrote: true });
    // Two immersions from Monday 2 to Friday 6 with the tutor: Lina's shift is today, Omid's was yesterday.
    const immersion = { kind: 'immersion', from: 2, to: 6, tutorId: tutor.id };
    const lina = await placed(company.id, 'Lina', { ...immersion, shift: [3, 9, 8] });
    const noShiftToday = await placed(company.id, 'Omid', { ...immersion, shift: [2, 9, 8] });
    await h.app.db.prisma.shift.update({ where: { id: noShiftToday.shift.id }, data: { attendance: 'present' } });
    expect(h.app.jobs.names()).toEqual(expect.arrayContaining(['attendance-shifts', 'attendance-immersions']));

    // The 5-minute job leaves immersions to the daily one.
    expect(await run('attendance-shifts')).toEqual({ asked: 0, already: 0, skipped: 0 });
    expect(await run('attendance-immersions')).toEqual({ asked: 1, already: 0, skipped: 0 });
    await drained();
    expect(h.graph.sentTo(tutor.waId).map(textOf)).toEqual([requestLines('en', 'Lina', range(lina.shift, 'en'))]);
    expect(await run('attendance-immersions')).toEqual({ asked: 0, already: 1, skipped: 0 });
    clock.now = paris(3, 18, 0);
    expect((await say(tutor, text(tutor, 'yes'))).join('\n')).toContain('Thank you. Noted: Lina was there.');
    expect(await h.app.db.prisma.shift.findUniqueOrThrow({ where: { id: lina.shift.id } })).toMatchObject({
      attendance: 'present',
      attendanceContactId: tutor.id,
    });
    expect(h.graph.sent).toHaveLength(2);
  },
);

test(
  'a contact who writes is recognised by their number: their menu in their language, not the languages nor ' +
    'onboarding; no case opened',
  async () => {
    await start();
    const a = await structure('Les Jardins');
    const olena = await contact(a.id, 'uk');
    await placed(a.id, 'Amina');
    await placed(a.id, 'Omid');
    const uk = translator('uk');
    const reply = (await say(olena, text(olena, 'Привіт'))).join('\n');
    expect(reply).toContain(uk('contacts.hello', { name: `C${counter}` }));
    expect(reply).toContain(
      [
        uk('contacts.menu.question'),
        `1. ${uk('contacts.menu.absence')}`,
        `2. ${uk('contacts.menu.problem')}`,
        `3. ${uk('contacts.menu.confirm')}`,
      ].join('\n'),
    );
    expect(reply).not.toContain(translator('fr')('language.question'));
    expect(reply).not.toContain(uk('onboarding.consent.question'));
    expect((await say(olena, text(olena, '1'))).join('\n')).toContain(
      `${uk('contacts.person.question')}\n1. Amina\n2. Omid`,
    );
    expect(await h.app.db.prisma.beneficiary.count({ where: { phone: `+${olena.waId}` } })).toBe(0);
    expect(
      await h.app.db.prisma.conversationRef.findUniqueOrThrow({
        where: { channel_userKey: { channel: 'whatsapp', userKey: olena.waId } },
      }),
    ).toMatchObject({ contactId: olena.id, beneficiaryId: null });
    const out = await h.app.db.prisma.message.findMany({ where: { conversationId: olena.waId } });
    expect(out.every((m) => m.contactId === olena.id && m.beneficiaryId === null)).toBe(true);
  },
);

const pg = process.env.PASSERELLE_TEST_PG === '1' ? describe : describe.skip;

pg('two instances on one PostgreSQL database', () => {
  test('both run the jobs at the same moment: each request is queued and sent once', async () => {
    const graph = await FakeGraphApi.start();
    clock.now = paris(2, 12, 5);
    const options = { now: () => clock.now, env: { WHATSAPP_MPS: '1000' }, tuning: { pairIntervalMs: 1 }, graph };
    const first = await startWhatsAppApp({ ...options, kind: postgresKind });
    const second = await startWhatsAppApp({ ...options, reuse: first.db });
    h = first;
    try {
      const people: { waId: string }[] = [];
      for (let i = 0; i < 6; i++) {
        const s = await structure(`SIAE ${i}`);
        people.push(await contact(s.id, 'fr', { wrote: i % 2 === 0 }));
        await placed(s.id, `P${i}`);
        await placed(s.id, `Q${i}`, { shift: [2, 9, 3] });
      }
      // Both instances' jobs and a third runner (another connection) at the same moment.
      const third = await openDatabase(first.db.url);
      const results = await Promise.all([
        run('attendance-shifts', first),
        run('attendance-shifts', second),
        requestShiftAttendance(third, clock.now, { timeZone: TZ }),
      ]).finally(() => third.close());
      expect(results.reduce((n, r) => n + (r.asked as number), 0)).toBe(12);
      expect(results.reduce((n, r) => n + (r.already as number), 0)).toBe(24);
      first.app.whatsapp!.sender.wake();
      second.app.whatsapp!.sender.wake();
      await Promise.all([drained(first), drained(second)]);
      expect(graph.sent).toHaveLength(12);
      for (const p of people) expect(graph.sentTo(p.waId)).toHaveLength(2);
      expect(await first.app.db.prisma.message.count({ where: { kind: 'attendance' } })).toBe(12);
      expect(await first.app.db.prisma.proactiveQuestion.count({ where: { kind: 'attendance' } })).toBe(12);
    } finally {
      await second.app.stop();
      await first.close();
      h = undefined as unknown as WhatsAppTestApp;
      await graph.close();
    }
  });
});
