// Words that work at any time: "stop" and "start" (proactive messages off and on), "delete" (a
// request to erase the person's data, for the CIP), "language" (a change goes on the case).
// Replies in the person's language, and the case database's changes and events.
import { warmUpRecognizers } from '../../dialogs/recognizers/choice';
import { createHarness, type Harness } from '../support/botHarness';
import { expectSaidThenMenu } from '../support/replies';
import { createTempSqlite } from '../support/databases';
import { chooseRead } from '../support/onboardingSteps';
import type { TempDatabase } from '../support/postgres';

let tmp: TempDatabase;
let h: Harness;

beforeAll(() => warmUpRecognizers()); // their first call costs seconds: not inside a test
beforeEach(async () => {
  tmp = await createTempSqlite();
  h = await createHarness(tmp.url);
});
afterEach(async () => {
  await h.close();
  await tmp.drop();
});

const events = (type?: string) => h.db.prisma.caseEvent.findMany({ where: { type }, orderBy: { id: 'asc' } });
const person = (id: number) => h.db.prisma.beneficiary.findUniqueOrThrow({ where: { id } });

test('stop and start, in Dari: opted out and back in, with the events, confirmed in Dari', async () => {
  const b = await h.onboard({ language: 'fa' });
  await h.send('سلام');
  // One question first (issue 15: a word may mean "stop" by chance), answered with a Persian digit.
  const asked = await h.send('توقف');
  expect(asked.at(-1)!.text).toContain('آیا می‌خواهید همه پیام‌ها را متوقف کنید؟');
  expect((await person(b.id)).optedOutAt).toBeNull();
  const stop = await h.send('۱');
  expect(stop.map((r) => r.text)).toEqual(['خوب. دیگر برای شما پیام نمی‌فرستم.\nبرای شروع دوباره، «شروع» بنویسید.']);
  expect(stop[0].speak).toContain('xml:lang="fa-AF"');
  expect(stop[0].inputHint).toBe('acceptingInput');
  expect((await person(b.id)).optedOutAt).toEqual(h.clock.now);
  expect(await events('opted_out')).toMatchObject([
    { beneficiaryId: b.id, actorType: 'beneficiary', actorId: String(b.id) },
  ]);

  const start = await h.send('شروع');
  expect(start[0].text).toBe('خوب. دوباره می‌توانم برای شما پیام بفرستم.');
  expect(start[1].text).toContain('چه می‌خواهید بکنید؟'); // and the menu
  expect((await person(b.id)).optedOutAt).toBeNull();
  expect(await events('opted_in')).toMatchObject([{ beneficiaryId: b.id, actorType: 'beneficiary' }]);
});

test('stop in French, in the middle of a task', async () => {
  const b = await h.onboard();
  await h.send('bonjour');
  await h.send('6');
  expect(await h.sendText('STOP')).toContain('Voulez-vous arrêter tous les messages ?');
  expect(await h.sendText('oui')).toBe(
    "D'accord. Je ne vous envoie plus de messages.\nPour recommencer, écrivez « start ».",
  );
  expect((await person(b.id)).optedOutAt).not.toBeNull();
  expect(await h.sendText('start')).toContain('Très bien. Je peux de nouveau vous envoyer des messages.');
  expect((await person(b.id)).optedOutAt).toBeNull();
});

test('"بس" alone asks "do you want to stop all messages?": no unsubscribes nobody, yes does', async () => {
  const b = await h.onboard({ language: 'fa' });
  await h.send('سلام');
  const asked = await h.send('بس');
  expect(asked.at(-1)!.text).toContain('آیا می‌خواهید همه پیام‌ها را متوقف کنید؟');
  // No: it goes on as before (the menu again).
  expect(await h.sendText('نه')).toMatch(/^خوب. من به فرستادن پیام‌ها ادامه می‌دهم.\nچه می‌خواهید بکنید؟/);
  expect((await person(b.id)).optedOutAt).toBeNull();
  expect(await events('opted_out')).toEqual([]);
  // "بس" inside a sentence ("the bus is late") is no keyword at all.
  expect(await h.sendText('بس دیر آمد')).not.toContain('متوقف');
  await h.send('بس');
  await h.send('بلی');
  expect((await person(b.id)).optedOutAt).not.toBeNull();
});

