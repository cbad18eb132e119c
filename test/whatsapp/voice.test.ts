// Spoken replies on WhatsApp, on the real server (eSpeak NG, opus-tools) against the fake Graph
// API: a person who does not read gets, for every turn, a voice note uploaded to Meta's media
// store and then the text, in order; a prompt heard again reuses its upload; a person who sends a
// voice note hears the answer; a language without a voice gets the text alone.
import { execFileSync } from 'node:child_process';
import { translator } from '../../bot/i18n/translator';
import { FakeSpeechServer } from '../support/fakeSpeechServers';
import { decodeClip } from '../support/oggAudio';
import { queueNotification } from '../../bot/services/notifications';
import { onWhatsApp, startWhatsAppApp, textOf, type WhatsAppTestApp } from '../support/whatsappApp';
import { listReply, text, voiceNote } from '../support/whatsappWebhooks';

let h: WhatsAppTestApp;
beforeEach(async () => {
  h = await startWhatsAppApp();
});
afterEach(async () => {
  await h.close();
});

/** A consented case on WhatsApp (recognised by its phone number when it writes). */
async function person(waId: string, language: string, reads: string | null) {
  return h.app.db.prisma.beneficiary.create({
    data: { firstName: 'Selam', phone: `+${waId}`, language, reads, status: 'active', consentAt: new Date() },
  });
}

const kinds = (waId: string) => h.graph.sentTo(waId).map((m) => m.body.type as string);

test('reads "no": a voice note, then the text, every turn; a prompt heard again is not uploaded again', async () => {
  const waId = '33600000901';
  await person(waId, 'fr', 'no');
  const fr = translator('fr');
  const menu = await h.send(text({ waId, name: 'Selam' }, 'bonjour'), waId);
  expect(menu.map((m) => m.body.type)).toEqual(['audio', expect.not.stringMatching('audio')]);
  expect(textOf(menu[1]!)).toContain(fr('menu.question'));
  const [upload] = h.graph.uploads;
  expect(upload).toMatchObject({ mimeType: 'audio/ogg', fileName: 'voice.ogg' });
  expect((menu[0]!.body.audio as { id: string }).id).toBe(upload!.id);
  const heard = decodeClip(upload!.bytes);
  expect(heard.codec).toBe('opus');
  expect(heard.seconds).toBeGreaterThan(0.5);

  const workshops = await h.send(text({ waId, name: 'Selam' }, '1'), waId);
  expect(workshops[0]!.body.type).toBe('audio');
  expect(workshops.slice(1).map(textOf).join('\n')).toContain(fr('workshops.menu.question'));
  expect(h.graph.uploads).toHaveLength(2);

  // The menu twice: the same clip, its media id sent again.
  const [first] = await h.send(text({ waId, name: 'Selam' }, 'menu'), waId);
  expect(h.graph.uploads).toHaveLength(3);
  const [again] = await h.send(text({ waId, name: 'Selam' }, 'menu'), waId);
  expect(h.graph.uploads).toHaveLength(3);
  expect(again!.body).toEqual(first!.body);
  expect(kinds(waId).filter((k) => k === 'audio')).toHaveLength(4);
  // The record keeps what was said, not the audio's SSML.
  const voiceRows = await h.app.db.prisma.message.findMany({ where: { conversationId: waId, direction: 'out' } });
  const voice = voiceRows.filter((r) => (r.payload as { form?: string }).form === 'voice');
  expect(voice).toHaveLength(4);
  expect(voice.every((r) => r.status === 'sent' && !JSON.stringify(r.payload).includes('<speak'))).toBe(true);
});

test(
  'a new person who chooses "listen": the consent question and a workshop booking, each turn heard ' +
    '(a voice note, then the text)',
  async () => {
    const waId = '33600000905';
    const who = { waId, name: 'Amina' };
    const fr = translator('fr');
    const languages = await h.send(text(who, 'bonjour'), waId);
    expect(languages.map((m) => m.body.type)).not.toContain('audio');
    // The question is heard already: someone who cannot read must be able to answer it.
    const choice = await h.send(listReply(who, '1', '1. Français'), waId);
    expect(choice[0]!.body.type).toBe('audio');
    expect(choice.slice(1).map(textOf).join('\n')).toContain(fr('voice.question'));
    const consent = await h.send(text(who, '2'), waId);
    expect(consent[0]!.body.type).toBe('audio');
    expect(consent.slice(1).map(textOf).join('\n')).toContain(fr('onboarding.consent.question'));
    // Every later turn: the voice note first, then its text; none without its voice note.
    // consent yes; "Amina?" yes; the workshops; book one; the birth year; the first session
    for (const words of ['1', '1', '1', '1', '1990', '1']) {
      const got = await h.send(text(who, words), waId);
      expect(got[0]!.body.type).toBe('audio');
      expect(got.slice(1).every((m) => m.body.type !== 'audio')).toBe(true);
    }
    const person = await h.app.db.prisma.beneficiary.findFirstOrThrow({ where: { phone: `+${waId}` } });
    expect(person.voiceMode).toBe('listen');
    const booked = await h.app.db.prisma.booking.count({ where: { beneficiaryId: person.id, status: 'booked' } });
    expect(booked).toBe(1);
    for (const upload of h.graph.uploads) expect(decodeClip(upload.bytes).seconds).toBeGreaterThan(0.5);
  },
);

