// First contact on WhatsApp in the person's language (issue 15): a first message "ሰላም" gets the
// Tigrinya greeting and "ትግርኛ? 1 yes / 2 another language"; one digit keeps it, or opens the list.
// Arabic script from an Afghan number offers Dari and Pashto; from a Syrian one, Arabic alone;
// from elsewhere, the three. The real server, the webhook, the fake Graph API.
import { translator } from '../../bot/i18n/translator';
import { startWhatsAppApp, textOf, type WhatsAppTestApp } from '../support/whatsappApp';
import { buttonReply, text } from '../support/whatsappWebhooks';

let h: WhatsAppTestApp;
beforeEach(async () => {
  h = await startWhatsAppApp();
});
afterEach(async () => {
  await h.close();
});

/** The texts a person reads (not the voice notes), and the labels of the buttons or list rows they can tap. */
function shown(messages: Awaited<ReturnType<WhatsAppTestApp['send']>>) {
  return messages
    .filter((m) => m.body.type !== 'audio')
    .map((m) => {
      const body = m.body as {
        interactive?: {
          action: { buttons?: { reply: { title: string } }[]; sections?: { rows: { title: string }[] }[] };
        };
      };
      const action = body.interactive?.action;
      const options =
        action?.buttons?.map((b) => b.reply.title) ?? action?.sections?.flatMap((s) => s.rows.map((r) => r.title));
      return { text: textOf(m), options };
    });
}

const say = (waId: string, body: string) => h.send(text({ waId, name: 'Test' }, body), waId);
const profileOf = async (waId: string) => {
  const row = await h.app.db.prisma.botState.findFirst({
    where: { key: { contains: waId }, NOT: { key: { contains: '/conversations/' } } },
  });
  return (JSON.parse(row?.data ?? '{}') as { profile?: Record<string, unknown> }).profile;
};

test('"ሰላም": the Tigrinya greeting, then "ትግርኛ? 1 yes / 2 another language"; "1" keeps Tigrinya', async () => {
  const ti = translator('ti');
  const waId = '33600000951';
  const first = shown(await say(waId, 'ሰላም'));
  expect(first[0]!.text.startsWith(ti('greeting'))).toBe(true);
  const confirm = first.at(-1)!;
  expect(confirm.text).toContain('ትግርኛ?');
  expect(confirm.options).toEqual([`1. ${ti('common.yes')}`, `2. ${ti('language.other')}`]);
  expect(JSON.stringify(first)).not.toContain(translator('fr')('greeting'));

  const next = shown(await say(waId, '1'));
  expect(next.at(-1)!.text).toContain(ti('voice.question'));
  expect(await profileOf(waId)).toMatchObject({ language: 'ti' });
});

test('a wrong guess costs one digit: "2" opens the whole list, and a choice there is the language', async () => {
  const waId = '33600000952';
  await say(waId, 'ሰላም');
  const list = shown(await say(waId, '2'));
  expect(list.at(-1)!.text).toContain(translator('ti')('language.question'));
  expect(list.at(-1)!.options).toHaveLength(8);
  const chosen = shown(await say(waId, '2')); // English
  expect(chosen[0]!.text.startsWith(translator('en')('language.changed'))).toBe(true);
  expect(await profileOf(waId)).toMatchObject({ language: 'en' });
});

test('"سلام" from an Afghan number: Dari and Pashto offered, in that order; a tap on Pashto', async () => {
  const waId = '93700000953';
  const first = shown(await say(waId, 'سلام'));
  expect(first[0]!.text.startsWith(translator('fa')('greeting'))).toBe(true);
  expect(first.at(-1)!.options).toEqual([
    expect.stringContaining('دری / فارسی'),
    expect.stringContaining('پښتو'),
    expect.stringContaining(translator('fa')('language.other')),
  ]);
  const chosen = shown(await h.send(buttonReply({ waId, name: 'Test' }, '2', '2. پښتو'), waId));
  expect(chosen[0]!.text.startsWith(translator('ps')('language.changed'))).toBe(true);
  expect(chosen.at(-1)!.text).toContain(translator('ps')('voice.question'));
  expect(await profileOf(waId)).toMatchObject({ language: 'ps' });
});

test('"سلام" from a Syrian number: Arabic, confirmed with one digit', async () => {
  const waId = '963900000954';
  const first = shown(await say(waId, 'سلام'));
  expect(first[0]!.text.startsWith(translator('ar')('greeting'))).toBe(true);
  expect(first.at(-1)!.text).toContain('العربية؟');
  await say(waId, '١');
  expect(await profileOf(waId)).toMatchObject({ language: 'ar' });
});

test('"مرحبا" from a French number: العربية, دری, پښتو and another language', async () => {
  const waId = '33600000955';
  const first = shown(await say(waId, 'مرحبا'));
  expect(first.at(-1)!.options).toHaveLength(4);
  expect(first.at(-1)!.options![0]).toContain('العربية');
});

test('"hello" from a French number: nothing to go on, the whole list in French, as before', async () => {
  const waId = '33600000956';
  const first = shown(await say(waId, 'hello'));
  expect(first[0]!.text.startsWith(translator('fr')('greeting'))).toBe(true);
  expect(first.at(-1)!.text).toContain(translator('fr')('language.question'));
  expect(first.at(-1)!.options).toHaveLength(8);
});
