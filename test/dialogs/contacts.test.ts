// Employer contacts in a conversation (the dialogs on botbuilder's TestAdapter, a real SQLite
// database, a channel that gives the phone number like WhatsApp): recognised by their number, they
// get their own menu in their language, never onboarding; they report an absence, a problem, or
// confirm tomorrow for the people placed at their structure and nobody else; they answer the
// attendance requests (1/2/3, words, two open ones one after the other); "stop", "start", "help",
// "language"; their messages are recorded as theirs.
import type { Activity } from 'botbuilder';
import { useHarness } from '../support/botHarness';
import { expectSaidThenMenu } from '../support/replies';
import { placeSasIae } from '../support/employerFixture';
import { warmUpRecognizers } from '../../dialogs/recognizers/choice';
import { zonedTime } from '../../bot/services/time';
import { requestShiftAttendance, reportAbsence } from '../../bot/services/attendance';
import { confirmTomorrow, reportEmployerProblem } from '../../bot/services/contacts';

const TZ = 'Europe/Paris';
/** Monday 4 March 2030, 12:30 in Paris */
const NOW = zonedTime(2030, 3, 4, 12, 30, TZ);
const at = (day: number, hour: number, minute = 0) => zonedTime(2030, 3, day, hour, minute, TZ);

beforeAll(() => warmUpRecognizers()); // their first call costs seconds: not inside a test
const h = useHarness({ now: NOW, identity: { phone: '33600000101', noLanguageHint: true } });

interface World {
  a: { id: number };
  b: { id: number };
  sylvie: { id: number };
  karim: { id: number };
  amina: { id: number };
  omid: { id: number };
  lina: { id: number };
  placements: Record<'amina' | 'omid' | 'lina', { id: number }>;
}

/** Two SIAE: Sylvie (fr) at A with Amina and Omid placed; Karim (ar) at B with Lina. */
async function world(): Promise<World> {
  const db = h.db.prisma;
  const a = await db.structure.create({ data: { name: 'Les Jardins', kind: 'siae', capacity: 2 } });
  const b = await db.structure.create({ data: { name: 'La Ressourcerie', kind: 'siae', capacity: 2 } });
  const sylvie = await db.contact.create({
    data: { structureId: a.id, firstName: 'Sylvie', phone: '+33600000101', language: 'fr', role: 'supervisor' },
  });
  const karim = await db.contact.create({
    data: { structureId: b.id, firstName: 'Karim', phone: '+33600000102', language: 'ar', role: 'supervisor' },
  });
  const person = (firstName: string) =>
    db.beneficiary.create({ data: { firstName, status: 'active', consentAt: NOW, stage: 'sas_iae' } });
  const [amina, omid, lina] = [await person('Amina'), await person('Omid'), await person('Lina')];
  const place = (p: { id: number }, s: { id: number }) => placeSasIae(db, p, s);
  const placements = { amina: await place(amina, a), omid: await place(omid, a), lina: await place(lina, b) };
  return { a, b, sylvie, karim, amina, omid, lina, placements };
}

const shift = (placement: { id: number }, person: { id: number }, start: Date, hours: number) =>
  h.db.prisma.shift.create({
    data: {
      placementId: placement.id,
      beneficiaryId: person.id,
      startsAt: start,
      endsAt: new Date(start.getTime() + hours * 3600_000),
    },
  });

/** An event a contact wrote about a person: its person, its actor, whether it is an alert. */
const byContact = (contactId: number, beneficiaryId: number, attention: boolean) => ({
  beneficiaryId,
  actorType: 'contact',
  actorId: String(contactId),
  attention,
});
const events = (type: string) => h.db.prisma.caseEvent.findMany({ where: { type }, orderBy: { id: 'asc' } });

async function sendVoice(contentUrl: string): Promise<Partial<Activity>[]> {
  h.adapter.activeQueue.splice(0);
  await h.adapter.receiveActivity({
    type: 'message',
    text: '',
    attachments: [{ contentType: 'audio/ogg', contentUrl }],
  } as Partial<Activity>);
  return h.adapter.activeQueue.splice(0);
}

