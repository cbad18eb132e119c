// "My work" (menu 2): the shifts of the next 7 days, confirm or decline, the reason, a late
// decline flagged for the CIP, and a childcare decline reported as a problem right away; in
// French, Arabic and Dari, by digits of three scripts, number words, labels and yes/no words.
import { useHarness } from '../support/botHarness';
import { FR_SEND_A_NUMBER } from '../support/botTexts';
import { expectAskedAgain, expectSaidThenMenu } from '../support/replies';
import { warmUpRecognizers } from '../../dialogs/recognizers/choice';
import { zonedTime } from '../../bot/services/time';

const TZ = 'Europe/Paris';
/** Monday 3 March 2025, 9:00 in Paris */
const NOW = zonedTime(2025, 3, 3, 9, 0, TZ);
const at = (day: number, hour: number, minute = 0) => zonedTime(2025, 3, day, hour, minute, TZ);

let person: { id: number };

beforeAll(() => warmUpRecognizers()); // their first call costs seconds: not inside a test
const h = useHarness({ now: NOW });

async function placement(kind = 'sas_iae', name = 'Les Jardins du Val de Loire') {
  const structure = await h.db.prisma.structure.create({ data: { name, kind: 'siae', capacity: 2 } });
  return h.db.prisma.placement.create({
    data: {
      beneficiaryId: person.id,
      structureId: structure.id,
      kind,
      startDate: at(1, 0),
      endDate: at(31, 0),
      status: 'active',
    },
  });
}

async function shift(placementId: number, start: Date, hours: number) {
  return h.db.prisma.shift.create({
    data: {
      placementId,
      beneficiaryId: person.id,
      startsAt: start,
      endsAt: new Date(start.getTime() + hours * 3600_000),
    },
  });
}

const events = (type: string) =>
  h.db.prisma.caseEvent.findMany({ where: { beneficiaryId: person.id, type }, orderBy: { id: 'asc' } });

