// "My agenda" (menu 4): the next 14 days in order, grouped by day, in the person's language and
// Paris time. "Write to my adviser" (menu 5): words or a voice note stored as message_to_cip, and
// when the adviser usually answers (plural forms).
import type { Activity } from 'botbuilder';
import { useHarness } from '../support/botHarness';
import { expectSaidThenMenu } from '../support/replies';
import { warmUpRecognizers } from '../../dialogs/recognizers/choice';
import { zonedTime } from '../../bot/services/time';

const TZ = 'Europe/Paris';
/** Monday 3 March 2025, 9:00 in Paris */
const NOW = zonedTime(2025, 3, 3, 9, 0, TZ);
const at = (day: number, hour: number, minute = 0) => zonedTime(2025, 3, day, hour, minute, TZ);
const hours = (start: Date, n: number) => new Date(start.getTime() + n * 3600_000);

let person: { id: number };

beforeAll(() => warmUpRecognizers()); // their first call costs seconds: not inside a test
const h = useHarness({ now: NOW });

async function send(activity: Partial<Activity>): Promise<Partial<Activity>[]> {
  h.adapter.activeQueue.splice(0);
  await h.adapter.receiveActivity({ type: 'message', text: '', ...activity } as Partial<Activity>);
  return h.adapter.activeQueue.splice(0);
}

/** A week of a person's life: an SIAE shift, workshops (booked, waitlisted, cancelled), an immersion. */
async function busyFortnight() {
  const db = h.db.prisma;
  const siae = await db.structure.create({ data: { name: 'Les Jardins du Val de Loire', kind: 'siae', capacity: 2 } });
  const farm = await db.structure.create({ data: { name: 'Ferme des Quatre Vents', kind: 'company' } });
  const sas = await db.placement.create({
    data: {
      beneficiaryId: person.id,
      structureId: siae.id,
      kind: 'sas_iae',
      startDate: at(1, 0),
      endDate: at(31, 0),
      status: 'active',
    },
  });
  // Thursday 6 to Friday 14 March: a weekend in the middle, and a shift on Wednesday 12
  const immersion = await db.placement.create({
    data: {
      beneficiaryId: person.id,
      structureId: farm.id,
      kind: 'immersion',
      startDate: new Date('2025-03-06T00:00:00Z'),
      endDate: new Date('2025-03-14T00:00:00Z'),
      status: 'planned',
    },
  });
  await db.shift.create({
    data: {
      placementId: sas.id,
      beneficiaryId: person.id,
      startsAt: at(4, 8),
      endsAt: at(4, 12),
      confirmation: 'confirmed',
    },
  });
  await db.shift.create({
    data: { placementId: immersion.id, beneficiaryId: person.id, startsAt: at(12, 9), endsAt: at(12, 17) },
  });
  await db.shift.create({
    data: { placementId: sas.id, beneficiaryId: person.id, startsAt: at(3, 8), endsAt: at(3, 12) },
  }); // started: not shown
  const workshop = await db.workshop.create({
    data: { code: 'agenda_test', category: 'paperwork', title: 'Papiers pour le test' },
  });
  const session = (start: Date) =>
    db.workshopSession.create({
      data: {
        workshopId: workshop.id,
        startsAt: start,
        endsAt: hours(start, 2),
        place: 'Passerelle, Blois',
        capacity: 10,
      },
    });
  const booked = await session(at(5, 9, 30));
  const waitlisted = await session(at(13, 14));
  const cancelled = await session(at(4, 14));
  const tooFar = await session(at(18, 14));
  await db.booking.createMany({
    data: [
      { sessionId: booked.id, beneficiaryId: person.id, status: 'booked' },
      { sessionId: waitlisted.id, beneficiaryId: person.id, status: 'waitlisted', waitlistedAt: NOW },
      { sessionId: cancelled.id, beneficiaryId: person.id, status: 'cancelled' },
      { sessionId: tooFar.id, beneficiaryId: person.id, status: 'booked' },
    ],
  });
}

