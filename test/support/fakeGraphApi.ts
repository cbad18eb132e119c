// A local stand-in for Meta's Graph API (WhatsApp Cloud API), on 127.0.0.1, as faithful as our
// tests need: POST /<version>/<phone-number-id>/messages (sends, and read marks with typing),
// POST /<version>/<phone-number-id>/media (uploads, checked as Meta does: multipart fields, the
// supported types and their size limits, audio/ogg with the Opus codec only), GET
// /<version>/<media-id> and the media's bytes. It checks the access token (else 401, code
// 190), the body's shape and the Cloud API's limits (else 400, code 100 or 131009, as Meta
// does), records every request, and fails on demand: 429, 500, timeouts, 131047, 131026, 190...
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const GRAPH_VERSION = 'v26.0';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  body: unknown;
  at: number;
  /** the port it came in by (see entrance()) */
  via: number;
}

export interface SentMessage {
  /** wa_id or business-scoped id */
  to: string;
  wamid: string;
  body: Record<string, unknown>;
  at: number;
  /** the port the send came in by (see entrance()) */
  via: number;
}

/** What a failing request gets: an HTTP answer with Meta's error, or no answer at all. */
export type Failure = { status: number; code?: number; title?: string } | 'timeout';

export const FAILURES = {
  throttled: { status: 429, code: 130429, title: 'Rate limit hit' },
  pairRate: { status: 400, code: 131056, title: '(Business Account, Consumer Account) pair rate limit hit' },
  serverError: { status: 500, code: 131000, title: 'Something went wrong' },
  plain500: { status: 500 },
  reengage: { status: 400, code: 131047, title: 'Re-engagement message' },
  undeliverable: { status: 400, code: 131026, title: 'Message undeliverable' },
  token: { status: 401, code: 190, title: 'Invalid OAuth access token' },
  templateMissing: { status: 404, code: 132001, title: 'Template name does not exist in the translation' },
} as const;

interface Rule {
  when: (req: { to?: string; type?: string; body: Record<string, unknown> }) => boolean;
  failure: Failure;
  times: number;
}

export class FakeGraphApi {
  readonly requests: RecordedRequest[] = [];
  readonly sent: SentMessage[] = [];
  readonly reads: { messageId: string; typing: boolean; at: number }[] = [];
  private readonly rules: Rule[] = [];
  private readonly media = new Map<string, { bytes: Buffer; mimeType: string }>();
  /** files uploaded through POST /<phone-number-id>/media, in order */
  readonly uploads: { id: string; mimeType: string; fileName: string; bytes: Buffer }[] = [];
  private readonly hanging = new Set<http.ServerResponse>();
  private waiters: (() => void)[] = [];
  private counter = 0;
  private readonly entrances: http.Server[] = [];
  /** sends received and not answered yet (latencyMs), by the port they came in by */
  private readonly waiting = new Map<number, number>();
  /** milliseconds each send takes to answer (a slow network) */
  latencyMs = 0;
  /** told of every successful send (the benchmark follows replies with it) */
  onSent?: (message: SentMessage) => void;
  /** keep sent messages in `sent` (a long benchmark turns it off to save memory) */
  keep = true;

  private constructor(
    private readonly server: http.Server,
    readonly accessToken: string,
    readonly phoneNumberId: string,
  ) {}