/** Runs the attendance job and delivers its requests (on the test channel, where the contact wrote). */
async function requestAttendance(now: Date) {
  h.clock.now = now;
  const run = await requestShiftAttendance(h.db, now, { timeZone: TZ });
  h.adapter.activeQueue.splice(0);
  const contacts = await h.db.prisma.message.findMany({
    where: { kind: 'attendance', status: 'queued' },
    select: { contactId: true },
    distinct: ['contactId'],
  });
  for (const { contactId } of contacts) await h.core.notifier.deliver({ contactId: contactId! });
  return { run, sent: h.adapter.activeQueue.splice(0).map((a) => a.text ?? '') };
}

test(
  'recognised by their number: the contact menu in their language, not ' +
    'onboarding; no case opened; where to reach them kept; their messages are theirs',
  async () => {
    const w = await world();
    const replies = await h.send('bonjour');
    expect(replies.map((r) => r.text)).toEqual([
      'Bonjour Sylvie. Je suis Passerelle.',
      'Que voulez-vous faire ?\n1. Noter une absence\n' +
        '2. Noter un problème\n3. Confirmer demain\nEnvoyez un numéro.',
    ]);
    expect(replies[1].inputHint).toBe('expectingInput');
    expect(await h.db.prisma.beneficiary.count()).toBe(3);
    expect(await h.profile()).toMatchObject({ contactId: w.sylvie.id, language: 'fr' });
    expect(await h.db.prisma.conversationRef.findMany({ where: { contactId: w.sylvie.id } })).toEqual([
      expect.objectContaining({ channel: 'test', beneficiaryId: null }),
    ]);
    const recorded = await h.db.prisma.message.findMany({ orderBy: { id: 'asc' } });
    expect(recorded.map((m) => [m.direction, m.contactId, m.beneficiaryId])).toEqual([
      ['in', w.sylvie.id, null],
      ['out', w.sylvie.id, null],
      ['out', w.sylvie.id, null],
    ]);
  },
);

test('an Arabic-speaking contact gets everything in Arabic; "language" changes their Contact', async () => {
  const w = await world();
  h.identity.phone = '+33600000102';
  const text = await h.sendText('salam');
  expect(text).toContain('مرحبا Karim. أنا باسريل.');
  expect(text).toContain('ماذا تريد أن تفعل؟\n1. الإبلاغ عن غياب');
  expect(await h.sendText('لغة')).toContain('1. Français');
  expect(await h.sendText('٢')).toContain('What do you want to do?\n1. Report an absence');
  expect(await h.db.prisma.contact.findUniqueOrThrow({ where: { id: w.karim.id } })).toMatchObject({ language: 'en' });
  expect(await h.sendText('hello')).toContain('What do you want to do?');
});

