// Webhooks as Meta sends them, for tests: envelopes of messages and statuses (fictional numbers),
// signed with the test app secret, and a way to post them to the server.
import fs from 'node:fs';
import path from 'node:path';
import { signatureOf } from '../../bot/channels/whatsapp/signature';
import { projectRoot } from '../../bot/runtime/paths';

/** The app secret our fixtures are signed with (testdata/SIGNATURES.txt, computed with openssl). */
export const APP_SECRET = 'passerelle-test-app-secret-NOT-REAL';
export const VERIFY_TOKEN = 'test-verify-token';
export const PHONE_NUMBER_ID = '100000000000001';
export const ACCESS_TOKEN = 'test-access-token';

export const FIXTURES = path.join(projectRoot, 'bot', 'channels', 'whatsapp', 'testdata');

/** The exact bytes of a fixture of the channel's testdata/. */
export function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, name));
}

/** The signatures given for some fixtures (testdata/SIGNATURES.txt), as Meta would send them. */
export function fixtureSignatures(): Map<string, string> {
  const text = fs.readFileSync(path.join(FIXTURES, 'SIGNATURES.txt'), 'utf8');
  return new Map(
    text
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((p) => p.length === 2)
      .map(([file, sig]) => [file, sig]),
  );
}

let counter = 0;
const nextWamid = () => `wamid.TEST${Date.now().toString(36)}${(++counter).toString(36).padStart(6, '0')}`;

export interface From {
  /** digits of the phone number (wa_id); omit for a username-only person */
  waId?: string;
  bsuid?: string;
  name?: string;
}

/** The envelope of one change of the "messages" field, for our number. */
function envelope<V extends Record<string, unknown>>(value: V) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '200000000000001',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '33180000000', phone_number_id: PHONE_NUMBER_ID },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/** An envelope with one message from `from`. */
export function messageWebhook(
  from: From,
  message: Record<string, unknown>,
  options: { wamid?: string; timestamp?: number } = {},
) {
  return envelope({
    contacts: [
      {
        profile: { name: from.name ?? 'Test' },
        ...(from.waId && { wa_id: from.waId }),
        ...(from.bsuid && { user_id: from.bsuid }),
      },
    ],
    messages: [
      {
        ...(from.waId && { from: from.waId }),
        ...(from.bsuid && { from_user_id: from.bsuid }),
        id: options.wamid ?? nextWamid(),
        timestamp: String(Math.floor((options.timestamp ?? Date.now()) / 1000)),
        ...message,
      },
    ],
  });
}

export const text = (from: From, body: string, options?: { wamid?: string; timestamp?: number }) =>
  messageWebhook(from, { type: 'text', text: { body } }, options);

export const buttonReply = (from: From, id: string, title: string) =>
  messageWebhook(from, { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id, title } } });

export const listReply = (from: From, id: string, title: string) =>
  messageWebhook(from, { type: 'interactive', interactive: { type: 'list_reply', list_reply: { id, title } } });

export const templateButton = (from: From, payload: string, label: string) =>
  messageWebhook(from, { type: 'button', button: { payload, text: label } });

export const voiceNote = (from: From, mediaId: string) =>
  messageWebhook(from, {
    type: 'audio',
    audio: { id: mediaId, mime_type: 'audio/ogg; codecs=opus', sha256: 'x', voice: true },
  });

export const image = (from: From, mediaId: string, caption?: string) =>
  messageWebhook(from, {
    type: 'image',
    image: { id: mediaId, mime_type: 'image/jpeg', sha256: 'x', ...(caption && { caption }) },
  });

/** An envelope with statuses of our messages. */
export function statusWebhook(
  statuses: {
    wamid: string;
    status: 'sent' | 'delivered' | 'read' | 'failed';
    to?: string;
    errors?: { code: number; title: string }[];
    timestamp?: number;
  }[],
) {
  return envelope({
    statuses: statuses.map((s) => ({
      id: s.wamid,
      status: s.status,
      timestamp: String(Math.floor((s.timestamp ?? Date.now()) / 1000)),
      recipient_id: s.to ?? '33600000001',
      ...(s.errors && { errors: s.errors.map((e) => ({ ...e, message: e.title, error_data: { details: e.title } })) }),
    })),
  });
}

/** Posts a webhook body (an object is serialised as Meta does: non-ASCII as \uXXXX), signed unless told otherwise. */
export async function postWebhook(
  baseUrl: string,
  body: object | string | Buffer,
  options: { signature?: string | null; secret?: string } = {},
): Promise<Response> {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : asMetaJson(body));
  const signature =
    options.signature === undefined ? signatureOf(raw, options.secret ?? APP_SECRET) : options.signature;
  return fetch(`${baseUrl}/api/whatsapp`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(signature !== null && { 'X-Hub-Signature-256': signature }) },
    body: raw,
  });
}

/** JSON with every non-ASCII character escaped, the way Meta serialises (and signs) webhooks. */
export function asMetaJson(body: object): string {
  return JSON.stringify(body).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The environment that turns the channel on against a fake Graph API. */
export function whatsappEnv(graphUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    WHATSAPP_GRAPH_URL: graphUrl,
    ...extra,
  };
}
