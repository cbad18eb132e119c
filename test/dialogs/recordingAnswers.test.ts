// The answers to the questions we send that record something (issue 10, left for issue 11): an
// invitation's "1 I'll come / 2 not this time", the evening reminder, the check-in, an employer's
// attendance. A negation is never the positive option: "I can't come", "je viens pas", "لن آتي"
// do not book, confirm or record "present"; digits, yes/no words and the labels still work.
import type { Activity } from 'botbuilder';
import { createBroadcast } from '../../bot/services/broadcasts';
import { requestShiftAttendance } from '../../bot/services/attendance';
import { zonedTime } from '../../bot/services/time';
import { invitationQuestion, reminderQuestion } from '../../dialogs/answers/readableQuestions';
import { checkInQuestion } from '../../cards/checkIns';
import { recognizeAttendance } from '../../dialogs/recognizers/attendance';
import type { LanguageCode } from '../../bot/i18n/languages';
import { readRecordingAnswer, UNCLEAR } from '../../dialogs/answers/recordingAnswer';
import { warmUpRecognizers } from '../../dialogs/recognizers/choice';
import { useHarness } from '../support/botHarness';
import { jardinsWithAmina } from '../support/employerFixture';

beforeAll(() => warmUpRecognizers());

const TZ = 'Europe/Paris';
const NOW = zonedTime(2030, 3, 4, 10, 0, TZ);
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

type Case = [LanguageCode, string, string | undefined];

describe('the readers', () => {
  const positiveNever: Case[] = [
    ['en', "I can't come", undefined],
    ['en', "I'll come? no", 'no'],
    ['fr', 'je viens pas', UNCLEAR],
    ['fr', 'non je viens pas', 'no'],
    ['fr', 'je ne viens pas', undefined],
    ['fr', 'oui mais non', undefined],
    ['ar', 'لن آتي', undefined],
    ['ar', 'سآتي لا', 'no'],
    ['fa', 'نمی‌آیم', undefined],
    ['fr', 'je sais pas si je viens', UNCLEAR],
  ];
  const stillWork: Case[] = [
    ['fr', '1', 'yes'],
    ['ar', '١', 'yes'],
    ['fa', '۲', 'no'],
    ['fr', 'oui', 'yes'],
    ['fr', 'Je viens', 'yes'],
    ['ar', 'سآتي', 'yes'],
    ['fr', 'pas cette fois', 'no'],
    ['en', 'not this time', 'no'],
    ['fr', 'non', 'no'],
    ['en', '👍', 'yes'],
  ];

  // undefined: not an answer (the message goes on to the menu); UNCLEAR: asked again; never yes.
  test.each([...positiveNever, ...stillWork])('invitation, %s "%s": %s', (locale, text, expected) => {
    const read = readRecordingAnswer(text, invitationQuestion(locale), locale, ['no']);
    expect(read).toBe(expected);
    if (expected !== 'yes') expect(read).not.toBe('yes');
  });

  test.each<Case>([
    ['fr', 'je ne peux pas venir', 'no'],
    ['fr', 'je peux pas venir', undefined],
    ['en', "I can't come", 'no'],
    ['ar', 'لا أستطيع المجيء', 'no'],
    ['fr', 'je serai pas là', undefined],
    ['fr', 'je serai là', 'yes'],
    ['fr', '1', 'yes'],
    ['ar', 'لن آتي', undefined],
  ])('reminder, %s "%s": %s', (locale, text, expected) => {
    expect(readRecordingAnswer(text, reminderQuestion(locale), locale, ['no'])).toBe(expected);
  });

  /** The readers of a check-in's answer and of an employer's answer about attendance. */
  const readers = {
    'check-in': (text: string, locale: LanguageCode) => readRecordingAnswer(text, checkInQuestion(locale), locale),
    attendance: (text: string, locale: LanguageCode) => recognizeAttendance(text, locale),
  };
  test.each<[keyof typeof readers, ...Case]>([
    ['check-in', 'fr', 'pas bien', UNCLEAR],
    ['check-in', 'en', 'not good', UNCLEAR],
    ['check-in', 'fr', 'bien', 'good'],
    ['check-in', 'fr', '3', 'needs_help'],
    ['check-in', 'fr', '😞', 'difficult'],
    ['attendance', 'fr', 'pas en retard', UNCLEAR],
    ['attendance', 'fr', "oui il n'est pas venu", UNCLEAR],
    ['attendance', 'fr', 'oui', 'present'],
    ['attendance', 'fr', 'non', 'absent'],
    ['attendance', 'fr', 'en retard', 'late'],
    ['attendance', 'fr', '3', 'late'],
    ['attendance', 'ar', '٢', 'absent'],
  ])('%s, %s "%s": %s', (reader, locale, text, expected) => {
    expect(readers[reader](text, locale)).toBe(expected);
  });
});

