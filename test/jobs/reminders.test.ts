// The evening reminder of tomorrow's workshops and shifts, on WhatsApp with an injected clock:
// who gets it (a booked workshop or a shift not declined tomorrow; not opted out), one message a
// person listing everything, once however often the job runs; "1" confirms; "2" opens the cancel
// or decline flow (asking which one first when there are several); a check-in and a reminder on
// the same evening are both answered; nothing that could only go out tomorrow.
import { translator } from '../../bot/i18n/translator';
import { formatTimeRange } from '../../cards/format';
import { paris, startProactiveApp, TZ, type ProactiveApp, type TestPerson } from '../support/proactiveApp';
import { textOf } from '../support/whatsappApp';
import { text } from '../support/whatsappWebhooks';

let app: ProactiveApp;
afterEach(async () => {
  await app?.close();
});

const HOUR = 3600_000;

async function start(env: Record<string, string> = {}) {
  app = await startProactiveApp(env, paris(3, 18));
  const db = app.h.app.db.prisma;
  const structure = await db.structure.create({
    data: { name: 'Les Jardins', kind: 'siae', capacity: 2, city: 'Blois' },
  });
  const workshop = await db.workshop.findFirstOrThrow({ where: { code: 'paperwork' } });
  /** A session starting at that Paris time, two hours long. */
  const session = async (day: number, hour: number, status = 'scheduled') =>
    db.workshopSession.create({
      data: {
        workshopId: workshop.id,
        startsAt: paris(day, hour),
        endsAt: new Date(paris(day, hour).getTime() + 2 * HOUR),
        place: 'Passerelle, Blois',
        capacity: 10,
        audience: 'over25',
        status,
      },
    });
  const booking = async (p: TestPerson, sessionId: number, status = 'booked') => {
    const b = await db.booking.create({ data: { beneficiaryId: p.id, sessionId, status, source: 'chat' } });
    if (status === 'booked')
      await db.workshopSession.update({ where: { id: sessionId }, data: { bookedCount: { increment: 1 } } });
    return b;
  };
  const shift = async (p: TestPerson, day: number, hour: number, confirmation = 'pending') => {
    const placement = await db.placement.findFirst({ where: { beneficiaryId: p.id } });
    const placementId =
      placement?.id ?? (await app.placement(p, { structureId: structure.id, kind: 'sas_iae', from: 1, to: 31 }));
    return db.shift.create({
      data: {
        placementId,
        beneficiaryId: p.id,
        startsAt: paris(day, hour),
        endsAt: paris(day, hour + 4),
        confirmation,
      },
    });
  };
  return { db, structure, session, booking, shift };
}

test('18:00: one message each, listing tomorrow in their language; nobody else; once, however often run', async () => {
  const { db, session, booking, shift } = await start();
  const tomorrow = await session(4, 14);
  const later = await session(5, 14);
  const both = await app.person('fr', { wrote: true });
  const onlyShift = await app.person('uk', { wrote: true });
  const dayAfter = await app.person('en', { wrote: true });
  const declined = await app.person('ar', { wrote: true });
  const optedOut = await app.person('ru', { wrote: true, optedOut: true });
  const cancelled = await app.person('fa', { wrote: true });
  const neverWrote = await app.person('ps');
  await booking(neverWrote, tomorrow.id);
  await booking(both, tomorrow.id);
  await shift(both, 4, 8);
  await shift(onlyShift, 4, 9);
  await booking(dayAfter, later.id);
  await shift(declined, 4, 8, 'declined');
  await booking(optedOut, tomorrow.id);
  await booking(cancelled, tomorrow.id, 'cancelled');

  expect(await app.run('reminders')).toMatchObject({ day: '2026-03-04', reminded: 3, already: 0 });
  await app.drained();
  const fr = translator('fr');
  expect(textOf(app.h.graph.sentTo(both.waId)[0]).split('\n')).toEqual([
    fr('reminders.intro', { day: 'mercredi 4 mars' }),
    fr('reminders.shift', { structure: 'Les Jardins', time: formatTimeRange(paris(4, 8), paris(4, 12), 'fr', TZ) }),
    fr('reminders.workshop', {
      title: 'Papiers et démarches',
      time: formatTimeRange(paris(4, 14), paris(4, 16), 'fr', TZ),
      place: 'Passerelle, Blois',
    }),
    fr('reminders.question'),
    `1. ${fr('reminders.yes')}`,
    `2. ${fr('reminders.no')}`,
    fr('prompt.hint'),
  ]);
  const uk = translator('uk');
  expect(textOf(app.h.graph.sentTo(onlyShift.waId)[0])).toContain(uk('reminders.intro', { day: 'середа, 4 березня' }));
  for (const p of [dayAfter, declined, optedOut, cancelled]) expect(app.h.graph.sentTo(p.waId)).toEqual([]);
  // Never wrote: the reminder template in Pashto, the workshop's title in Pashto.
  const [template] = app.h.graph.sentTo(neverWrote.waId);
  const t = template.body.template as {
    name: string;
    language: { code: string };
    components: { type: string; parameters: { text: string }[] }[];
  };
  expect([t.name, t.language.code]).toEqual(['passerelle_reminder', 'ps_AF']);
  expect(t.components[0].parameters.map((x) => x.text)).toEqual([
    neverWrote.name,
    translator('ps')('workshops.titles.paperwork'),
    expect.any(String),
    'Passerelle, Blois',
  ]);

  expect(await app.run('reminders')).toMatchObject({ reminded: 0, already: 3 });
  await app.drained();
  expect(app.h.graph.sent).toHaveLength(3);
  expect(await db.message.count({ where: { kind: 'reminder' } })).toBe(3);
});