test("a contact sees, acts on their structure's people only: the list, numbers out of range, others", async () => {
  const w = await world();
  const omidToday = await shift(w.placements.omid, w.omid, at(4, 8), 4);
  const linaToday = await shift(w.placements.lina, w.lina, at(4, 8), 4);
  await h.send('bonjour');
  const list = await h.sendText('1');
  expect(list).toBe('Pour qui ?\n1. Amina\n2. Omid\nEnvoyez un numéro.\n0 = menu');
  expect(list).not.toContain('Lina');
  expect(await h.sendText('3')).toBe(
    "Je n'ai pas compris.\nPour qui ?\n1. Amina\n2. Omid\nEnvoyez un numéro.\n0 = menu",
  );
  expect(await h.sendText('Lina')).toContain("Je n'ai pas compris.");
  expectSaidThenMenu(await h.send('Omid'), "C'est noté : Omid n'est pas là aujourd'hui.\nSon conseiller est prévenu.");
  expect(await h.db.prisma.shift.findUniqueOrThrow({ where: { id: omidToday.id } })).toMatchObject({
    attendance: 'absent',
    attendanceAt: NOW,
    attendanceContactId: w.sylvie.id,
  });
  expect(await h.db.prisma.shift.findUniqueOrThrow({ where: { id: linaToday.id } })).toMatchObject({
    attendance: 'unknown',
    attendanceContactId: null,
  });
  const [event] = await events('shift_attendance');
  expect(event).toMatchObject(byContact(w.sylvie.id, w.omid.id, true));
  expect(event.payload).toMatchObject({ shiftId: omidToday.id, attendance: 'absent', via: 'menu' });
  expect(await h.db.prisma.caseEvent.count({ where: { beneficiaryId: w.lina.id } })).toBe(0);

  // The services check the structure themselves: another structure's placement is refused, nothing written.
  const sylvie = { id: w.sylvie.id, structureId: w.a.id };
  expect(await reportAbsence(h.db.prisma, sylvie, w.placements.lina.id, NOW, TZ)).toBeUndefined();
  expect(await confirmTomorrow(h.db.prisma, sylvie, w.placements.lina.id, NOW, TZ)).toBeUndefined();
  expect(
    await reportEmployerProblem(h.db.prisma, sylvie, w.placements.lina.id, { text: 'x' }, NOW, TZ),
  ).toBeUndefined();
  expect(await h.db.prisma.caseEvent.count({ where: { beneficiaryId: w.lina.id } })).toBe(0);
  expect(await h.db.prisma.shift.findUniqueOrThrow({ where: { id: linaToday.id } })).toMatchObject({
    attendance: 'unknown',
  });
});

test('more than six people: five a page, then "more"', async () => {
  const w = await world();
  for (const name of ['Bilal', 'Chiara', 'Dawit', 'Elif', 'Farid']) {
    const p = await h.db.prisma.beneficiary.create({ data: { firstName: name, status: 'active', consentAt: NOW } });
    await h.db.prisma.placement.create({
      data: {
        beneficiaryId: p.id,
        structureId: w.a.id,
        kind: 'job',
        startDate: new Date(Date.UTC(2030, 2, 1)),
        endDate: new Date(Date.UTC(2030, 2, 31)),
        status: 'active',
      },
    });
  }
  await h.send('bonjour');
  expect(await h.sendText('1')).toBe(
    'Pour qui ?\n1. Amina\n2. Omid\n3. Bilal\n4. Chiara\n5. Dawit\n6. Voir la suite\nEnvoyez un numéro.\n0 = menu',
  );
  expect(await h.sendText('6')).toBe('Pour qui ?\n1. Elif\n2. Farid\n3. Voir la suite\nEnvoyez un numéro.\n0 = menu');
  expect(await h.sendText('Farid')).toContain("C'est noté : Farid n'est pas là aujourd'hui.");
});

test('an absence with no shift today is an absence_reported alert; a person alone is not asked for', async () => {
  const w = await world();
  await h.db.prisma.placement.update({ where: { id: w.placements.omid.id }, data: { status: 'ended' } });
  await h.send('bonjour');
  const text = await h.sendText('absence');
  expect(text).toBe(
    "C'est noté : Amina n'est pas là aujourd'hui.\nSon conseiller est prévenu.\nQue voulez-vous faire ?\n" +
      '1. Noter une absence\n2. Noter un problème\n3. Confirmer demain\nEnvoyez un numéro.',
  );
  const [event] = await events('absence_reported');
  expect(event).toMatchObject({ beneficiaryId: w.amina.id, actorType: 'contact', attention: true });
  expect(event.payload).toMatchObject({
    placementId: w.placements.amina.id,
    structure: 'Les Jardins',
    day: '2030-03-04',
  });
});

