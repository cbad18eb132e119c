// The first conversation: greeting, numbered menu, "coming soon" entries, the language switch
// (by number in three digit scripts, by name, by keyword), help and menu keywords.
import { translator } from '../../bot/i18n/translator';
import { createHarness, type Harness } from '../support/botHarness';
import { createTempSqlite } from '../support/databases';
import type { TempDatabase } from '../support/postgres';
import { FR_MENU, LANGUAGE_MENU } from '../support/botTexts';
import { expectAskedAgain } from '../support/replies';
import { restartedBot } from '../support/restartedBot';

let tmp: TempDatabase;
let h: Harness;

beforeEach(async () => {
  tmp = await createTempSqlite();
  h = await createHarness(tmp.url);
  await h.onboard();
});
afterEach(async () => {
  await h.close();
  await tmp.drop();
});

const AR_MENU_QUESTION = 'ماذا تريد أن تفعل؟';

test('a new person is greeted in French with the numbered menu, with speak and input hints', async () => {
  const replies = await h.send('bonjour');
  expect(replies).toHaveLength(2);
  expect(replies[0].text).toMatch(/^Bonjour ! Je suis Passerelle/);
  const menu = replies[1];
  for (const line of FR_MENU) expect(menu.text).toContain(line);
  expect(menu.inputHint).toBe('expectingInput');
  expect(menu.speak).toContain('xml:lang="fr-FR"');
  // Each option said with its number, as a menu by telephone does.
  expect(menu.speak).toContain('Ateliers. <break time="300ms"/> Dites ou envoyez 1.');
  // buttons mirror the numbers, they do not replace them
  expect(menu.suggestedActions?.actions.map((a) => a.value)).toEqual(['1', '2', '3', '4', '5', '6']);
  expect(replies[0].inputHint).toBe('acceptingInput');
  expect(replies.every((r) => r.locale === 'fr')).toBe(true);
});

test('entries 1 to 5 open their task; 0 comes back to the menu', async () => {
  await h.send('salut');
  const t = translator('fr');
  const opens = {
    '1': 'workshops.menu.question',
    '2': 'shifts.none',
    '3': 'problem.start.question',
    '4': 'agenda.none',
    '5': 'cip.ask',
  } as const;
  for (const [n, key] of Object.entries(opens)) {
    expect(await h.sendText(n)).toContain(t(key));
    expect(await h.sendText('0')).toContain('6. Langue');
  }
});

test.each([
  ['Arabic-Indic digit', '٣'],
  ['Persian digit', '۳'],
  ['Latin digit', '3'],
  ['native name', 'العربية'],
  ['French name', 'arabe'],
])('6 then Arabic by %s switches everything to Arabic', async (_how, answer) => {
  await h.send('bonjour');
  const languageMenu = await h.sendText('6');
  expect(languageMenu).toContain('Choisissez votre langue.');
  for (const line of LANGUAGE_MENU) expect(languageMenu).toContain(line);
  const replies = await h.send(answer);
  expect(replies[0].text).toBe('حسنا. الآن أتكلم العربية.');
  expect(replies[1].text).toContain(AR_MENU_QUESTION);
  expect(replies[1].text).toContain('1. الورشات');
  expect(replies[1].speak).toContain('xml:lang="ar-SA"');
  expect(replies.every((r) => r.locale === 'ar')).toBe(true);
  // and it sticks for the next turns
  expect(await h.sendText('1')).toContain(translator('ar')('workshops.menu.question'));
});

test('the language keyword works at any time, in any language', async () => {
  await h.send('bonjour');
  expect(await h.sendText('langue')).toContain('Choisissez votre langue.');
  expect(await h.sendText('۴')).toContain('حالا من دری گپ می‌زنم');
  expect(await h.sendText('language')).toContain('زبان خود را انتخاب کنید.');
  expect(await h.sendText('two')).toContain('Now I speak English.');
});

test('menu and 0 go back to the menu; help explains and asks again', async () => {
  await h.send('bonjour');
  await h.send('6');
  expect(await h.sendText('menu')).toContain('Que voulez-vous faire ?');
  await h.send('6');
  expect(await h.sendText('0')).toContain('Que voulez-vous faire ?');
  const help = await h.send('aide');
  expect(help[0].text).toContain('Pour répondre, envoyez un numéro.');
  expect(help[0].text).toContain('Écrivez « stop » pour ne plus recevoir de messages.');
  expect(help[1].text).toContain('Que voulez-vous faire ?');
});

test('a misunderstood answer repeats the options; after three misses: the menu or a message to the CIP', async () => {
  await h.send('bonjour');
  expectAskedAgain(await h.send('je ne sais pas'), '1. Ateliers');
  await h.send('bof');
  const third = await h.sendText('???!');
  for (const line of ['Je ne comprends pas. Que voulez-vous faire ?', '1. Retour au menu', '2. Mon conseiller'])
    expect(third).toContain(line);
  expect(await h.sendText('1')).toContain('Que voulez-vous faire ?\n1. Ateliers');
});

test('the channel locale is used until the person chooses, and the choice survives a new bot instance', async () => {
  const ru = await createHarness(tmp.url, { user: 'user-ru', conversation: 'c-ru', channelLocale: 'ru-RU', db: h.db });
  await ru.onboard();
  expect(await ru.sendText('привет')).toContain('Что вы хотите сделать?');
  await ru.send('6');
  await ru.send('8');
  // a new bot over the same database (a restart) keeps the choice, in a new conversation
  const again = await restartedBot(h, tmp.url, { user: 'user-ru', conversation: 'c-ru-2', channelLocale: 'ru-RU' });
  expect(await again.sendText('привет')).toContain('Що ви хочете зробити?');
});

test('every message in and out is recorded as a Message row', async () => {
  await h.send('bonjour');
  await h.send('6');
  const rows = await h.db.prisma.message.findMany({ orderBy: { id: 'asc' } });
  expect(rows.filter((r) => r.direction === 'in')).toHaveLength(2);
  expect(rows.filter((r) => r.direction === 'out')).toHaveLength(3); // greeting, menu, language list
  expect(rows[0]).toMatchObject({ channel: 'test', conversationId: 'conversation-1', status: 'received' });
  expect((rows[0].payload as { text: string }).text).toBe('bonjour');
});
