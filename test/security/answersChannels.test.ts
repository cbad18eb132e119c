// Answers on the real channels (issue 10, parts 4 and 7), through the real server:
// - WhatsApp: a message written in a group (`group_id`) gets no reply and no turn, and is counted
//   as skipped; Meta's spam rate limit (131048) is tried again with backoff, not failed; a text
//   over 4,096 characters is cut in the record, a message to the CIP kept whole;
// - web chat (Direct Line) and /api/messages: the same cut, by the same pipeline.
// Each attack next to the legitimate use that still works.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_TEXT } from '../../bot/turns/middleware/inboundText';
import { queueNotification } from '../../bot/services/notifications';
import { startTestApp } from '../support/app';
import { createTempSqlite } from '../support/databases';
import { startWhatsAppApp, type WhatsAppTestApp } from '../support/whatsappApp';
import { messageWebhook, postWebhook, text } from '../support/whatsappWebhooks';
import { selamOnWhatsApp } from '../support/whatsappPerson';

const recordedText = (m: { payload: unknown }) => {
  const p = m.payload as { text?: string; event?: { message: { text?: { body: string } } } };
  return p.text ?? p.event?.message.text?.body;
};

describe('WhatsApp', () => {
  let h: WhatsAppTestApp;
  afterEach(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    h = await startWhatsAppApp();
  });

  test(
    'a message from a group gets no reply, no turn and no record; it is counted as skipped; the same person ' +
      'writing directly is answered',
    async () => {
      const from = { waId: '33639980071', name: 'Nadia' };
      const group = messageWebhook(from, {
        group_id: 'GROUP.120363000000000001',
        type: 'text',
        text: { body: 'Bonjour à tous, 1' },
      });
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
    },
  );

  test("Meta's spam rate limit (131048) is retried with backoff, then sent; the message is never failed", async () => {
    const waId = '33639980072';
    const db = h.app.db.prisma;
    const b = await selamOnWhatsApp(db, waId, 'fr', new Date());
    h.graph.fail({ status: 400, code: 131048, title: 'Spam rate limit hit' }, { to: waId, times: 2 });
    const session = { workshopCode: 'cv', title: 'Faire son CV', startsAt: '2026-12-10T09:30:00.000Z', place: 'Blois' };
    await db.$transaction((tx) =>
      queueNotification(tx, b.id, new Date(), { key: 'notifications.waitlistPromoted', session }),
    );
    await h.app.core.notifier.deliver(b.id);
    await h.settled(20000);
    const sent = h.graph.sentTo(waId);
    expect(sent).toHaveLength(1);
    const row = await db.message.findUniqueOrThrow({ where: { providerId: `whatsapp:${sent[0].wamid}` } });
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    // The two refused tries were apart: a backoff, not a loop.
    const tries = h.graph.requests
      .filter((r) => r.path.endsWith('/messages') && (r.body as { to?: string }).to === waId)
      .map((r) => r.at);
    expect(tries).toHaveLength(3);
    expect(tries[1] - tries[0]).toBeGreaterThanOrEqual(25); // FAST: retries from 50 ms, jitter down to half
  });

  test('a text over 4,096 characters is cut in the record; a message to the CIP is kept whole', async () => {
    const waId = '33639980073';
    const db = h.app.db.prisma;
    const b = await db.beneficiary.create({
      data: { firstName: 'Amina', phone: `+${waId}`, language: 'fr', status: 'active', consentAt: new Date() },
    });
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
  test('web chat and /api/messages never record over 4,096 characters of a message; short ones whole', async () => {
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
    const inbound = (channel: string) =>
      app.db.prisma.message.findMany({ where: { channel, direction: 'in' }, orderBy: { id: 'asc' } });
    /** Waits until `count` messages of `channel` are on record (a turn ends after its answer). */
    const recorded = async (channel: string, count: number) => {
      const deadline = Date.now() + 10000;
      while ((await inbound(channel)).length < count && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      return inbound(channel);
    };
    try {
      // Web chat, as Direct Line clients post: a token, a conversation, activities.
      const json = { 'Content-Type': 'application/json' };
      const user = 'wc_answers_user_0123456789';
      const { token } = (await (
        await fetch(`${app.url}/v3/directline/tokens/generate`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ user: { id: user } }),
        })
      ).json()) as { token: string };
      const auth = { ...json, Authorization: `Bearer ${token}` };
      const { conversationId } = (await (
        await fetch(`${app.url}/v3/directline/conversations`, { method: 'POST', headers: auth })
      ).json()) as { conversationId: string };
      const post = (body: string) =>
        fetch(`${app.url}/v3/directline/conversations/${conversationId}/activities`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ type: 'message', from: { id: user }, text: body }),
        });
      // Too long: refused by the web chat (400), or taken and cut; never recorded longer.
      const long = await post('y'.repeat(9_000));
      expect([200, 400]).toContain(long.status);
      expect((await post('bonjour')).status).toBe(200);
      const web = await recorded('webchat', long.status === 200 ? 2 : 1);
      expect(web.map(recordedText)).toEqual([...(long.status === 200 ? ['y'.repeat(MAX_TEXT)] : []), 'bonjour']);

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
        const res = await fetch(`${app.url}/api/messages`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify(activity(body)),
        });
        expect(res.status).toBeLessThan(300);
      }
      const emulator = await recorded('emulator', 2);
      expect(emulator.map(recordedText)).toEqual(['z'.repeat(MAX_TEXT), 'hello']);
    } finally {
      await app.stop();
      await new Promise<void>((r) => connector.close(() => r()));
      await tmp.drop();
    }
  });
});
