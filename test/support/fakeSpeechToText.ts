// A local speech-to-text service for tests (the interface SPEECH_TO_TEXT_URL names, see
// bot/voice/speechToText.ts): POST audio with ?language=<tag>, get {"text": ...}. It answers with the text
// registered for the audio's bytes, records every request, and can fail on demand.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export class FakeSpeechToText {
  readonly requests: { language: string | null; contentType?: string; bytes: number }[] = [];
  private readonly texts = new Map<string, string>();
  /** answer every request with this HTTP status instead (e.g. 503) */
  failWith?: number;
  /** never answer (the request hangs until the caller gives up or dies) */
  hang = false;
  /** resolves when a request arrives */
  private arrived: (() => void)[] = [];

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FakeSpeechToText> {
    // (The server's handler needs the fake, made with the server: assigned just below.)
    // eslint-disable-next-line prefer-const
    let fake!: FakeSpeechToText;
    const server = http.createServer((req, res) => void fake.handle(req, res));
    fake = new FakeSpeechToText(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/transcribe`;
  }

  /** What the service hears in these bytes. */
  says(audio: Buffer, text: string): void {
    this.texts.set(audio.toString('base64'), text);
  }

  /** Resolves at the next request. */
  nextRequest(): Promise<void> {
    return new Promise((resolve) => this.arrived.push(resolve));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const audio = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://localhost');
    this.requests.push({
      language: url.searchParams.get('language'),
      contentType: req.headers['content-type'],
      bytes: audio.length,
    });
    this.arrived.splice(0).forEach((r) => r());
    if (this.hang) return;
    if (this.failWith) {
      res.writeHead(this.failWith);
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ text: this.texts.get(audio.toString('base64')) ?? '' }));
  }
}
