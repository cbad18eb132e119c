// What a WhatsApp message says, as the dialogs read any channel's message: its text (a button or
// list row we sent comes back as its id, which is the option's number), the media to keep (voice
// notes, photos, documents), a location. Reactions never reach here (webhook.ts drops them);
// anything else we cannot read is marked unsupported and gets a friendly answer.
import type { Activity, Attachment } from 'botbuilder-core';
import type { WaMessage } from './payloads';
import type { InboundEvent } from './webhook';
import { SHOW_WAITING_PAYLOAD } from './templates';

export const CHANNEL_ID = 'whatsapp';

export interface MediaReference {
  id: string;
  kind: 'audio' | 'image' | 'document';
  mimeType?: string;
  /** a voice note recorded in WhatsApp (not a sound file sent) */
  voice?: boolean;
  filename?: string;
}

export interface InboundContent {
  text?: string;
  /** what was tapped: the id and title of a button or row */
  value?: { id: string; title: string };
  media?: MediaReference;
  location?: NonNullable<WaMessage['location']>;
  /** nothing we can read (a sticker, a video, a contact card...): its type */
  unsupported?: string;
  /** message_waiting's button: show the messages that waited for the person */
  showWaiting?: boolean;
}

/** Ids of the buttons and rows we send are the options' numbers. */
const OUR_ID = /^\d{1,3}$/;

export function contentOf(message: WaMessage): InboundContent {
  switch (message.type) {
    case 'text':
      return message.text?.body ? { text: message.text.body } : { unsupported: 'empty' };
    case 'interactive': {
      const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
      if (!reply || (!reply.id && !reply.title))
        return { unsupported: `interactive:${message.interactive?.type ?? ''}` };
      // Ours: the number of the option. Someone else's id (an older message): the title, which the
      // dialogs recognise as a label.
      return {
        text: OUR_ID.test(reply.id) ? reply.id : reply.title || reply.id,
        value: { id: reply.id, title: reply.title },
      };
    }
    case 'button': {
      const payload = message.button?.payload;
      if (payload === SHOW_WAITING_PAYLOAD) return { showWaiting: true };
      const text = payload || message.button?.text;
      return text
        ? { text, value: { id: payload ?? '', title: message.button?.text ?? '' } }
        : { unsupported: 'button' };
    }
    case 'audio':
      return message.audio
        ? {
            media: {
              id: message.audio.id,
              kind: 'audio',
              mimeType: message.audio.mime_type,
              voice: message.audio.voice,
            },
          }
        : { unsupported: 'audio' };
    case 'image':
    case 'document': {
      const media = message[message.type];
      if (!media) return { unsupported: message.type };
      const filename = message.type === 'document' ? message.document?.filename : undefined;
      return {
        ...(media.caption && { text: media.caption }),
        media: { id: media.id, kind: message.type, mimeType: media.mime_type, ...(filename && { filename }) },
      };
    }
    case 'location':
      return message.location ? { location: message.location } : { unsupported: 'location' };
    default:
      return { unsupported: message.type };
  }
}

/** A location as an attachment: a geo: URI the CIP can open, and the point as GeoJSON. */
export function locationAttachment(location: NonNullable<WaMessage['location']>): Attachment {
  const { latitude, longitude } = location;
  return {
    contentType: 'application/geo+json',
    contentUrl: `geo:${latitude},${longitude}`,
    name: location.name ?? location.address ?? 'location',
    content: { type: 'Point', coordinates: [longitude, latitude] },
  };
}

/** The Bot Framework activity of a person's message: one conversation per person. */
export function toActivity(event: InboundEvent, content: InboundContent, attachments: Attachment[]): Partial<Activity> {
  return {
    type: 'message',
    id: event.wamid,
    channelId: CHANNEL_ID,
    serviceUrl: `${CHANNEL_ID}:`,
    timestamp: new Date(event.sentAt),
    from: { id: event.userKey, name: event.profileName ?? '', role: 'user' },
    recipient: { id: event.phoneNumberId, name: 'Passerelle', role: 'bot' },
    conversation: { id: event.userKey, isGroup: false, conversationType: 'personal', name: '' },
    ...(content.text !== undefined && { text: content.text }),
    ...(content.value && { value: content.value }),
    ...(attachments.length && { attachments }),
    ...(event.message.context?.id && { replyToId: event.message.context.id }),
    channelData: { type: event.message.type },
  };
}
