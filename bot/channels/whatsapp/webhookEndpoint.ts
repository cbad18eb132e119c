// The WhatsApp webhook, Meta's Cloud API calling us:
//   GET  /api/whatsapp   the verification handshake: hub.mode=subscribe and our verify token ->
//                        200 with hub.challenge as the body; anything else 403
//   POST /api/whatsapp   a webhook: signature (X-Hub-Signature-256) missing or wrong -> 401; body
//                        over 1 MB -> 413; not JSON or not the documented envelope -> 400. Every
//                        message is stored first, statuses applied, then 200; the new messages
//                        are then handed to the turn runner (turnRunner.ts).
// Nothing is handled before the 200: Meta waits for it, and delivers again what was not stored.
import crypto from 'node:crypto';
import type { Request, Response, Server } from 'restify';
import type { WhatsAppConfig } from '../../runtime/config';
import type { Logger } from '../../runtime/logger';
import { BodyAborted, BodyTooLarge, readBody } from '../../http/body';
import { safeError } from '../../runtime/safeError';
import type { WhatsAppSender } from './sender';
import { verifySignature } from './signature';
import type { QueuedInbound, WhatsAppStore } from './store';
import { parseWebhook } from './webhook';

export const WEBHOOK_PATH = '/api/whatsapp';
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export interface WebhookEndpointOptions {
  config: Pick<WhatsAppConfig, 'verifyToken' | 'appSecret' | 'phoneNumberId'>;
  log: Logger;
  store: WhatsAppStore;
  /** told of the statuses applied */
  sender: Pick<WhatsAppSender, 'afterStatuses'>;
  /** the new messages, stored and answered 200: to be handled */
  onStored: (rows: QueuedInbound[]) => void;
}

export class WebhookEndpoint {
  constructor(private readonly options: WebhookEndpointOptions) {}

  register(server: Server): void {
    // (Restify logs a value returned by an async handler: the handlers return nothing.)
    server.get(WEBHOOK_PATH, async (req: Request, res: Response) => {
      await this.handshake(req, res);
    });
    server.post(WEBHOOK_PATH, async (req: Request, res: Response) => {
      await this.receive(req, res);
    });
  }

  private async handshake(req: Request, res: Response) {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const token = typeof q['hub.verify_token'] === 'string' ? q['hub.verify_token'] : '';
    if (
      q['hub.mode'] === 'subscribe' &&
      typeof q['hub.challenge'] === 'string' &&
      safeEqual(token, this.options.config.verifyToken)
    ) {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.writeHead(200);
      res.end(q['hub.challenge']);
      return;
    }
    this.options.log.warn(
      { mode: typeof q['hub.mode'] === 'string' ? q['hub.mode'].slice(0, 20) : undefined },
      'whatsapp: verification refused',
    );
    res.send(403, { error: { code: 'Forbidden', message: 'Wrong hub.mode or hub.verify_token.' } });
  }

  private async receive(req: Request, res: Response) {
    const { log, config, store, sender } = this.options;
    let raw: Buffer;
    try {
      raw = await readBody(req, MAX_WEBHOOK_BYTES);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        res.setHeader('Connection', 'close');
        return res.send(413, {
          error: { code: 'PayloadTooLarge', message: `A webhook is at most ${MAX_WEBHOOK_BYTES} bytes.` },
        });
      }
      if (err instanceof BodyAborted) return;
      throw err;
    }
    // The signature is over the exact bytes received.
    if (!verifySignature(raw, req.headers['x-hub-signature-256'], config.appSecret)) {
      // Never the body: it may hold people's messages.
      log.warn(
        { bytes: raw.length, signed: req.headers['x-hub-signature-256'] !== undefined },
        'whatsapp: webhook refused: missing or wrong signature',
      );
      return res.send(401, { error: { code: 'Unauthorized', message: 'Missing or wrong X-Hub-Signature-256.' } });
    }
    const parsed = parseWebhook(raw, { phoneNumberId: config.phoneNumberId });
    if (!parsed.ok) {
      log.warn({ bytes: raw.length, problem: parsed.problem }, 'whatsapp: webhook refused');
      return res.send(400, { error: { code: 'BadArgument', message: parsed.problem } });
    }
    let fresh;
    try {
      for (const event of parsed.messages) {
        // Someone known by their wa_id who now writes with their business-scoped id only.
        if (!event.waId && event.bsuid) event.userKey = (await store.keyOfAltId(event.bsuid)) ?? event.userKey;
      }
      fresh = await store.storeInbound(parsed.messages);
      await sender.afterStatuses(await store.applyStatuses(parsed.statuses));
    } catch (err) {
      // Not stored: Meta will deliver it again.
      log.error({ err: safeError(err) }, 'whatsapp: webhook not stored');
      return res.send(503, { error: { code: 'Unavailable', message: 'Try again later.' } });
    }
    res.send(200, {
      received: parsed.messages.length,
      new: fresh.length,
      statuses: parsed.statuses.length,
      skipped: parsed.skipped,
    });
    if (parsed.skipped)
      log.warn({ skipped: parsed.skipped }, 'whatsapp: webhook items skipped (malformed, or written in a group)');
    this.options.onStored(fresh);
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
