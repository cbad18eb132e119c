// A local OpenAI-compatible speech server for tests, checking requests as the real servers do
// (OpenAI's API, and the servers that copy it: Piper's and Kokoro's HTTP servers, whisper.cpp's
// server, faster-whisper servers, LocalAI):
//   POST /v1/audio/speech         JSON {model, input, voice, response_format} -> the audio (WAV here:
//                                 a tone of 80 ms a character, 22,050 Hz mono 16-bit)
//   POST /v1/audio/transcriptions multipart/form-data: file (with a file name), model, language?,
//                                 response_format? -> {"text": ...}
// Anything else gets the 4xx those servers give. Every request is recorded.
import type http from 'node:http';
import { bodyOf, closeServer, listenLocally, originOf } from './ports';

export interface SpeechRequest {
  model: string;
  input: string;
  voice: string;
  response_format?: string;
  authorization?: string;
}

export interface TranscriptionRequest {
  fileName: string;
  fileType: string;
  bytes: number;
  model: string;
  language?: string;
  authorization?: string;
}

const FORMATS = new Set(['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm']);

/** A WAV of a 220 Hz tone (what a fake voice sounds like). */
export function toneWav(ms: number, rate = 22050): Buffer {
  const n = Math.round((rate * ms) / 1000);
  const wav = Buffer.alloc(44 + n * 2);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + n * 2, 4);
  wav.write('WAVEfmt ', 8, 'ascii');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / rate)), 44 + i * 2);
  return wav;
}

export class FakeSpeechServer {
  readonly speech: SpeechRequest[] = [];
  readonly transcriptions: TranscriptionRequest[] = [];
  private readonly texts = new Map<string, string>();
  /** answer every request with this status instead */
  failWith?: number;

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FakeSpeechServer> {
    // (The server's handler needs the fake, made with the server.)
    const fake: FakeSpeechServer = new FakeSpeechServer(await listenLocally((req, res) => fake.handle(req, res)));
    return fake;
  }

  get url(): string {
    return originOf(this.server);
  }

  /** What the transcription hears in these bytes. */
  says(audio: Buffer, text: string): void {
    this.texts.set(audio.toString('base64'), text);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await bodyOf(req);
    const fail = (status: number, message: string) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message } }));
    };
    if (this.failWith) return fail(this.failWith, 'failing on purpose');
    if (req.method !== 'POST') return fail(405, 'method not allowed');
    const authorization = req.headers.authorization;
    if (req.url === '/v1/audio/speech') {
      if (!/^application\/json/.test(req.headers['content-type'] ?? '')) return fail(415, 'JSON expected');
      let json: Partial<SpeechRequest>;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return fail(400, 'invalid JSON');
      }
      if (typeof json.model !== 'string' || typeof json.input !== 'string' || !json.input)
        return fail(400, 'model and input are required');
      if (typeof json.voice !== 'string') return fail(400, 'voice is required');
      if (json.response_format && !FORMATS.has(json.response_format)) return fail(400, 'unknown response_format');
      this.speech.push({ ...(json as SpeechRequest), authorization });
      if (json.response_format !== 'wav') return fail(400, 'this fake speaks WAV only');
      res.writeHead(200, { 'Content-Type': 'audio/wav' });
      return void res.end(toneWav(80 * json.input.length));
    }
    if (req.url === '/v1/audio/transcriptions') {
      if (!/^multipart\/form-data; boundary=/.test(req.headers['content-type'] ?? ''))
        return fail(400, 'multipart/form-data expected');
      const form = await new Request('http://fake/', {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type']! },
        body,
      }).formData();
      const file = form.get('file');
      const model = form.get('model');
      if (!(file instanceof File) || !file.name) return fail(400, 'file is required');
      if (typeof model !== 'string' || !model) return fail(400, 'model is required');
      const language = form.get('language');
      if (language !== null && !/^[a-z]{2}$/.test(String(language))) return fail(400, 'language: ISO 639-1');
      const audio = Buffer.from(await file.arrayBuffer());
      this.transcriptions.push({
        fileName: file.name,
        fileType: file.type,
        bytes: audio.length,
        model,
        ...(language !== null && { language: String(language) }),
        authorization,
      });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ text: this.texts.get(audio.toString('base64')) ?? '' }));
    }
    fail(404, 'not found');
  }
}