describe('in a conversation', () => {
  const h = useHarness({ now: NOW });
  const texts = (replies: Partial<Activity>[]) => replies.map((r) => r.text ?? '');

  test('an invitation answered "je viens pas": nothing booked, asked again; then "1" books', async () => {
    const me = await h.onboard({ language: 'fr', birthYear: 1990 });
    await h.send('bonjour'); // the chat is where to reach the person
    const staff = await h.db.prisma.staffUser.create({ data: { email: 'cip@example.org', name: 'CIP', role: 'cip' } });
    const workshop = await h.db.prisma.workshop.create({
      data: { code: 'paperwork', title: 'Papiers et démarches', category: 'paperwork' },
    });
    const startsAt = zonedTime(2030, 3, 6, 9, 30, TZ);
    const session = await h.db.prisma.workshopSession.create({
      data: {
        workshopId: workshop.id,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 7200_000),
        place: 'Passerelle, Blois',
        capacity: 5,
        audience: 'over25',
      },
    });
    h.clock.now = minutes(1);
    const created = await createBroadcast(
      h.db,
      { sessionId: session.id, audience: { ids: [me.id] }, idempotencyKey: 'k-1', staffId: staff.id },
      { now: h.clock.now, whatsapp: false },
    );
    expect(created).toMatchObject({ status: 'created', invited: 1 });
    h.adapter.activeQueue.splice(0);
    await h.core.notifier.deliver(me.id);
    const invitation = h.adapter.activeQueue.splice(0);
    expect(invitation.at(-1)!.text).toContain('1. Je viens\n2. Pas cette fois');

    h.clock.now = minutes(2);
    const again = await h.send('je viens pas');
    expect(texts(again)[0]).toBe("Je n'ai pas compris.");
    expect(texts(again)[1]).toContain('1. Je viens\n2. Pas cette fois');
    expect(await h.db.prisma.booking.count()).toBe(0);
    expect(await h.db.prisma.proactiveQuestion.findFirstOrThrow()).toMatchObject({ answeredAt: null });

    h.clock.now = minutes(3);
    const booked = await h.send('1');
    expect(texts(booked)[0]).toContain('Votre place est réservée');
    expect(await h.db.prisma.booking.findFirstOrThrow()).toMatchObject({
      beneficiaryId: me.id,
      sessionId: session.id,
      status: 'booked',
    });
  });

  test('an attendance request answered "pas en retard": nothing recorded, asked again; "1": present', async () => {
    h.identity.phone = '33600000101';
    const db = h.db.prisma;
    const { amina, placement } = await jardinsWithAmina(db, NOW, { stage: 'sas_iae' });
    const shift = await db.shift.create({
      data: {
        placementId: placement.id,
        beneficiaryId: amina.id,
        startsAt: zonedTime(2030, 3, 4, 8, 0, TZ),
        endsAt: zonedTime(2030, 3, 4, 9, 0, TZ),
      },
    });
    await h.send('bonjour');
    h.clock.now = minutes(10);
    await requestShiftAttendance(h.db, h.clock.now, { timeZone: TZ });
    const contact = await db.message.findFirstOrThrow({ where: { kind: 'attendance' } });
    h.adapter.activeQueue.splice(0);
    await h.core.notifier.deliver({ contactId: contact.contactId! });
    expect(h.adapter.activeQueue.splice(0).at(-1)!.text).toContain('1. Oui\n2. Non\n3. En retard');

    h.clock.now = minutes(11);
    const again = await h.send('pas en retard');
    expect(texts(again)[0]).toBe("Je n'ai pas compris.");
    expect(texts(again)[1]).toContain('Amina était là');
    expect(await db.shift.findUniqueOrThrow({ where: { id: shift.id } })).toMatchObject({ attendance: 'unknown' });

    h.clock.now = minutes(12);
    expect(texts(await h.send('1'))[0]).toContain('Amina');
    expect(await db.shift.findUniqueOrThrow({ where: { id: shift.id } })).toMatchObject({ attendance: 'present' });
  });
});
