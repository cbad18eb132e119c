// The shapes of Meta's WhatsApp Cloud API that we read and write: the webhook envelope (messages,
// contacts, statuses) and the bodies of POST /<phone-number-id>/messages. Only the fields we use;
// every inbound field is treated as optional until webhook.ts has checked it.

// ---- Webhooks (Meta -> us) ----

export interface WebhookEnvelope {
  object: 'whatsapp_business_account';
  entry: WebhookEntry[];
}

export interface WebhookEntry {
  /** the WhatsApp Business Account id */
  id: string;
  changes: WebhookChange[];
}

export interface WebhookChange {
  /** "messages" for messages and statuses; other fields (account updates...) are not ours */
  field: string;
  value: ChangeValue;
}

export interface ChangeValue {
  messaging_product: 'whatsapp';
  metadata: { display_phone_number?: string; phone_number_id: string };
  contacts?: WaContact[];
  messages?: WaMessage[];
  statuses?: WaStatus[];
}

export interface WaContact {
  profile?: { name?: string };
  /** the phone number as digits; users with a username may not have it */
  wa_id?: string;
  /** the business-scoped user id (e.g. FR.4100000000000000001) */
  user_id?: string;
}

export interface WaMedia {
  id: string;
  mime_type?: string;
  sha256?: string;
  /** the media's URL (newer payloads); it expires, the id does not */
  url?: string;
}

export interface WaMessage {
  from?: string;
  from_user_id?: string;
  id: string;
  timestamp: string;
  type: string;
  context?: { from?: string; id?: string };
  text?: { body: string };
  interactive?: {
    type: string;
    button_reply?: { id: string; title: string };
    list_reply?: { id: string; title: string; description?: string };
  };
  /** a template's quick-reply button */
  button?: { text?: string; payload?: string };
  audio?: WaMedia & { voice?: boolean };
  image?: WaMedia & { caption?: string };
  document?: WaMedia & { caption?: string; filename?: string };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  reaction?: { message_id?: string; emoji?: string };
}

export interface WaError {
  code: number;
  title?: string;
  message?: string;
  error_data?: { details?: string };
}

export interface WaStatus {
  /** the wamid of our message */
  id: string;
  status: string;
  timestamp: string;
  recipient_id?: string;
  recipient_user_id?: string;
  errors?: WaError[];
}

// ---- Sending (us -> Meta) ----

export interface TextMessage {
  type: 'text';
  text: { body: string; preview_url?: boolean };
}

export interface ButtonsMessage {
  type: 'interactive';
  interactive: {
    type: 'button';
    body: { text: string };
    action: { buttons: { type: 'reply'; reply: { id: string; title: string } }[] };
  };
}

export interface ListRow {
  id: string;
  title: string;
  description?: string;
}

export interface ListMessage {
  type: 'interactive';
  interactive: {
    type: 'list';
    body: { text: string };
    action: { button: string; sections: { title?: string; rows: ListRow[] }[] };
  };
}

export type TemplateComponent =
  | { type: 'body'; parameters: { type: 'text'; text: string }[] }
  | { type: 'button'; sub_type: 'quick_reply'; index: string; parameters: { type: 'payload'; payload: string }[] };

export interface TemplateMessage {
  type: 'template';
  template: { name: string; language: { code: string }; components?: TemplateComponent[] };
}

/** A voice note: an uploaded Ogg/Opus file, by its media id. */
export interface AudioMessage {
  type: 'audio';
  audio: { id: string };
}

/** A message to send, without its recipient (added when it is sent). */
export type OutboundMessage = TextMessage | ButtonsMessage | ListMessage | TemplateMessage | AudioMessage;

/** The limits of the Cloud API for what we send. */
export const LIMITS = {
  text: 4096,
  buttonsBody: 1024,
  listBody: 4096,
  buttons: 3,
  buttonTitle: 20,
  listRows: 10,
  listButton: 20,
  rowTitle: 24,
  rowDescription: 72,
  replyId: 256,
  rowId: 200,
} as const;

/** The answer of a successful send. */
export interface SendResponse {
  messaging_product?: 'whatsapp';
  contacts?: { input?: string; wa_id?: string; user_id?: string }[];
  messages?: { id: string; message_status?: string }[];
}

/** The body of a failed Graph API call. */
export interface GraphErrorBody {
  error?: {
    message?: string;
    type?: string;
    code?: number;
    error_subcode?: number;
    error_data?: { details?: string };
    fbtrace_id?: string;
  };
}