test(
  '"1" confirms the shift; "2" with two things asks which, then cancels the workshop; "2" with a shift asks ' +
    'why and declines it',
  async () => {
    const { db, session, booking, shift } = await start();
    const tomorrow = await session(4, 14);
    const coming = await app.person('en', { wrote: true });
    const busy = await app.person('fr', { wrote: true });
    const sick = await app.person('ar', { wrote: true });
    const comingShift = await shift(coming, 4, 8);
    const busyShift = await shift(busy, 4, 8);
    const busyBooking = await booking(busy, tomorrow.id);
    const sickShift = await shift(sick, 4, 9);
    await app.run('reminders');
    await app.drained();
    app.clock.now = paris(3, 19);

    expect(await app.say(coming, text(coming, '1'))).toContain(translator('en')('reminders.seeYou'));
    expect(await db.shift.findUniqueOrThrow({ where: { id: comingShift.id } })).toMatchObject({
      confirmation: 'confirmed',
    });
    expect(await db.caseEvent.count({ where: { beneficiaryId: coming.id, type: 'reminder_confirmed' } })).toBe(1);

    const fr = translator('fr');
    const which = await app.say(busy, text(busy, 'je ne peux pas venir'));
    expect(which).toContain(fr('reminders.which'));
    const confirm = await app.say(busy, text(busy, '2'));
    expect(confirm).toContain(fr('workshops.cancel.question'));
    expect(await app.say(busy, text(busy, 'oui'))).toContain(fr('workshops.cancel.done'));
    expect(await db.booking.findUniqueOrThrow({ where: { id: busyBooking.id } })).toMatchObject({
      status: 'cancelled',
    });
    expect(await db.shift.findUniqueOrThrow({ where: { id: busyShift.id } })).toMatchObject({
      confirmation: 'pending',
    });

    const ar = translator('ar');
    expect(await app.say(sick, text(sick, '٢'))).toContain(ar('shifts.reason.question'));
    expect(await app.say(sick, text(sick, '1'))).toContain(ar('shifts.declined'));
    expect(await db.shift.findUniqueOrThrow({ where: { id: sickShift.id } })).toMatchObject({
      confirmation: 'declined',
      declineReason: 'sick',
    });
  },
);

test(
  'a check-in at 17:00 and a reminder at 18:00: the answer goes to the reminder, then the check-in is asked ' +
    'again and answered',
  async () => {
    const { db, structure, shift } = await start();
    app.clock.now = paris(3, 17);
    const p = await app.person('ru', { wrote: true });
    await app.placement(p, { structureId: structure.id, kind: 'immersion', from: 2, to: 6 });
    await shift(p, 4, 9);
    await app.run('checkins');
    await app.drained();
    app.clock.now = paris(3, 18);
    await app.run('reminders');
    await app.drained();
    app.clock.now = paris(3, 18, 30);
    const ru = translator('ru');
    const first = await app.say(p, text(p, '1'));
    expect(first).toContain(ru('reminders.seeYou'));
    expect(first).toContain(ru('checkins.question', { structure: 'Les Jardins' }));
    expect(await app.say(p, text(p, '1'))).toContain(ru('checkins.thanks'));
    expect(await db.checkIn.findFirstOrThrow({ where: { beneficiaryId: p.id } })).toMatchObject({ status: 'good' });
    expect(await db.shift.findFirstOrThrow({ where: { beneficiaryId: p.id } })).toMatchObject({
      confirmation: 'confirmed',
    });
  },
);

test('quiet hours: a reminder that could only go out tomorrow morning is not sent', async () => {
  const { session, booking } = await start({ QUIET_HOURS: '20:00-08:00' });
  const p = await app.person('fr', { wrote: true });
  await booking(p, (await session(4, 14)).id);
  app.clock.now = paris(3, 20, 30);
  expect(await app.run('reminders')).toMatchObject({ reminded: 0, tooLate: 1 });
  app.clock.now = paris(3, 19, 30);
  expect(await app.run('reminders')).toMatchObject({ reminded: 1 });
  await app.drained();
  expect(app.h.graph.sentTo(p.waId)).toHaveLength(1);
});
