// The calls we make to Meta's Graph API for WhatsApp (WHATSAPP_GRAPH_URL, with its version):
//   POST /<phone-number-id>/messages   send a message; mark one read with a typing indicator
//   POST /<phone-number-id>/media      upload a file (multipart: messaging_product, type, file): its media id
//   GET  /<media-id>                    a media's short-lived URL; then GET that URL: its bytes
// Every call carries the access token and a timeout. A failure is a GraphError with Meta's code
// and title when the answer had them, and what to do about it (see errors.ts).
import http from 'node:http';
import https from 'node:https';
import type { GraphErrorBody, OutboundMessage, SendResponse } from './payloads';
import { classify, type ErrorClass } from './errors';

export interface GraphOptions {
  baseUrl: string;
  accessToken: string;
  phoneNumberId: string;
  /** per request, ms */
  timeoutMs?: number;
  /** connections open at once to the Graph API (default 64) */
  maxConnections?: number;
}

/**
 * A person on WhatsApp: their phone number (wa_id) or, for people known by a username only, their business-scoped id.
 */
export type Recipient = string;

export class GraphError extends Error {
  override name = 'GraphError';
  readonly kind: ErrorClass;

  constructor(
    message: string,
    /** HTTP status, if an answer came */
    readonly status?: number,
    /** Meta's error code (131047...), if the answer had one */
    readonly code?: number,
    readonly title?: string,
  ) {
    super(message);
    this.kind = classify(status, code);
  }
}

export interface MediaInfo {
  url: string;
  mimeType?: string;
  size?: number;
}

export class GraphClient {
  private readonly timeoutMs: number;
  // The JSON calls go through node:http with kept-alive connections: at 1,000 sends a second,
  // fetch's streams and abort signals made several times the garbage (and the memory) per send.
  private readonly agent: http.Agent;

  constructor(private readonly options: GraphOptions) {
    this.timeoutMs = options.timeoutMs ?? 15000;
    const Agent = options.baseUrl.startsWith('https:') ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: options.maxConnections ?? 64 });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  /** Sends a message; resolves with its wamid. */
  async send(to: Recipient, message: OutboundMessage): Promise<string> {
    // A phone number goes in "to"; a business-scoped id (CC.digits) in "recipient".
    const address = /^\d+$/.test(to) ? { to } : { recipient: to };
    const body = { messaging_product: 'whatsapp', recipient_type: 'individual', ...address, ...message };
    const answer = (await this.call('POST', `/${this.options.phoneNumberId}/messages`, body)) as SendResponse;
    const id = answer?.messages?.[0]?.id;
    if (typeof id !== 'string' || !id) throw new GraphError('the send was answered without a message id', 200);
    return id;
  }

  /** Marks a received message read and shows "typing..." to the person (for up to 25 s). */
  async markRead(messageId: string, typing = true): Promise<void> {
    await this.call('POST', `/${this.options.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: messageId,
      ...(typing && { typing_indicator: { type: 'text' } }),
    });
  }

  /** Uploads a file to Meta's media store (kept there 30 days); resolves with its media id. */
  async uploadMedia(file: Buffer, contentType: string, fileName: string): Promise<string> {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', contentType);
    form.set('file', new Blob([new Uint8Array(file)], { type: contentType }), fileName);
    const res = await this.fetch(`${this.options.baseUrl}/${this.options.phoneNumberId}/media`, {
      method: 'POST',
      body: form,
    });
    const answer = (await res.json().catch(() => undefined)) as { id?: unknown } & GraphErrorBody;
    if (!res.ok) {
      const code = typeof answer?.error?.code === 'number' ? answer.error.code : undefined;
      throw new GraphError(`media upload answered ${res.status}`, res.status, code, answer?.error?.message);
    }
    if (typeof answer?.id !== 'string' || !answer.id)
      throw new GraphError('the upload was answered without an id', 200);
    return answer.id;
  }

  async mediaInfo(mediaId: string): Promise<MediaInfo> {
    const answer = (await this.call('GET', `/${encodeURIComponent(mediaId)}`)) as {
      url?: unknown;
      mime_type?: unknown;
      file_size?: unknown;
    };
    if (typeof answer?.url !== 'string') throw new GraphError('the media has no URL', 200);
    return {
      url: answer.url,
      mimeType: typeof answer.mime_type === 'string' ? answer.mime_type : undefined,
      size: typeof answer.file_size === 'number' ? answer.file_size : undefined,
    };
  }

  /** The bytes of a media (its URL needs the access token too); refuses more than `maxBytes`. */
  async download(url: string, maxBytes: number): Promise<Buffer> {
    const res = await this.fetch(url, { method: 'GET' });
    if (!res.ok) throw new GraphError(`media download answered ${res.status}`, res.status);
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > maxBytes)
      throw new GraphError(`the media is larger than ${maxBytes} bytes`, 413, undefined, 'too large');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > maxBytes)
        throw new GraphError(`the media is larger than ${maxBytes} bytes`, 413, undefined, 'too large');
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const { status, text } = await this.request(
      method,
      `${this.options.baseUrl}${path}`,
      body === undefined ? undefined : JSON.stringify(body),
    );
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (status < 200 || status >= 300) {
      const error = (parsed as GraphErrorBody | undefined)?.error;
      const code = typeof error?.code === 'number' ? error.code : undefined;
      // "(#131047) Re-engagement message": the title without its code.
      const title =
        typeof error?.message === 'string' ? error.message.replace(/^\(#\d+\)\s*/, '').slice(0, 200) : undefined;
      throw new GraphError(
        `Graph API ${method} answered ${status}${code !== undefined ? ` (code ${code})` : ''}`,
        status,
        code,
        title,
      );
    }
    return parsed;
  }

  /**
   * One JSON request: its status and body text; no answer within the timeout, or none at all, is a GraphError without
   * status.
   */
  private request(method: string, url: string, body?: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {
        Authorization: `Bearer ${this.options.accessToken}`,
        Accept: 'application/json',
      };
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = Buffer.byteLength(body);
      }
      const transport = url.startsWith('https:') ? https : http;
      let settled = false;
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        // No answer at all: a timeout or a network failure, both worth trying again.
        reject(new GraphError(message));
      };
      const req = transport.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err) => fail(`Graph API unreachable: ${err.message}`));
        res.on('aborted', () => fail('Graph API unreachable: the answer was cut off'));
      });
      const timer = setTimeout(() => fail(`Graph API did not answer within ${this.timeoutMs} ms`), this.timeoutMs);
      req.on('error', (err) => fail(`Graph API unreachable: ${err.message}`));
      req.end(body);
    });
  }

  private async fetch(
    url: string,
    init: { method: string; body?: string | FormData; headers?: Record<string, string> },
  ): Promise<Response> {
    try {
      return await fetch(url, {
        ...init,
        headers: { ...init.headers, Authorization: `Bearer ${this.options.accessToken}` },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timeout = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      // No answer at all: a timeout or a network failure, both worth trying again.
      throw new GraphError(
        timeout
          ? `Graph API did not answer within ${this.timeoutMs} ms`
          : `Graph API unreachable: ${(err as Error).message}`,
      );
    }
  }
}
