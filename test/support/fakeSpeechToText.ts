// A local speech-to-text service for tests (the interface SPEECH_TO_TEXT_URL names, see
// bot/voice/speechToText.ts): POST audio with ?language=<tag>, get {"text": ...}. It answers with the text
// registered for the audio's bytes, records every request, and can fail on demand.
import type http from 'node:http';
import { bodyOf, closeServer, listenLocally, originOf } from './ports';

export class FakeSpeechToText {
  readonly requests: { language: string | null; contentType?: string; bytes: number }[] = [];
  private readonly texts = new Map<string, string>();
  /** answer every request with this HTTP status instead (e.g. 503) */
  failWith?: number;
  /** never answer (the request hangs until the caller gives up or dies) */
  hang = false;
  /** answer this late, ms (a slow service) */
  delayMs = 0;
  /** resolves when a request arrives */
  private arrived: (() => void)[] = [];

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FakeSpeechToText> {
    // (The server's handler needs the fake, made with the server.)
    const fake: FakeSpeechToText = new FakeSpeechToText(await listenLocally((req, res) => fake.handle(req, res)));
    return fake;
  }

  get url(): string {
    return `${originOf(this.server)}/transcribe`;
  }

  /** What the service hears in these bytes. */
  says(audio: Buffer, text: string): void {
    this.texts.set(audio.toString('base64'), text);
  }

  /** Resolves at the next request. */
  nextRequest(): Promise<void> {
    return new Promise((resolve) => this.arrived.push(resolve));
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const audio = await bodyOf(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    this.requests.push({
      language: url.searchParams.get('language'),
      contentType: req.headers['content-type'],
      bytes: audio.length,
    });
    this.arrived.splice(0).forEach((r) => r());
    if (this.hang) return;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failWith) {
      res.writeHead(this.failWith);
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ text: this.texts.get(audio.toString('base64')) ?? '' }));
  }
}