  static async start(options: { accessToken?: string; phoneNumberId?: string } = {}): Promise<FakeGraphApi> {
    // (The server's handler needs the fake, made with the server: assigned just below.)
    // eslint-disable-next-line prefer-const
    let fake!: FakeGraphApi;
    const server = http.createServer((req, res) => void fake.handle(req, res));
    server.keepAliveTimeout = 5000;
    fake = new FakeGraphApi(
      server,
      options.accessToken ?? 'test-access-token',
      options.phoneNumberId ?? '100000000000001',
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The base to give WHATSAPP_GRAPH_URL. */
  get url(): string {
    return `${this.origin}/${GRAPH_VERSION}`;
  }

  /** The next `times` sends (matching `when`, if given) get `failure`. */
  fail(failure: Failure, options: { times?: number; to?: string; type?: string } = {}): void {
    this.rules.push({
      failure,
      times: options.times ?? 1,
      when: (r) =>
        (options.to === undefined || r.to === options.to) && (options.type === undefined || r.type === options.type),
    });
  }

  /** Every send fails with `failure` until clearFailures(). */
  failAll(failure: Failure): void {
    this.rules.push({ failure, times: Infinity, when: () => true });
  }

  clearFailures(): void {
    this.rules.length = 0;
  }

  addMedia(id: string, bytes: Buffer, mimeType: string): void {
    this.media.set(id, { bytes, mimeType });
  }

  /** Meta deletes uploads after 30 days: a send with that media id fails from then on. */
  expireMedia(id: string): void {
    this.media.delete(id);
  }

  /** Sends that succeeded to `to`, in order. */
  sentTo(to: string): SentMessage[] {
    return this.sent.filter((s) => s.to === to);
  }

  /** Waits until at least `count` messages were sent (to `to`, if given). */
  async waitForSent(count: number, options: { to?: string; timeoutMs?: number } = {}): Promise<SentMessage[]> {
    const deadline = Date.now() + (options.timeoutMs ?? 10000);
    const list = () => (options.to ? this.sentTo(options.to) : this.sent);
    while (list().length < count) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `expected ${count} sent message(s)${options.to ? ` to ${options.to}` : ''}, got ${list().length}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return list();
  }

  /**
   * Another address of the same fake, to give WHATSAPP_GRAPH_URL of one app instance among several:
   * what came in by it says `via` its port.
   */
  async entrance(): Promise<{ url: string; port: number }> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.entrances.push(server);
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/${GRAPH_VERSION}`, port };
  }

  /** Sends that came in by `port` (see entrance()) and are not answered yet (with latencyMs). */
  unanswered(port: number): number {
    return this.waiting.get(port) ?? 0;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const server of [this.server, ...this.entrances]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const at = Date.now(); // when it came in (its body may take a moment)
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString('utf8');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const url = new URL(req.url ?? '/', this.origin);
    const via = req.socket.localPort ?? 0;
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      authorization: req.headers.authorization,
      body,
      at,
      via,
    });

