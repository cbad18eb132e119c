// Reads a webhook body (already signature-checked): every entry, change, message and status.
// A body that is not JSON, or not the documented envelope, is refused (the caller answers 400).
// Inside a good envelope, an item we cannot use (no id, a sender we cannot answer) is skipped and
// counted, so one odd item never makes Meta retry the whole delivery for days. A message written
// in a WhatsApp group (it has a `group_id`) is skipped too: the bot talks with one person at a
// time, and never tells a group about anyone's case.
import type { WaContact, WaMessage } from './payloads';
import { MAX_FREE_TEXT } from '../../turns/middleware/inboundText';

export interface InboundEvent {
  /** the message id (wamid) */
  wamid: string;
  /** who wrote: their wa_id when the payload has one, else their business-scoped user id */
  userKey: string;
  waId?: string;
  bsuid?: string;
  /** the name the person set in WhatsApp */
  profileName?: string;
  /** when they sent it (Meta's clock), ms */
  sentAt: number;
  /** the number it was sent to (metadata.phone_number_id) */
  phoneNumberId: string;
  message: WaMessage;
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusEvent {
  wamid: string;
  status: DeliveryStatus;
  at: Date;
  errors: { code: number; title?: string }[];
}

export type ParsedWebhook =
  | { ok: true; messages: InboundEvent[]; statuses: StatusEvent[]; skipped: number; ignored: number }
  | { ok: false; problem: string };

const STATUSES = new Set<string>(['sent', 'delivered', 'read', 'failed']);
const WA_ID = /^\d{5,20}$/;
// CC.digits, or a parent id CC.ENT.digits; up to 128 characters after the country code.
const BSUID = /^[A-Z]{2}\.[A-Za-z0-9.]{1,140}$/;
const MAX_ID = 512;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
// A lone surrogate (half an emoji: a cut, or a stray \ud83d escape) is not text, and Prisma refuses
// it as a query parameter: every string read here is made well formed (U+FFFD in its place).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const wellFormed = (s: string): string => s.replace(LONE_SURROGATE, '\ufffd');
const str = (v: unknown, max = MAX_ID): string | undefined =>
  typeof v === 'string' && v.length > 0 && v.length <= max ? wellFormed(v) : undefined;

/** Meta's timestamps are seconds since 1970, as a string; at most 12 digits, so always a valid date. */
function seconds(v: unknown): number | undefined {
  const n =
    typeof v === 'string' && /^\d{1,12}$/.test(v)
      ? Number(v)
      : typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 999_999_999_999
        ? v
        : undefined;
  return n === undefined ? undefined : n * 1000;
}

export function parseWebhook(raw: Buffer | string, options: { phoneNumberId?: string } = {}): ParsedWebhook {
  let body: unknown;
  try {
    body = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { ok: false, problem: 'The body is not JSON.' };
  }
  if (!isObject(body) || body.object !== 'whatsapp_business_account') {
    return {
      ok: false,
      problem: 'Not a WhatsApp Business Account webhook: "object" must be "whatsapp_business_account".',
    };
  }
  if (!Array.isArray(body.entry)) return { ok: false, problem: '"entry" must be an array.' };
  const out = {
    ok: true as const,
    messages: [] as InboundEvent[],
    statuses: [] as StatusEvent[],
    skipped: 0,
    ignored: 0,
  };
  for (const entry of body.entry) {
    if (!isObject(entry) || !Array.isArray(entry.changes))
      return { ok: false, problem: 'Every entry must have a "changes" array.' };
    for (const change of entry.changes) {
      if (!isObject(change) || typeof change.field !== 'string' || !isObject(change.value)) {
        return { ok: false, problem: 'Every change must have a "field" and a "value" object.' };
      }
      if (change.field !== 'messages') {
        out.ignored++; // account, template and other updates are not for this channel
        continue;
      }
      const problem = readValue(change.value, options.phoneNumberId, out);
      if (problem) return { ok: false, problem };
    }
  }
  return out;
}

function readValue(
  value: Obj,
  ourNumber: string | undefined,
  out: { messages: InboundEvent[]; statuses: StatusEvent[]; skipped: number; ignored: number },
): string | undefined {
  for (const list of ['messages', 'statuses', 'contacts', 'errors'] as const) {
    if (value[list] !== undefined && !Array.isArray(value[list])) return `"${list}" must be an array.`;
  }
  const phoneNumberId = isObject(value.metadata) ? str(value.metadata.phone_number_id, 64) : undefined;
  const messages = (value.messages ?? []) as unknown[];
  const statuses = (value.statuses ?? []) as unknown[];
  if (!phoneNumberId) {
    if (messages.length || statuses.length) return '"metadata.phone_number_id" is missing.';
    return undefined;
  }
  if (ourNumber && phoneNumberId !== ourNumber) {
    // Another number of the same business account: not ours to answer.
    out.ignored += messages.length + statuses.length;
    return undefined;
  }
  const contacts = ((value.contacts ?? []) as unknown[]).filter(isObject) as WaContact[];
  for (const m of messages) {
    const event = isObject(m) ? readMessage(m, contacts, phoneNumberId) : undefined;
    if (event === 'ignored') out.ignored++;
    else if (event) out.messages.push(event);
    else out.skipped++;
  }
  for (const s of statuses) {
    const status = isObject(s) ? readStatus(s) : undefined;
    if (status) out.statuses.push(status);
    else out.skipped++;
  }
  return undefined;
}

function readMessage(m: Obj, contacts: WaContact[], phoneNumberId: string): InboundEvent | 'ignored' | undefined {
  const wamid = str(m.id);
  const type = str(m.type, 64);
  const sentAt = seconds(m.timestamp);
  if (!wamid || !type || sentAt === undefined) return undefined;
  if (m.group_id !== undefined) return undefined; // a group's message: no reply, no turn, not stored
  if (type === 'reaction') return 'ignored';
  let waId = typeof m.from === 'string' && WA_ID.test(m.from) ? m.from : undefined;
  let bsuid = typeof m.from_user_id === 'string' && BSUID.test(m.from_user_id) ? m.from_user_id : undefined;
  // The contact of this sender (the one with the same ids, or the only one) gives the profile
  // name and the id the message lacks; a contact that contradicts the message is not theirs.
  let contact =
    contacts.find((c) => (waId && c.wa_id === waId) || (bsuid && c.user_id === bsuid)) ??
    (contacts.length === 1 ? contacts[0] : undefined);
  const contactWaId = typeof contact?.wa_id === 'string' && WA_ID.test(contact.wa_id) ? contact.wa_id : undefined;
  const contactBsuid =
    typeof contact?.user_id === 'string' && BSUID.test(contact.user_id) ? contact.user_id : undefined;
  if ((waId && contactWaId && contactWaId !== waId) || (bsuid && contactBsuid && contactBsuid !== bsuid))
    contact = undefined;
  else {
    waId ??= contactWaId;
    bsuid ??= contactBsuid;
  }
  const userKey = waId ?? bsuid;
  if (!userKey) return undefined; // nobody we could answer
  const name =
    contact && isObject(contact.profile) && typeof contact.profile.name === 'string'
      ? wellFormed(contact.profile.name.slice(0, 200))
      : undefined;
  return {
    wamid,
    userKey,
    waId,
    bsuid,
    profileName: name || undefined,
    sentAt,
    phoneNumberId,
    message: sanitize(m, type),
  };
}

/** The message as we keep it: the fields we use, each of the right type, texts within bounds. */
function sanitize(m: Obj, type: string): WaMessage {
  const out: WaMessage = { id: wellFormed(m.id as string), timestamp: String(m.timestamp), type };
  const text = (v: unknown, max: number) => (typeof v === 'string' ? wellFormed(v.slice(0, max)) : undefined);
  if (isObject(m.context)) out.context = { id: text(m.context.id, MAX_ID) };
  if (isObject(m.text)) out.text = { body: text(m.text.body, MAX_FREE_TEXT) ?? '' };
  if (isObject(m.interactive)) {
    const i = m.interactive;
    const reply = (r: unknown) =>
      isObject(r) ? { id: text(r.id, MAX_ID) ?? '', title: text(r.title, 200) ?? '' } : undefined;
    out.interactive = {
      type: text(i.type, 64) ?? '',
      button_reply: reply(i.button_reply),
      list_reply: reply(i.list_reply),
    };
  }
  if (isObject(m.button)) out.button = { text: text(m.button.text, 200), payload: text(m.button.payload, MAX_ID) };
  for (const kind of ['audio', 'image', 'document'] as const) {
    const media = m[kind];
    if (isObject(media) && typeof media.id === 'string') {
      out[kind] = {
        id: wellFormed(media.id.slice(0, 128)),
        mime_type: text(media.mime_type, 128),
        url: text(media.url, 2048),
        ...(kind === 'audio' && { voice: media.voice === true }),
        ...(kind !== 'audio' && { caption: text(media.caption, 1024) }),
        ...(kind === 'document' && { filename: text(media.filename, 200) }),
      };
    }
  }
  if (isObject(m.location) && typeof m.location.latitude === 'number' && typeof m.location.longitude === 'number') {
    out.location = {
      latitude: m.location.latitude,
      longitude: m.location.longitude,
      name: text(m.location.name, 200),
      address: text(m.location.address, 400),
    };
  }
  return out;
}

function readStatus(s: Obj): StatusEvent | undefined {
  const wamid = str(s.id);
  const at = seconds(s.timestamp);
  if (!wamid || typeof s.status !== 'string' || !STATUSES.has(s.status) || at === undefined) return undefined;
  const errors = Array.isArray(s.errors)
    ? (s.errors as unknown[])
        .filter(isObject)
        .flatMap((e) =>
          typeof e.code === 'number' && Number.isInteger(e.code)
            ? [{ code: e.code, ...(typeof e.title === 'string' && { title: wellFormed(e.title.slice(0, 200)) }) }]
            : [],
        )
    : [];
  return { wamid, status: s.status as DeliveryStatus, at: new Date(at), errors };
}