test('a problem in a few words, or a voice note: employer_problem for the CIP', async () => {
  const w = await world();
  await h.send('bonjour');
  await h.send('2');
  expect(await h.sendText('1')).toBe(
    'Quel est le problème avec Amina ? Écrivez quelques mots.\nVous pouvez aussi envoyer un message vocal.',
  );
  expect((await h.send('Elle ne trouve pas ses gants.'))[0].text).toBe('Merci. Son conseiller va lire votre message.');
  await h.send('2');
  await h.send('deux');
  await sendVoice('https://media.example.org/voice/v1.ogg');
  const reported = await events('employer_problem');
  expect(reported.map((e) => [e.beneficiaryId, e.actorType, e.actorId, e.attention])).toEqual([
    [w.amina.id, 'contact', String(w.sylvie.id), true],
    [w.omid.id, 'contact', String(w.sylvie.id), true],
  ]);
  expect(reported[0].payload).toMatchObject({
    placementId: w.placements.amina.id,
    structure: 'Les Jardins',
    text: 'Elle ne trouve pas ses gants.',
  });
  expect(reported[1].payload).toMatchObject({
    attachments: [{ contentType: 'audio/ogg', url: 'https://media.example.org/voice/v1.ogg' }],
  });
});

test("confirm tomorrow: shift_confirmed_by_employer on tomorrow's shift; says so when there is none", async () => {
  const w = await world();
  const tomorrow = await shift(w.placements.amina, w.amina, at(5, 9), 3);
  await shift(w.placements.amina, w.amina, at(6, 9), 3); // the day after: not this one
  await h.send('bonjour');
  await h.send('3');
  expect((await h.send('1'))[0].text).toBe("Merci. C'est noté : Amina travaille demain, 9 h – 12 h.");
  const [event] = await events('shift_confirmed_by_employer');
  expect(event).toMatchObject(byContact(w.sylvie.id, w.amina.id, false));
  expect(event.payload).toMatchObject({ shiftId: tomorrow.id, placementId: w.placements.amina.id });
  await h.send('3');
  expect((await h.send('2'))[0].text).toBe("Omid n'a pas de travail prévu demain.");
  expect(await events('shift_confirmed_by_employer')).toHaveLength(1);
});

test('"stop" and "start" on the Contact; "help" and "menu" work; "delete" says whom to ask', async () => {
  const w = await world();
  await h.send('bonjour');
  expect(await h.sendText('aide')).toContain('Pour répondre, envoyez un numéro.');
  expect(await h.sendText('stop')).toBe(
    "D'accord. Je ne vous envoie plus de messages.\nPour recommencer, écrivez « start ».",
  );
  expect((await h.db.prisma.contact.findUniqueOrThrow({ where: { id: w.sylvie.id } })).optedOutAt).toEqual(NOW);
  expect(await h.sendText('start')).toContain(
    'Très bien. Je peux de nouveau vous envoyer des messages.\nQue voulez-vous faire ?',
  );
  expect((await h.db.prisma.contact.findUniqueOrThrow({ where: { id: w.sylvie.id } })).optedOutAt).toBeNull();
  expect(await h.sendText('supprimer')).toContain("Pour effacer vos informations, parlez à l'équipe de Passerelle.");
  expect(await h.sendText('menu')).toContain('1. Noter une absence');
  expect(await h.db.prisma.beneficiary.count()).toBe(3);
  expect(
    await h.db.prisma.caseEvent.count({ where: { type: { in: ['opted_out', 'erasure_requested', 'consent_given'] } } }),
  ).toBe(0);
});