    if (url.pathname.startsWith('/media-bytes/'))
      return this.mediaBytes(req, res, decodeURIComponent(url.pathname.slice('/media-bytes/'.length)));
    if (req.headers.authorization !== `Bearer ${this.accessToken}`) return error(res, FAILURES.token);
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== GRAPH_VERSION) return error(res, { status: 400, code: 2635, title: 'Unsupported API version' });
    if (req.method === 'GET' && parts.length === 2) return this.mediaInfo(res, parts[1]);
    if (req.method === 'POST' && parts.length === 3 && parts[2] === 'media') {
      if (parts[1] !== this.phoneNumberId)
        return error(res, { status: 400, code: 100, title: 'Unsupported post request: unknown phone number id' });
      return this.upload(res, req.headers['content-type'] ?? '', bytes);
    }
    if (req.method === 'POST' && parts.length === 3 && parts[2] === 'messages') {
      if (parts[1] !== this.phoneNumberId)
        return error(res, { status: 400, code: 100, title: 'Unsupported post request: unknown phone number id' });
      return this.messages(res, body as Record<string, unknown>, via);
    }
    return error(res, { status: 400, code: 100, title: 'Unknown path' });
  }

  private async messages(res: http.ServerResponse, body: Record<string, unknown>, via: number) {
    if (!body || typeof body !== 'object' || body.messaging_product !== 'whatsapp')
      return error(res, { status: 400, code: 100, title: 'messaging_product must be whatsapp' });
    if (body.status === 'read') {
      if (typeof body.message_id !== 'string')
        return error(res, { status: 400, code: 100, title: 'message_id is required' });
      this.reads.push({ messageId: body.message_id, typing: !!body.typing_indicator, at: Date.now() });
      return json(res, 200, { success: true });
    }
    const to = typeof body.to === 'string' ? body.to : typeof body.recipient === 'string' ? body.recipient : undefined;
    if (!to) return error(res, { status: 400, code: 100, title: 'to or recipient is required' });
    const problem = invalid(body);
    if (problem) return error(res, { status: 400, code: problem.code, title: problem.title });
    const audioId = body.type === 'audio' ? (body.audio as { id?: string }).id : undefined;
    if (audioId !== undefined && !this.media.has(audioId))
      return error(res, { status: 400, code: 131053, title: 'Media upload error: unknown or expired media id' });
    const rule = this.rules.find((r) => r.times > 0 && r.when({ to, type: body.type as string, body }));
    if (rule) {
      rule.times--;
      if (rule.failure === 'timeout') {
        this.hanging.add(res); // never answered: the client gives up
        res.on('close', () => this.hanging.delete(res));
        return;
      }
      return error(res, rule.failure);
    }
    if (this.latencyMs) {
      this.waiting.set(via, (this.waiting.get(via) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, this.latencyMs));
      this.waiting.set(via, this.waiting.get(via)! - 1);
    }
    const wamid = `wamid.FAKE${String(++this.counter).padStart(8, '0')}`;
    const message = { to, wamid, body, at: Date.now(), via };
    if (this.keep) this.sent.push(message);
    this.onSent?.(message);
    this.waiters.splice(0).forEach((w) => w());
    return json(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: to, ...(/^\d+$/.test(to) ? { wa_id: to } : { user_id: to }) }],
      messages: [{ id: wamid }],
    });
  }

  private async upload(res: http.ServerResponse, contentType: string, body: Buffer) {
    if (!/^multipart\/form-data; *boundary=/.test(contentType))
      return error(res, { status: 400, code: 100, title: 'multipart/form-data expected' });
    let form: FormData;
    try {
      form = await new Request('http://fake/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      }).formData();
    } catch {
      return error(res, { status: 400, code: 100, title: 'malformed multipart body' });
    }
    if (form.get('messaging_product') !== 'whatsapp')
      return error(res, { status: 400, code: 100, title: 'messaging_product must be whatsapp' });
    const file = form.get('file');
    const type = form.get('type');
    if (!(file instanceof File)) return error(res, { status: 400, code: 100, title: 'file is required' });
    if (typeof type !== 'string' || !type) return error(res, { status: 400, code: 100, title: 'type is required' });
    const limit = UPLOAD_LIMITS[type];
    if (!limit) return error(res, { status: 400, code: 131053, title: `Media upload error: unsupported type ${type}` });
    const content = Buffer.from(await file.arrayBuffer());
    if (content.length > limit)
      return error(res, { status: 400, code: 131053, title: `Media upload error: larger than ${limit} bytes` });
    // WhatsApp plays audio/ogg with the Opus codec only (base audio/ogg, e.g. Vorbis, is refused).
    if (type === 'audio/ogg' && !(content.subarray(0, 4).toString() === 'OggS' && content.includes('OpusHead')))
      return error(res, { status: 400, code: 131053, title: 'Media upload error: audio/ogg needs the Opus codec' });
    const id = `media.FAKE${String(++this.counter).padStart(8, '0')}`;
    this.media.set(id, { bytes: content, mimeType: type });
    this.uploads.push({ id, mimeType: type, fileName: file.name, bytes: content });
    return json(res, 200, { id });
  }

  private mediaInfo(res: http.ServerResponse, id: string) {
    const media = this.media.get(id);
    if (!media) return error(res, { status: 400, code: 100, title: 'Invalid media id' });
    return json(res, 200, {
      messaging_product: 'whatsapp',
      url: `${this.origin}/media-bytes/${encodeURIComponent(id)}`,
      mime_type: media.mimeType,
      sha256: 'x',
      file_size: media.bytes.length,
      id,
    });
  }

  private mediaBytes(req: http.IncomingMessage, res: http.ServerResponse, id: string) {
    if (req.headers.authorization !== `Bearer ${this.accessToken}`) return error(res, FAILURES.token);
    const media = this.media.get(id);
    if (!media) return error(res, { status: 404 });
    res.writeHead(200, { 'Content-Type': media.mimeType, 'Content-Length': media.bytes.length });
    res.end(media.bytes);
  }
}