test('stop by a person we do not know, even during onboarding, stores nothing', async () => {
  await h.send('bonjour');
  await h.send('1'); // onboarding: the language list
  await chooseRead(h.send, await h.send('1'), 'fr'); // French, then read: the consent question
  expect(await h.sendText('stop')).toBe("D'accord. Je n'ai rien gardé sur vous.");
  expect(await h.db.prisma.beneficiary.count()).toBe(0);
  expect(await h.db.prisma.caseEvent.count()).toBe(0);
  expect(await h.db.prisma.conversationRef.count()).toBe(0);
  expect((await h.profile())?.beneficiaryId).toBeUndefined();
  // onboarding was left: the next message greets again
  expect(await h.sendText('oui')).toContain('Que voulez-vous faire ?');
});

test('stop by a person we do not know leaves no message of theirs', async () => {
  await h.send('bonjour');
  await h.send('stop');
  expect(await h.db.prisma.message.count()).toBe(0);
});

test('delete, confirmed: an erasure request for the CIP, flagged for their attention', async () => {
  const b = await h.onboard();
  await h.send('bonjour');
  const question = await h.send('supprimer');
  expect(question.map((r) => r.text)).toEqual([
    'Voulez-vous effacer vos informations ?\n1. Oui\n2. Non\nEnvoyez un numéro.',
  ]);
  expect(question[0].inputHint).toBe('expectingInput');
  const done = await h.send('oui');
  expect(done[0].text).toBe("D'accord. Votre conseiller va effacer vos informations.");
  expect(done[1].text).toBe("Nous vous dirons quand c'est fait.");
  expect(done[2].text).toContain('Que voulez-vous faire ?');
  expect(await events('erasure_requested')).toMatchObject([
    { beneficiaryId: b.id, actorType: 'beneficiary', actorId: String(b.id), attention: true },
  ]);
  // nothing is deleted by the bot: the CIP does it
  expect(await person(b.id)).toMatchObject({ firstName: 'Amina' });
});

test('delete in Dari, confirmed with a Persian digit', async () => {
  const b = await h.onboard({ language: 'fa' });
  await h.send('سلام');
  expect(await h.sendText('حذف')).toBe('آیا می‌خواهید معلومات شما پاک شود؟\n1. بلی\n2. نه\nیک شماره بفرستید.');
  expect(await h.sendText('۱')).toContain('خوب. مشاور شما معلومات شما را پاک می‌کند.');
  expect(await events('erasure_requested')).toMatchObject([{ beneficiaryId: b.id, attention: true }]);
});

test('delete, then no: nothing is requested', async () => {
  await h.onboard({ language: 'ar' });
  await h.send('مرحبا');
  expect(await h.sendText('احذف')).toContain('هل تريد حذف معلوماتك؟');
  const no = await h.send('لا');
  expect(no[0].text).toBe('حسنا. لن أغير شيئا.');
  expect(no[1].text).toContain('ماذا تريد أن تفعل؟');
  expect(await events()).toEqual([]);
});

test('delete not understood three times: nothing is requested, the menu comes back', async () => {
  await h.onboard();
  await h.send('bonjour');
  await h.send('delete');
  expect((await h.send('euh')).map((r) => r.text)).toEqual([
    "Je n'ai pas compris.",
    "Voulez-vous effacer vos informations ?\n1. Oui, d'accord\n2. Non\nEnvoyez 1 ou 2.",
  ]);
  await h.send('hmm');
  expectSaidThenMenu(await h.send('bof'), "Je n'ai pas compris.\nJe ne change rien.");
  expect(await events()).toEqual([]);
});

test('delete by a person we do not know: nothing to delete, nothing recorded', async () => {
  await h.send('bonjour');
  const replies = await h.send('supprimer');
  expect(replies[0].text).toBe("D'accord. Je n'ai rien gardé sur vous.");
  expect(await events()).toEqual([]);
});

test('a change of language by a known person goes on the case', async () => {
  const b = await h.onboard();
  await h.send('bonjour');
  expect(await h.sendText('langue')).toContain('Choisissez votre langue.');
  expect(await h.sendText('۴')).toContain('خوب. حالا من دری گپ می‌زنم.');
  expect(await person(b.id)).toMatchObject({ language: 'fa' });
  expect(await events('language_changed')).toMatchObject([
    { beneficiaryId: b.id, actorType: 'beneficiary', payload: { from: 'fr', to: 'fa' } },
  ]);

  // and through the menu, back to French
  await h.send('۶');
  await h.send('1');
  expect(await person(b.id)).toMatchObject({ language: 'fr' });
  expect((await events('language_changed')).map((e) => e.payload)).toEqual([
    { from: 'fr', to: 'fa' },
    { from: 'fa', to: 'fr' },
  ]);
});

test('a change of language by a person we do not know goes nowhere but their profile', async () => {
  await h.send('bonjour');
  await h.send('language');
  await h.send('3');
  expect(await h.profile()).toEqual({ language: 'ar' });
  expect(await events()).toEqual([]);
});