test('an upload Meta no longer knows is uploaded again at once', async () => {
  const waId = '33600000902';
  await person(waId, 'fr', 'little');
  await h.send(text({ waId, name: 'Selam' }, 'bonjour'), waId);
  const [before] = await h.send(text({ waId, name: 'Selam' }, 'menu'), waId);
  const uploads = h.graph.uploads.length;
  h.graph.expireMedia((before!.body.audio as { id: string }).id);
  const [after] = await h.send(text({ waId, name: 'Selam' }, 'menu'), waId);
  expect(h.graph.uploads).toHaveLength(uploads + 1);
  expect(after!.body.audio).toEqual({ id: h.graph.uploads.at(-1)!.id });
  const kept = await h.app.db.prisma.voiceUpload.findMany();
  expect(kept.map((k) => k.mediaId)).toContain(h.graph.uploads.at(-1)!.id);
});

test('someone who reads hears the bot after sending a voice note', async () => {
  const waId = '33600000903';
  await person(waId, 'en', 'yes');
  await h.send(text({ waId, name: 'Selam' }, 'hello'), waId);
  expect(kinds(waId)).not.toContain('audio');
  const note = execFileSync('opusenc', ['--quiet', '-', '-'], {
    input: execFileSync('espeak-ng', ['-v', 'en-gb', '--stdout', '--stdin'], { input: 'one' }),
  });
  h.graph.addMedia('media.voice.1', note, 'audio/ogg; codecs=opus');
  const answer = await h.send(voiceNote({ waId, name: 'Selam' }, 'media.voice.1'), waId);
  expect(answer[0]!.body.type).toBe('audio');
  await h.send(text({ waId, name: 'Selam' }, 'menu'), waId);
  expect(kinds(waId).at(-2)).toBe('audio');
});

test('a voice note through an OpenAI-style speech-to-text server answers like typed words, and is heard', async () => {
  await h.close();
  const stt = await FakeSpeechServer.start();
  h = await startWhatsAppApp({
    env: { SPEECH_TO_TEXT_URL: stt.url, SPEECH_TO_TEXT_API: 'openai', SPEECH_TO_TEXT_MODEL: 'small' },
  });
  try {
    const waId = '33600000906';
    await person(waId, 'fr', 'yes');
    await h.send(text({ waId, name: 'Selam' }, 'bonjour'), waId);
    const note = execFileSync('opusenc', ['--quiet', '-', '-'], {
      input: execFileSync('espeak-ng', ['-v', 'fr-fr', '--stdout', '--stdin'], { input: 'deux' }),
    });
    h.graph.addMedia('media.voice.2', note, 'audio/ogg; codecs=opus');
    stt.says(note, 'deux');
    const answer = await h.send(voiceNote({ waId, name: 'Selam' }, 'media.voice.2'), waId);
    expect(stt.transcriptions).toEqual([
      expect.objectContaining({ fileName: 'voice.ogg', model: 'small', language: 'fr', bytes: note.length }),
    ]);
    // "deux": the second option of the menu (my work), heard since they spoke.
    expect(answer[0]!.body.type).toBe('audio');
    expect(answer.slice(1).map(textOf).join('\n')).toContain(translator('fr')('shifts.none'));
  } finally {
    await stt.close();
  }
});

test('a proactive message to someone who listens: its voice note first, inside the window only', async () => {
  const payload = {
    key: 'notifications.waitlistPromoted',
    session: { workshopCode: 'cv', title: 'Faire son CV', startsAt: '2026-12-10T09:30:00.000Z', place: 'Blois' },
  };
  const notify = async (waId: string, reads: string, hoursAgo: number) => {
    const b = await person(waId, 'fr', reads);
    await onWhatsApp(h.app, { beneficiaryId: b.id, waId, language: 'fr' }, new Date(Date.now() - hoursAgo * 3600_000));
    await h.app.db.prisma.$transaction((tx) => queueNotification(tx, b.id, new Date(), payload));
    await h.app.core.notifier.deliver(b.id);
    await h.settled();
    return kinds(waId);
  };
  expect(await notify('33600000907', 'no', 1)).toEqual(['audio', expect.stringMatching(/^(text|interactive)$/)]);
  expect(await notify('33600000908', 'yes', 1)).toEqual([expect.stringMatching(/^(text|interactive)$/)]);
  // Outside the 24-hour window: the template alone (no voice note goes there).
  expect(await notify('33600000909', 'no', 30)).toEqual(['template']);
});

test('Pashto without recordings: the text alone', async () => {
  const waId = '33600000904';
  await person(waId, 'ps', 'no');
  const replies = await h.send(text({ waId, name: 'Selam' }, 'سلام'), waId);
  expect(replies.length).toBeGreaterThan(0);
  expect(kinds(waId)).not.toContain('audio');
  expect(h.graph.uploads).toEqual([]);
});
