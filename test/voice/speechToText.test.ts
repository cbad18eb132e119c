// The OpenAI-style speech-to-text client against a fake that reads the multipart form as the real
// servers do (whisper.cpp's server, faster-whisper servers, LocalAI).
import { OpenAiSpeechToText } from '../../bot/voice/speechToText';
import { FakeSpeechServer } from '../support/fakeSpeechServers';

let server: FakeSpeechServer;
beforeAll(async () => {
  server = await FakeSpeechServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.transcriptions.splice(0));

const note = Buffer.from('OggS fake voice note');

test('sends the file, the model and the ISO 639-1 language; returns the words', async () => {
  server.says(note, ' بله ');
  const stt = new OpenAiSpeechToText(`${server.url}/`, 'whisper-1', 'sk-local');
  expect(await stt.transcribe(note, 'audio/ogg; codecs=opus', 'fa-AF')).toBe('بله');
  expect(server.transcriptions).toEqual([
    {
      fileName: 'voice.ogg',
      fileType: 'audio/ogg',
      bytes: note.length,
      model: 'whisper-1',
      language: 'fa',
      authorization: 'Bearer sk-local',
    },
  ]);
});

test.each([
  ['audio/mpeg', 'voice.mp3'],
  ['audio/mp4', 'voice.m4a'],
  ['audio/webm', 'voice.webm'],
  ['audio/amr', 'voice.amr'],
])('a %s note is named %s (servers pick the decoder by extension)', async (type, name) => {
  await new OpenAiSpeechToText(server.url, 'base').transcribe(note, type, 'fr-FR');
  expect(server.transcriptions[0]).toMatchObject({ fileName: name, fileType: type, language: 'fr' });
});

test('Tigrinya, unknown to Whisper, is sent without a language (the server guesses)', async () => {
  await new OpenAiSpeechToText(server.url, 'base').transcribe(note, 'audio/ogg', 'ti-ER');
  expect(server.transcriptions[0]!.language).toBeUndefined();
});

test('nothing understood is undefined; a failing server is an error', async () => {
  expect(
    await new OpenAiSpeechToText(server.url, 'base').transcribe(Buffer.from('silence'), 'audio/ogg', 'en-GB'),
  ).toBe(undefined);
  server.failWith = 500;
  try {
    await expect(new OpenAiSpeechToText(server.url, 'base').transcribe(note, 'audio/ogg', 'en-GB')).rejects.toThrow(
      '500',
    );
  } finally {
    server.failWith = undefined;
  }
});
