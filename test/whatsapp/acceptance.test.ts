// The acceptance path of the WhatsApp channel, on the real server against a fake Graph API.
import { translator } from '../../bot/i18n/translator';
import {
  fixture,
  fixtureSignatures,
  listReply,
  buttonReply,
  postWebhook,
  text,
  statusWebhook,
} from '../support/whatsappWebhooks';
import { textOf, useWhatsAppApp } from '../support/whatsappApp';

const h = useWhatsAppApp('each');

test(
  'a French text from an unknown number, then Arabic, read, consent and "1": the workshops in ' +
    'Arabic; a replay gets no reply; unsigned gets 401; a 131047 failure marks the message failed',
  async () => {
    const nadia = { waId: '33639980001', name: 'Nadia K.' };
    // The fixture, its bytes and signature as given.
    const res = await postWebhook(h.app.url, fixture('text-fr.json'), {
      signature: fixtureSignatures().get('text-fr.json'),
    });
    expect(res.status).toBe(200);
    await h.settled();
    const first = h.graph.sentTo(nadia.waId);
    expect(first).toHaveLength(1);
    const list = first[0].body as {
      type: string;
      interactive: { type: string; action: { sections: { rows: { id: string; title: string }[] }[] } };
    };
    expect(list.type).toBe('interactive');
    expect(list.interactive.type).toBe('list');
    expect(list.interactive.action.sections[0].rows.map((r) => r.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(textOf(first[0])).toContain(translator('fr')('language.question'));

    const ar = translator('ar');
    const voice = await h.send(listReply(nadia, '3', '3. العربية'), nadia.waId);
    expect(voice.map(textOf).join('\n')).toContain(ar('voice.question'));
    const consent = await h.send(buttonReply(nadia, '1', ar('voice.read')), nadia.waId);
    expect(consent.map(textOf).join('\n')).toContain(ar('onboarding.consent.question'));
    const name = await h.send(buttonReply(nadia, '1', ar('common.yes')), nadia.waId);
    expect(name.map(textOf).join('\n')).toContain(ar('onboarding.name.confirm', { name: 'Nadia K' }));
    const menu = await h.send(text(nadia, '1'), nadia.waId);
    expect(menu.map(textOf).join('\n')).toContain(ar('menu.question'));
    const workshops = await h.send(text(nadia, '1'), nadia.waId);
    const shown = workshops.map(textOf).join('\n');
    expect(shown).toContain(ar('workshops.menu.question'));
    const person = await h.app.db.prisma.beneficiary.findFirstOrThrow({ where: { phone: '+33639980001' } });
    expect(person).toMatchObject({ firstName: 'Nadia K', language: 'ar', status: 'pending' });

    // The same webhook again (Meta retries): stored once, no second reply.
    const before = h.graph.sentTo(nadia.waId).length;
    const replay = await postWebhook(h.app.url, fixture('text-fr.json'), {
      signature: fixtureSignatures().get('text-fr.json'),
    });
    expect(replay.status).toBe(200);
    await h.settled();
    expect(h.graph.sentTo(nadia.waId)).toHaveLength(before);

    // Unsigned: 401, nothing stored.
    const count = await h.app.db.prisma.message.count();
    expect((await postWebhook(h.app.url, text(nadia, 'bonjour'), { signature: null })).status).toBe(401);
    expect(await h.app.db.prisma.message.count()).toBe(count);

    // A failed status with 131047 for one of our messages: that Message is failed with its code.
    const last = h.graph.sentTo(nadia.waId).at(-1)!;
    await h.send(
      statusWebhook([
        { wamid: last.wamid, status: 'failed', errors: [{ code: 131047, title: 'Re-engagement message' }] },
      ]),
    );
    const failed = await h.app.db.prisma.message.findUniqueOrThrow({ where: { providerId: `whatsapp:${last.wamid}` } });
    expect(failed).toMatchObject({ status: 'failed', errorCode: 131047, errorTitle: 'Re-engagement message' });
  },
);

// "سلام" from a French number: the short list 1 العربية 2 دری / فارسی 3 پښتو 4 another language.
describe.each([
  { language: 'ar', digit: '١', digits: '٠١٢٣٤٥٦٧٨٩', words: 'لا أستطيع إرسال ابني إلى الحضانة ‏غدا', name: 'فاطمة' },
  { language: 'fa', digit: '۲', digits: '۰۱۲۳۴۵۶۷۸۹', words: 'کودکم را نمی‌توانم به کودکستان ببرم', name: 'فرشته' },
] as const)('a round trip in $language', ({ language, digit, digits, words, name }) => {
  test('right-to-left words go in and come out byte for byte; every answer is in the language', async () => {
    const t = translator(language);
    const n = (k: number) => digits[k];
    const person = { waId: language === 'ar' ? '33600000801' : '33600000802', name };
    await h.send(text(person, 'سلام'), person.waId);
    const all: string[] = [];
    // language, read, consent: yes, name: yes, 3 a problem, 1 report it, 2 childcare, 1 today
    for (const answer of [digit, n(1), n(1), n(1), n(3), n(1), n(2), n(1)])
      all.push(...(await h.send(text(person, answer), person.waId)).map(textOf));
    const saved = (await h.send(text(person, words), person.waId)).map(textOf).join('\n');
    // The words the person wrote are kept exactly (zero-width non-joiners and marks included).
    const blocker = await h.app.db.prisma.blocker.findFirstOrThrow({
      where: { beneficiary: { phone: `+${person.waId}` } },
    });
    expect(blocker).toMatchObject({ category: 'childcare', urgency: 'today', description: words });
    // What went out is the translation itself, the reference isolated left to right.
    expect(saved).toContain(t('problem.saved'));
    expect(saved).toContain(t('problem.reference', { reference: `\u2066${blocker.reference}\u2069` }));
    expect(all.join('\n')).toContain(t('onboarding.consent.question'));
    expect(all.join('\n')).toContain(t('problem.urgency.question'));
    // Nothing in French after the language was chosen.
    expect([...all.slice(1), saved].join('\n')).not.toMatch(/[àâçéèêëîïôûùüÿœ]/i);
    const raw = h.graph.sentTo(person.waId).map((m) => JSON.stringify(m.body));
    expect(raw.some((b) => b.includes(JSON.stringify(t('onboarding.consent.question')).slice(1, -1)))).toBe(true);
  });
});