/** The media types the Cloud API takes, with their size limits (bytes). */
const UPLOAD_LIMITS: Record<string, number> = {
  'audio/aac': 16 * 1024 * 1024,
  'audio/amr': 16 * 1024 * 1024,
  'audio/mpeg': 16 * 1024 * 1024,
  'audio/mp4': 16 * 1024 * 1024,
  'audio/ogg': 16 * 1024 * 1024,
  'image/jpeg': 5 * 1024 * 1024,
  'image/png': 5 * 1024 * 1024,
  'application/pdf': 100 * 1024 * 1024,
};

/** The checks Meta makes on what we send (the ones our renderer must respect). */
function invalid(body: Record<string, unknown>): { code: number; title: string } | undefined {
  const bad = (title: string) => ({ code: 131009, title: `Parameter value is not valid: ${title}` });
  const t = body.type;
  if (t === 'text') {
    const text = body.text as { body?: unknown } | undefined;
    if (typeof text?.body !== 'string' || !text.body) return { code: 100, title: 'text.body is required' };
    if (text.body.length > 4096) return bad('text.body is longer than 4096');
    return undefined;
  }
  if (t === 'interactive') {
    const i = body.interactive as
      { type?: string; body?: { text?: string }; action?: Record<string, unknown> } | undefined;
    const text = i?.body?.text;
    if (typeof text !== 'string' || !text) return { code: 100, title: 'interactive.body.text is required' };
    if (i?.type === 'button') {
      const buttons = (i.action?.buttons ?? []) as { type?: string; reply?: { id?: string; title?: string } }[];
      if (text.length > 1024) return bad('button body is longer than 1024');
      if (!buttons.length || buttons.length > 3) return bad('1 to 3 buttons');
      for (const b of buttons) {
        if (b.type !== 'reply' || !b.reply?.id || !b.reply.title)
          return { code: 100, title: 'a button needs an id and a title' };
        if (b.reply.title.length > 20) return bad('button title longer than 20');
        if (b.reply.id.length > 256) return bad('button id longer than 256');
      }
      if (new Set(buttons.map((b) => b.reply!.title)).size !== buttons.length)
        return bad('button titles must be unique');
      return undefined;
    }
    if (i?.type === 'list') {
      if (text.length > 4096) return bad('list body is longer than 4096');
      const button = i.action?.button;
      if (typeof button !== 'string' || !button || button.length > 20) return bad('list button text of 1 to 20');
      const sections = (i.action?.sections ?? []) as {
        title?: string;
        rows?: { id?: string; title?: string; description?: string }[];
      }[];
      const rows = sections.flatMap((s) => s.rows ?? []);
      if (!rows.length || rows.length > 10) return bad('1 to 10 rows');
      if (sections.length > 1 && sections.some((s) => !s.title)) return bad('sections need titles');
      for (const r of rows) {
        if (!r.id || !r.title) return { code: 100, title: 'a row needs an id and a title' };
        if (r.title.length > 24) return bad('row title longer than 24');
        if (r.description !== undefined && r.description.length > 72) return bad('row description longer than 72');
        if (r.id.length > 200) return bad('row id longer than 200');
      }
      if (new Set(rows.map((r) => r.id)).size !== rows.length) return bad('row ids must be unique');
      return undefined;
    }
    return { code: 100, title: 'unknown interactive type' };
  }
  if (t === 'audio') {
    const audio = body.audio as { id?: unknown; link?: unknown } | undefined;
    if (typeof audio?.id !== 'string' && typeof audio?.link !== 'string')
      return { code: 100, title: 'audio.id or audio.link is required' };
    return undefined;
  }
  if (t === 'template') {
    const template = body.template as { name?: string; language?: { code?: string } } | undefined;
    if (!template?.name || !template.language?.code)
      return { code: 100, title: 'template name and language are required' };
    return undefined;
  }
  return { code: 100, title: `unsupported type ${String(t)}` };
}

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function error(res: http.ServerResponse, failure: Exclude<Failure, 'timeout'>) {
  if (failure.code === undefined) {
    res.writeHead(failure.status, { 'Content-Type': 'text/plain' });
    return res.end('error');
  }
  json(res, failure.status, {
    error: {
      message: `(#${failure.code}) ${failure.title ?? 'error'}`,
      type: 'OAuthException',
      code: failure.code,
      error_data: { messaging_product: 'whatsapp', details: failure.title },
      fbtrace_id: 'FAKE',
    },
  });
}