describe('my agenda', () => {
  test('nothing planned: says so, then the menu', async () => {
    person = await h.onboard();
    await h.send('bonjour');
    expectSaidThenMenu(await h.send('4'), "Vous n'avez rien de prévu dans les 2 prochaines semaines.");
  });

  test("in French: every item in time order, by day; immersion days skip the weekend and a shift's day", async () => {
    person = await h.onboard();
    await busyFortnight();
    await h.send('bonjour');
    const replies = await h.send('mon agenda');
    const immersion = '• Immersion en entreprise : Ferme des Quatre Vents';
    expect(replies[0].text).toBe(
      [
        'Votre agenda des 2 prochaines semaines :',
        'Mardi 4 mars',
        '• 8 h – 12 h : travail, Les Jardins du Val de Loire (vous venez)',
        'Mercredi 5 mars',
        '• 9 h 30 – 11 h 30 : atelier « Papiers pour le test », Passerelle, Blois',
        'Jeudi 6 mars',
        immersion,
        'Vendredi 7 mars',
        immersion,
        'Lundi 10 mars',
        immersion,
        'Mardi 11 mars',
        immersion,
        'Mercredi 12 mars',
        '• 9 h – 17 h : travail, Ferme des Quatre Vents (à confirmer)',
        'Jeudi 13 mars',
        immersion,
        "• 14 h – 16 h : atelier « Papiers pour le test », Passerelle, Blois (liste d'attente)",
        'Vendredi 14 mars',
        immersion,
      ].join('\n'),
    );
    // speech reads the lines without the bullets
    expect(replies[0].speak).toContain('Mardi 4 mars <break time="300ms"/> 8 h – 12 h : travail');
    expect(replies[0].speak).not.toContain('•');
    expect(replies[1].text).toContain('Que voulez-vous faire ?');
  });

  test('in Dari: the same agenda in Dari, with Dari day names (and Latin digits, as every message)', async () => {
    person = await h.onboard({ language: 'fa' });
    await busyFortnight();
    await h.send('سلام');
    const [agenda] = await h.send('۴');
    const lines = agenda.text!.split('\n');
    expect(lines[0]).toBe('برنامه شما در دو هفته آینده:');
    expect(lines[1]).toMatch(/^سه‌شنبه/); // Tuesday
    // issue 11: Latin digits in every message
    expect(lines[2]).toBe('• 8:00 – 12:00: کار، Les Jardins du Val de Loire (می‌آیید)');
    expect(lines).toContain('• دوره در شرکت: Ferme des Quatre Vents');
    expect(lines.filter((l) => l.startsWith('•'))).toHaveLength(10);
    expect(agenda.speak).toContain('xml:lang="fa-AF"');
  });
});

describe('write to my adviser', () => {
  test('in French: the words are stored as message_to_cip, flagged; the answer time, plural', async () => {
    person = await h.onboard();
    await h.send('bonjour');
    const ask = await h.send('5');
    expect(ask[0].text).toBe(
      'Écrivez votre message pour votre conseiller.\nVous pouvez aussi envoyer un message vocal.',
    );
    expect(ask[0].inputHint).toBe('expectingInput');
    expectSaidThenMenu(
      await h.send('Bonjour, je voudrais un rendez-vous pour mon CV.'),
      'Merci. Votre message est envoyé à votre conseiller.\nVotre conseiller répond en général en 2 jours de travail.',
    );
    const events = await h.db.prisma.caseEvent.findMany({
      where: { beneficiaryId: person.id, type: 'message_to_cip' },
    });
    expect(events).toMatchObject([
      {
        actorType: 'beneficiary',
        actorId: String(person.id),
        attention: true,
        payload: { text: 'Bonjour, je voudrais un rendez-vous pour mon CV.' },
      },
    ]);
  });

  test('in Arabic: a voice note is kept as a reference in the payload; "two days" in the dual form', async () => {
    person = await h.onboard({ language: 'ar' });
    await h.send('مرحبا');
    expect(await h.sendText('٥')).toContain('اكتب رسالتك إلى مرشدك.');
    const done = await send({
      attachments: [{ contentType: 'audio/ogg', contentUrl: 'https://media.example.org/v/42.ogg' }],
    });
    expect(done[0].text).toBe('شكرا. أرسلت رسالتك إلى مرشدك.\nيرد مرشدك عادة خلال 2 يومي عمل.');
    const [event] = await h.db.prisma.caseEvent.findMany({
      where: { beneficiaryId: person.id, type: 'message_to_cip' },
    });
    expect(event.payload).toEqual({
      attachments: [{ contentType: 'audio/ogg', url: 'https://media.example.org/v/42.ogg' }],
    });
  });

  test('in Dari: three empty messages lead to the way out, and nothing is stored', async () => {
    person = await h.onboard({ language: 'fa' });
    await h.send('سلام');
    await h.send('پنج');
    const first = await send({});
    expect(first[0].text).toBe('نفهمیدم.');
    expect(first[1].text).toContain('پیام خود را برای مشاور خود بنویسید.');
    await send({ attachments: [{ contentType: 'image/webp' }] }); // a sticker without a link
    const third = await send({});
    expect(third.map((r) => r.text).join('\n')).toContain(
      'نفهمیدم. چه می‌خواهید بکنید؟\n1. برگشت به منو\n2. پیام به مشاور من',
    );
    expect(await h.db.prisma.caseEvent.count({ where: { type: 'message_to_cip' } })).toBe(0);
  });

  test('someone we do not know yet, sent here by the way out, is told to use the menu; nothing is stored', async () => {
    await h.send('bonjour');
    for (const miss of ['xx', 'yy']) await h.send(miss);
    expect(await h.sendText('zz')).toContain('2. Mon conseiller');
    expectSaidThenMenu(await h.send('2'), "Pour écrire à votre conseiller, choisissez d'abord 5 dans le menu.");
    expect(await h.db.prisma.caseEvent.count()).toBe(0);
    expect(await h.db.prisma.beneficiary.count()).toBe(0);
  });
});
