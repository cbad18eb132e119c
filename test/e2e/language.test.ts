// Issue 11 end to end: Microsoft's botframework-directlinejs client on our Direct Line endpoint,
// the conversation started with the locale the page sends for /?lang=ar (its token request), the
// messages after it without one (as this client posts them). The language stays chosen: "1" (the
// first task) asks "العربية؟ 1. نعم / 2. لغة أخرى", never the list; "1" keeps Arabic; then the
// read-or-listen question ("1": read); the consent text is two bubbles. The same in Dari. Then the
// page's language switch (Web Chat posts with its new locale): the bot speaks the new language and
// the case's timeline says so.
import { translator } from '../../bot/i18n/translator';
import type { LanguageCode } from '../../bot/i18n/languages';
import { appForTests } from '../support/app';
import { DirectLineClient } from '../support/directLineClient';

const testApp = appForTests();

test.each<[LanguageCode, string, string, string, string]>([
  ['ar', 'ar-SA', 'wc_e2e_lang_arabic_0123456', 'العربية؟\n1. نعم\n2. لغة أخرى', 'سمير'],
  ['fa', 'fa-AF', 'wc_e2e_lang_dari_012345678', 'دری / فارسی؟\n1. بلی\n2. زبان دیگر', 'فرشته'],
])(
  '%s from the page: "1" goes on in it, with one confirmation at most; "1" keeps it; consent in two bubbles',
  async (code, locale, user, confirm, name) => {
    const t = translator(code);
    const client = await DirectLineClient.withToken(testApp().url, user, locale);
    try {
      const greeting = await client.waitForBotMessages(2);
      expect(greeting.every((m) => m.locale === code)).toBe(true);
      expect(greeting[1].text).toContain(t('menu.question'));

      const asked = await client.say('1');
      // The question; its options as numbered lines, or as buttons on the web chat ("1 · نعم").
      const [question, ...options] = confirm.split('\n');
      expect(asked[0].text!.split('\n')[0]).toBe(question);
      const shown = [asked[0].text!, ...(asked[0].suggestedActions?.actions ?? []).map((a) => a.title ?? '')]
        .join('\n')
        .replace(/^(\d) · /gm, '$1. ');
      for (const option of options) expect(shown).toContain(option);
      expect(asked[0].suggestedActions?.actions.map((a) => a.value ?? (a as { text?: string }).text)).toEqual([
        '1',
        '2',
      ]);
      expect(asked[0].locale).toBe(code);

      // "1" keeps the language: the read-or-listen question comes next, in it (never the list).
      const voice = await client.sayUntil('1', t('voice.question'));
      expect(voice.every((m) => m.locale === code)).toBe(true);
      expect(voice.map((m) => m.text).join('\n')).not.toContain(t('language.question'));
      const consent = await client.sayUntil('1', t('onboarding.consent.question')); // read
      // message activities between the voice answer and the consent question
      expect(consent.length - 1).toBeLessThanOrEqual(2);
      expect(consent.every((m) => m.locale === code)).toBe(true);
      expect(consent.map((m) => m.text).join('\n')).not.toContain(t('language.question'));

      await client.sayUntil('1', t('onboarding.name.question'));
      const thanks = await client.sayUntil(name, t('onboarding.thanks', { firstName: name }));
      expect(thanks.every((m) => m.locale === code)).toBe(true);
    } finally {
      client.end();
    }
    const person = await testApp().db.prisma.beneficiary.findFirstOrThrow({ where: { firstName: name } });
    expect(person).toMatchObject({ language: code, status: 'pending' });
    const state = await testApp().db.prisma.botState.findUnique({ where: { key: `webchat/users/${user}/` } });
    expect(JSON.parse(state!.data).profile).toMatchObject({ language: code, channelLanguage: code });
  },
);

test("the page's fallback to French is no choice; its switch is: the bot answers in it, the case says it", async () => {
  const user = 'wc_e2e_lang_switch_0123456';
  const client = await DirectLineClient.withToken(testApp().url, user, 'ar-SA');
  try {
    await client.waitForBotMessages(2);
    await client.say('1');
    await client.sayUntil('1', translator('ar')('voice.question'));
    await client.sayUntil('1', translator('ar')('onboarding.consent.question')); // read
    await client.sayUntil('1', translator('ar')('onboarding.name.question'));
    await client.sayUntil('ليلى', 'شكرا، ليلى!');
  } finally {
    client.end();
  }
  // The page opened again without any hint (no ?lang=, nothing in the browser): it falls back to
  // French for the token request; the bot, which knows the person, answers in Arabic (the page follows).
  const res = await fetch(`${testApp().url}/v3/directline/tokens/generate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: { id: user }, locale: 'fr-FR' }),
  });
  const conversation = (await res.json()) as { conversationId: string; token: string };
  const auth = { Authorization: `Bearer ${conversation.token}`, 'Content-Type': 'application/json' };
  await fetch(`${testApp().url}/v3/directline/conversations`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ user: { id: user }, locale: 'fr-FR' }),
  });
  const botMessages = async () => {
    const read = await fetch(
      `${testApp().url}/v3/directline/conversations/${conversation.conversationId}/activities?watermark=0`,
      { headers: auth },
    );
    const { activities } = (await read.json()) as {
      activities: { type: string; text?: string; locale?: string; from: { id: string } }[];
    };
    return activities.filter((a) => a.type === 'message' && a.from.id !== user);
  };
  const post = (text: string, locale: string) =>
    fetch(`${testApp().url}/v3/directline/conversations/${conversation.conversationId}/activities`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ type: 'message', text, locale, from: { id: user } }),
    });
  expect((await botMessages()).every((m) => m.locale === 'ar')).toBe(true);
  // Web Chat, now in Arabic, posts with its locale: nothing changes.
  expect((await post('0', 'ar-SA')).status).toBe(200);
  expect((await botMessages()).at(-1)!.locale).toBe('ar');
  // The page's language switch to French: Web Chat posts with fr-FR.
  expect((await post('menu', 'fr-FR')).status).toBe(200);
  const last = (await botMessages()).at(-1)!;
  expect(last.text).toContain('Que voulez-vous faire ?');
  expect(last.locale).toBe('fr');
  const person = await testApp().db.prisma.beneficiary.findFirstOrThrow({ where: { firstName: 'ليلى' } });
  expect(person.language).toBe('fr');
  const changed = await testApp().db.prisma.caseEvent.findMany({
    where: { beneficiaryId: person.id, type: 'language_changed' },
  });
  expect(changed.map((e) => e.payload)).toEqual([{ from: 'ar', to: 'fr' }]);
});