describe('in French', () => {
  beforeEach(async () => {
    person = await h.onboard();
    await h.send('bonjour');
  });

  test('no shift in the next 7 days: says so, then the menu', async () => {
    const p = await placement();
    await shift(p.id, at(11, 9), 4); // in 8 days
    const text = await h.sendText('2');
    expect(text).toContain("Vous n'avez pas de travail prévu dans les 7 prochains jours.");
    expect(text).toContain('Que voulez-vous faire ?\n1. Ateliers');
  });

  test('the shifts listed (day, time, place, answer); confirming writes it and a shift_confirmed event', async () => {
    const p = await placement();
    const tomorrow = await shift(p.id, at(4, 10), 7);
    await shift(p.id, at(3, 14), 4);
    const list = await h.send('2');
    expect(list).toHaveLength(1);
    expect(list[0].text).toBe(
      [
        'Votre travail des 7 prochains jours :',
        '1. lundi 3 mars, 14 h – 18 h, Les Jardins du Val de Loire (à confirmer)',
        '2. mardi 4 mars, 10 h – 17 h, Les Jardins du Val de Loire (à confirmer)',
        ...FR_SEND_A_NUMBER,
      ].join('\n'),
    );
    expect(list[0].speak).toContain(
      'mardi 4 mars, 10 h – 17 h, Les Jardins du Val de Loire (à confirmer). <break time="300ms"/> Dites ou envoyez 2.',
    );
    expect(list[0].inputHint).toBe('expectingInput');

    const question = await h.sendText('deux');
    expect(question).toContain(
      'mardi 4 mars, 10 h – 17 h, Les Jardins du Val de Loire (à confirmer)\n' +
        'Vous venez ?\n1. Oui, je viens\n2. Je ne peux pas',
    );
    expectSaidThenMenu(await h.send('oui'), "Merci ! C'est noté : vous venez.");

    const row = await h.db.prisma.shift.findUniqueOrThrow({ where: { id: tomorrow.id } });
    expect(row).toMatchObject({ confirmation: 'confirmed', declineReason: null, respondedAt: NOW });
    const [event] = await events('shift_confirmed');
    expect(event).toMatchObject({ actorType: 'beneficiary', actorId: String(person.id), attention: false });
    expect(event.payload).toMatchObject({ shiftId: tomorrow.id, structure: 'Les Jardins du Val de Loire' });
    // the list shows the answer next time
    expect(await h.sendText('2')).toContain('2. mardi 4 mars, 10 h – 17 h, Les Jardins du Val de Loire (vous venez)');
  });

  test('a decline more than 24 h before asks the reason and is not an alert', async () => {
    const p = await placement();
    const s = await shift(p.id, at(4, 10), 7); // in 25 h
    await h.send('2');
    await h.send('1');
    const reasons = await h.sendText('non');
    expect(reasons).toContain(
      'Pourquoi vous ne pouvez pas venir ?\n1. Je suis malade\n' +
        "2. Garde d'enfants\n3. Transport\n4. Papiers, rendez-vous\n5. Autre raison",
    );
    expectSaidThenMenu(await h.send('je suis malade'), "C'est noté : vous ne venez pas.");
    await expect(h.db.prisma.shift.findUniqueOrThrow({ where: { id: s.id } })).resolves.toMatchObject({
      confirmation: 'declined',
      declineReason: 'sick',
    });
    const [event] = await events('shift_declined');
    expect(event).toMatchObject({ attention: false });
    expect(event.payload).toMatchObject({ shiftId: s.id, reason: 'sick', late: false });
  });

  test('more than 5 shifts: five a page, then "more"', async () => {
    const p = await placement();
    for (let day = 3; day <= 9; day++) await shift(p.id, at(day, 13), 3); // 7 shifts, Monday to Sunday
    const first = await h.send('2');
    const lines = first[0].text!.split('\n');
    expect(lines.filter((l) => /^\d\. /.test(l))).toHaveLength(6);
    expect(first[0].text).toContain('5. vendredi 7 mars');
    expect(first[0].text).toContain('6. Voir la suite');
    const second = await h.sendText('six');
    expect(second).toContain('1. samedi 8 mars, 13 h – 16 h');
    expect(second).toContain('2. dimanche 9 mars, 13 h – 16 h');
    expect(second).not.toContain('3.');
    expect(await h.sendText('le premier')).toContain(
      'samedi 8 mars, 13 h – 16 h, Les Jardins du Val de Loire (à confirmer)\nVous venez ?',
    );
    await h.send('1');
    const confirmed = await h.db.prisma.shift.findMany({ where: { confirmation: 'confirmed' } });
    expect(confirmed.map((s) => s.startsAt)).toEqual([at(8, 13)]);
  });

  test('a shift that started while the person answered is refused, and nothing is written', async () => {
    const p = await placement();
    const s = await shift(p.id, at(3, 10), 4);
    await h.send('2');
    await h.send('1');
    h.clock.now = at(3, 10, 5);
    const text = await h.sendText('oui');
    expect(text).toContain('Ce travail a déjà commencé.');
    await expect(h.db.prisma.shift.findUniqueOrThrow({ where: { id: s.id } })).resolves.toMatchObject({
      confirmation: 'pending',
      respondedAt: null,
    });
    expect(await h.db.prisma.caseEvent.count({ where: { type: { startsWith: 'shift_' } } })).toBe(0);
  });

  test('three misses: the way out (menu or a message to the CIP)', async () => {
    const p = await placement();
    await shift(p.id, at(4, 10), 7);
    await h.send('2');
    expectAskedAgain(await h.send('peut-être'), '1. mardi 4 mars');
    await h.send('9');
    const third = await h.sendText('bof');
    expect(third).toContain('Je ne comprends pas. Que voulez-vous faire ?\n1. Retour au menu\n2. Mon conseiller');
    expect(await h.sendText('1')).toContain('Que voulez-vous faire ?\n1. Ateliers');
    expect(await h.db.prisma.caseEvent.count({ where: { type: { startsWith: 'shift_' } } })).toBe(0);
  });
});

