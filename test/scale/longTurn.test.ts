// A turn longer than its message's lease, with two instances on one PostgreSQL database: the
// instance running it renews its claim (turnRunner.ts), so the other, looking for stranded messages
// every 200 ms, does not take the message and run its turn a second time.
import { translator } from '../../bot/i18n/translator';
import { postgresKind } from '../support/databases';
import { FakeGraphApi } from '../support/fakeGraphApi';
import { FakeSpeechToText } from '../support/fakeSpeechToText';
import { samples } from '../support/mediaSamples';
import { startWhatsAppApp, textOf } from '../support/whatsappApp';
import { postWebhook, text, voiceNote } from '../support/whatsappWebhooks';
import { waitFor } from '../support/waitFor';

const pg = process.env.PASSERELLE_TEST_PG === '1' ? test : test.skip;

pg('a voice note heard in 3 s with a 1 s lease: transcribed once, answered once', async () => {
  const graph = await FakeGraphApi.start();
  const stt = await FakeSpeechToText.start();
  const env = { WHATSAPP_SEND_LEASE_SECONDS: '1', SPEECH_TO_TEXT_URL: stt.url };
  const tuning = { recoveryMs: 200 };
  const first = await startWhatsAppApp({ kind: postgresKind, graph, env, tuning });
  const second = await startWhatsAppApp({ graph, reuse: first.db, env, tuning });
  try {
    const person = { waId: '33639990600', name: 'Mariam' };
    expect((await postWebhook(first.app.url, text(person, 'bonjour'))).status).toBe(200);
    await graph.waitForSent(1, { to: person.waId });
    stt.says(samples.oggOpus, '1'); // "1": Français
    stt.delayMs = 3000;
    graph.addMedia('media-slow', samples.oggOpus, 'audio/ogg');
    expect((await postWebhook(first.app.url, voiceNote(person, 'media-slow'))).status).toBe(200);
    const question = translator('fr')('voice.question');
    await waitFor('the answer to the voice note', () =>
      graph.sentTo(person.waId).some((m) => textOf(m).includes(question)),
    );
    await new Promise((r) => setTimeout(r, 1500)); // time for a second run, if there were one
    expect(stt.requests).toHaveLength(1);
    expect(graph.sentTo(person.waId).filter((m) => textOf(m).includes(question))).toHaveLength(1);
    const inbound = await first.app.db.prisma.message.findMany({
      where: { direction: 'in' },
      select: { status: true },
    });
    expect(inbound.map((m) => m.status)).toEqual(['received', 'received']);
  } finally {
    await second.close();
    await first.close();
    await graph.close();
    await stt.close();
  }
});