test(
  'attendance requests: 1, "non", "en retard" on the shifts; two ' +
    'open requests answered one after the other; "no" is an alert',
  async () => {
    const w = await world();
    h.clock.now = at(4, 11, 0);
    await h.send('bonjour');
    const aminaShift = await shift(w.placements.amina, w.amina, at(4, 8), 4);
    const omidShift = await shift(w.placements.omid, w.omid, at(4, 8), 4);
    const { run, sent } = await requestAttendance(at(4, 12, 5));
    expect(run).toEqual({ asked: 2, already: 0, skipped: 0 });
    expect(sent).toEqual([
      "Amina était là aujourd'hui, 8 h – 12 h ?\n1. Oui\n2. Non\n3. En retard\nEnvoyez un numéro.",
      "Omid était là aujourd'hui, 8 h – 12 h ?\n1. Oui\n2. Non\n3. En retard\nEnvoyez un numéro.",
    ]);
    // A second run asks nobody again.
    expect((await requestAttendance(at(4, 12, 10))).run).toEqual({ asked: 0, already: 2, skipped: 0 });

    h.clock.now = at(4, 12, 20);
    // The last one sent is answered first; the other is asked again at once.
    const first = await h.send('non');
    expect(first.map((r) => r.text)).toEqual([
      "Merci. C'est noté : Omid n'était pas là.\nSon conseiller est prévenu.",
      "Amina était là aujourd'hui, 8 h – 12 h ?\n1. Oui\n2. Non\n3. En retard\nEnvoyez un numéro.",
    ]);
    h.clock.now = at(4, 12, 21);
    expectSaidThenMenu(await h.send('en retard'), "Merci. C'est noté : Amina était en retard.");
    expect(await h.db.prisma.shift.findUniqueOrThrow({ where: { id: omidShift.id } })).toMatchObject({
      attendance: 'absent',
      attendanceAt: at(4, 12, 20),
      attendanceContactId: w.sylvie.id,
    });
    expect(await h.db.prisma.shift.findUniqueOrThrow({ where: { id: aminaShift.id } })).toMatchObject({
      attendance: 'late',
      attendanceAt: at(4, 12, 21),
      attendanceContactId: w.sylvie.id,
    });
    const recorded = await events('shift_attendance');
    expect(
      recorded.map((e) => [
        e.beneficiaryId,
        (e.payload as { attendance: string }).attendance,
        e.attention,
        e.actorType,
      ]),
    ).toEqual([
      [w.omid.id, 'absent', true, 'contact'],
      [w.amina.id, 'late', false, 'contact'],
    ]);
    // Answered: a "1" now is the menu's.
    h.clock.now = at(4, 12, 30);
    expect(await h.sendText('1')).toContain('Pour qui ?');
    const questions = await h.db.prisma.proactiveQuestion.findMany({ orderBy: { id: 'asc' } });
    expect(questions.map((q) => [q.refId, q.answer])).toEqual([
      [aminaShift.id, 'late'],
      [omidShift.id, 'absent'],
    ]);
  },
);

test("a request whose shift is no longer at the contact's structure is closed: nothing changes", async () => {
  const w = await world();
  h.clock.now = at(4, 11, 0);
  await h.send('bonjour');
  const aminaShift = await shift(w.placements.amina, w.amina, at(4, 8), 4);
  await h.db.prisma.placement.update({ where: { id: w.placements.omid.id }, data: { status: 'ended' } });
  await requestAttendance(at(4, 12, 5));
  // Sylvie moves to the other structure before she answers.
  await h.db.prisma.contact.update({ where: { id: w.sylvie.id }, data: { structureId: w.b.id } });
  h.clock.now = at(4, 13, 0);
  expectSaidThenMenu(await h.send('1'), 'Cette question est fermée.');
  expect(await h.db.prisma.shift.findUniqueOrThrow({ where: { id: aminaShift.id } })).toMatchObject({
    attendance: 'unknown',
    attendanceContactId: null,
  });
  expect(await events('shift_attendance')).toEqual([]);
  // Now she sees the other structure's people, not her former ones.
  expect(await h.sendText('1')).toContain("C'est noté : Lina n'est pas là aujourd'hui.");
});

test('a beneficiary stays one, and an unknown number gets the usual first contact', async () => {
  await world();
  h.identity.phone = '33700000999';
  expect(await h.sendText('bonjour')).toContain('Choisissez votre langue.');
  expect(await h.db.prisma.conversationRef.count({ where: { contactId: { not: null } } })).toBe(0);
});