test('in Arabic: a decline under 24 h before is an alert for the CIP (Arabic-Indic digits, yes/no words)', async () => {
  person = await h.onboard({ language: 'ar' });
  await h.send('مرحبا');
  const p = await placement();
  const s = await shift(p.id, at(3, 14), 4); // in 5 h
  const list = await h.send('٢');
  expect(list[0].text).toContain('عملك في الأيام السبعة القادمة:');
  expect(list[0].speak).toContain('xml:lang="ar-SA"');
  expect(await h.sendText('١')).toContain('هل ستأتي؟');
  expect(await h.sendText('لا')).toContain('لماذا لا تستطيع أن تأتي؟');
  const done = await h.send('٤'); // papers or appointment
  expect(done[0].text).toBe('سجلت أنك لن تأتي.\nالعمل بعد أقل من 24 ساعة. أخبرت مرشدك.');
  expect(done.every((r) => r.locale === 'ar')).toBe(true);
  await expect(h.db.prisma.shift.findUniqueOrThrow({ where: { id: s.id } })).resolves.toMatchObject({
    confirmation: 'declined',
    declineReason: 'papers',
  });
  const [event] = await events('shift_declined');
  expect(event).toMatchObject({ attention: true });
  expect(event.payload).toMatchObject({ reason: 'papers', late: true });
});

test('in Dari: a decline for childcare offers a problem report, which writes a Blocker with its event', async () => {
  person = await h.onboard({ language: 'fa' });
  await h.send('سلام');
  const p = await placement();
  const s = await shift(p.id, at(5, 8), 8);
  const list = await h.sendText('۲');
  expect(list).toContain('کار شما در 7 روز آینده:'); // issue 11: Latin digits in every message
  expect(await h.sendText('یک')).toContain('می‌آیید؟');
  expect(await h.sendText('۲')).toContain('چرا نمی‌توانید بیایید؟');
  const offer = await h.send('دو'); // childcare
  expect(offer[0].text).toBe('نوشتم که نمی‌آیید.');
  expect(offer[1].text).toContain('می‌خواهید مشکل نگهداری اطفال را به مشاور خود بگویید؟\n1. بلی\n2. نه');
  const urgency = await h.sendText('بلی');
  expect(urgency).toContain('مشکل: نگهداری اطفال.\nچه وقت کمک لازم دارید؟\n1. امروز\n2. این هفته\n3. عجله نیست');
  expect(await h.sendText('این هفته')).toContain('مشکل را در چند کلمه بگویید.');
  const saved = await h.send('کودکستان جای خالی ندارد');
  expect(saved[0].text).toMatch(/^تشکر\. مشکل شما را به مشاور شما فرستادم\.\nشماره شما: \u2066B-\d{4}\u2069\.$/);
  expect(saved[1].text).toContain('چه می‌خواهید بکنید؟');

  await expect(h.db.prisma.shift.findUniqueOrThrow({ where: { id: s.id } })).resolves.toMatchObject({
    declineReason: 'childcare',
  });
  const blocker = await h.db.prisma.blocker.findFirstOrThrow({ where: { beneficiaryId: person.id } });
  expect(blocker).toMatchObject({
    category: 'childcare',
    urgency: 'week',
    description: 'کودکستان جای خالی ندارد',
    status: 'open',
  });
  expect(saved[0].text).toContain(blocker.reference);
  const [event] = await events('blocker_reported');
  expect(event).toMatchObject({ attention: false });
  expect(event.payload).toMatchObject({
    blockerId: blocker.id,
    reference: blocker.reference,
    category: 'childcare',
    urgency: 'week',
  });
  expect((await events('shift_declined'))[0].payload).toMatchObject({ reason: 'childcare', late: false });
});

test('in French: declining for transport and saying no to the offer reports nothing', async () => {
  person = await h.onboard();
  await h.send('bonjour');
  const p = await placement();
  await shift(p.id, at(6, 8), 8);
  await h.send('2');
  await h.send('1');
  await h.send('2');
  expect(await h.sendText('transport')).toContain('Voulez-vous signaler un problème de transport à votre conseiller ?');
  expect(await h.sendText('❌')).toContain('Que voulez-vous faire ?');
  expect(await h.db.prisma.blocker.count()).toBe(0);
  expect((await events('shift_declined'))[0].payload).toMatchObject({ reason: 'transport' });
});
