// Answers on the real channels (issue 10, parts 4 and 7), through the real server:
// - WhatsApp: a message written in a group (`group_id`) gets no reply and no turn, and is counted
//   as skipped; Meta's spam rate limit (131048) is tried again with backoff, not failed; a text
//   over 4,096 characters is cut in the record, a message to the CIP kept whole;
// - web chat (Direct Line) and /api/messages: the same cut, by the same pipeline.
// Each attack next to the legitimate use that still works.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_TEXT } from '../../bot/middleware/inboundText';
import { queueNotification } from '../../bot/services/notifications';
import { startTestApp } from '../support/app';
import { createTempSqlite } from '../support/databases';
import { DirectLineClient } from '../support/directLineClient';
import { startWhatsAppApp, type WhatsAppTestApp } from '../support/whatsappApp';
import { messageWebhook, postWebhook, text } from '../support/whatsappWebhooks';

const recordedText = (m: { payload: unknown }) => {
  const p = m.payload as { text?: string; event?: { message: { text?: { body: string } } } };
  return p.text ?? p.event?.message.text?.body;
};

describe('WhatsApp', () => {
  let h: WhatsAppTestApp;
  afterEach(async () => {
    await h?.close();
  });

  test('a message from a group gets no reply, no turn and no record; it is counted as skipped; the same person writing directly is answered', async () => {
    h = await startWhatsAppApp();
    const from = { waId: '33639980071', name: 'Nadia' };
    const group = messageWebhook(from, { group_id: 'GROUP.120363000000000001', type: 'text', text: { body: 'Bonjour à tous, 1' } });
    const res = await postWebhook(h.app.url, group);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: 0, skipped: 1 });
    await h.settled();
    expect(h.graph.sentTo(from.waId)).toHaveLength(0);
    expect(await h.app.db.prisma.message.count()).toBe(0);
    expect(await h.app.db.prisma.botState.count()).toBe(0);

    const direct = await h.send(text(from, 'Bonjour'), from.waId);
    expect(direct.length).toBeGreaterThan(0);
    expect(await h.app.db.prisma.message.count({ where: { direction: 'in' } })).toBe(1);
  });

  test("Meta's spam rate limit (131048) is tried again with backoff, then sent; the message is never failed", async () => {
    h = await startWhatsAppApp();
    const waId = '33639980072';
    const db = h.app.db.prisma;
    const b = await db.beneficiary.create({ data: { firstName: 'Selam', phone: `+${waId}`, language: 'fr', status: 'active', consentAt: new Date() } });
    await db.conversationRef.create({
      data: { channel: 'whatsapp', userKey: waId, conversationId: waId, reference: { user: { id: waId } }, beneficiaryId: b.id, lastInboundAt: new Date() },
    });
    h.graph.fail({ status: 400, code: 131048, title: 'Spam rate limit hit' }, { to: waId, times: 2 });
    const session = { workshopCode: 'cv', title: 'Faire son CV', startsAt: '2026-12-10T09:30:00.000Z', place: 'Blois' };
    await db.$transaction((tx) => queueNotification(tx, b.id, new Date(), { key: 'notifications.waitlistPromoted', session }));
    await h.app.core.notifier.deliver(b.id);
    await h.settled(20000);
    const sent = h.graph.sentTo(waId);
    expect(sent).toHaveLength(1);
    const row = await db.message.findUniqueOrThrow({ where: { providerId: `whatsapp:${sent[0].wamid}` } });
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    // The two refused tries were apart: a backoff, not a loop.
    const tries = h.graph.requests.filter((r) => r.path.endsWith('/messages') && (r.body as { to?: string }).to === waId).map((r) => r.at);
    expect(tries).toHaveLength(3);
    expect(tries[1] - tries[0]).toBeGreaterThanOrEqual(25); // FAST: retries from 50 ms, jitter down to half
  });

  test('a text over 4,096 characters is cut in the record; a message to the CIP is kept whole', async () => {
    h = await startWhatsAppApp();
    const waId = '33639980073';
    const db = h.app.db.prisma;
    const b = await db.beneficiary.create({ data: { firstName: 'Amina', phone: `+${waId}`, language: 'fr', status: 'active', consentAt: new Date() } });
    const from = { waId, name: 'Amina' };
    await h.send(text(from, 'Bonjour'), waId);
    const long = await h.send(text(from, 'x'.repeat(9_000)), waId);
    expect(long.length).toBeGreaterThan(0); // answered ("not understood" and the menu)
    await h.send(text(from, '5'), waId);
    const letter = 'Voici la lettre de la préfecture. '.repeat(200).slice(0, 6_000);
    await h.send(text(from, letter), waId);

    const rows = await db.message.findMany({ where: { direction: 'in' }, orderBy: { id: 'asc' } });
    expect(rows.map(recordedText)).toEqual(['Bonjour', 'x'.repeat(MAX_TEXT), '5', letter]);
    const [event] = await db.caseEvent.findMany({ where: { beneficiaryId: b.id, type: 'message_to_cip' } });
    expect((event.payload as { text: string }).text).toBe(letter.trim());
  });
});

describe('web chat and /api/messages', () => {
  test('the web chat and /api/messages cut a long text to 4,096 characters in the record; short ones stay whole', async () => {
    const tmp = await createTempSqlite();
    // A stand-in for the Bot Framework connector, which receives the replies of /api/messages.
    const connector = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: 'r1' }));
      });
    });
    await new Promise<void>((r) => connector.listen(0, '127.0.0.1', r));
    const app = await startTestApp(tmp.url, { BOTFRAMEWORK_EMULATOR: 'on' });
    try {
      const client = await DirectLineClient.withToken(app.url, 'wc_answers_user_0123456789');
      try {
        await client.waitForBotMessages(2);
        await client.say('y'.repeat(9_000), 2);
        await client.say('bonjour', 1);
      } finally {
        client.end();
      }
      const web = await app.db.prisma.message.findMany({ where: { channel: 'webchat', direction: 'in' }, orderBy: { id: 'asc' } });
      expect(web.map(recordedText)).toEqual(['y'.repeat(MAX_TEXT), 'bonjour']);

      const serviceUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}`;
      const activity = (body: string) => ({
        type: 'message',
        id: `a-${Math.random()}`,
        text: body,
        channelId: 'emulator',
        serviceUrl,
        from: { id: 'emulator-user', name: 'User' },
        recipient: { id: 'bot', name: 'Passerelle' },
        conversation: { id: 'emulator-answers' },
        locale: 'en-US',
      });
      for (const body of ['z'.repeat(20_000), 'hello']) {
        const res = await fetch(`${app.url}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity(body)) });
        expect(res.status).toBeLessThan(300);
      }
      const emulator = await app.db.prisma.message.findMany({ where: { channel: 'emulator', direction: 'in' }, orderBy: { id: 'asc' } });
      expect(emulator.map(recordedText)).toEqual(['z'.repeat(MAX_TEXT), 'hello']);
    } finally {
      await app.stop();
      await new Promise<void>((r) => connector.close(() => r()));
      await tmp.drop();
    }
  });
});
