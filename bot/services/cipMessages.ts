// A CIP writes to a person from the dashboard ("Écrire à la personne"): one of the ready-made
// messages of the locale files, sent in the person's language, or a free text sent as it is; both
// signed with the CIP's first name. The message waits in the outbox like any proactive message
// (services/notifications): the notifier or WhatsApp's sender takes it to the person's channel
// (on WhatsApp, outside the 24-hour window, the person first gets the "a message is waiting"
// template), and its row keeps its status (queued, sent, delivered, read, failed). A CaseEvent
// says who wrote, and which message.
import type { Db } from '../db/client';
import { appendCaseEvent } from './caseEvents';
import { queueNotification } from './notifications';
import { nextAllowed, type QuietHours } from './quietHours';

export const CIP_MESSAGE_KEY = 'cipMessages.sent';
/** the Message kind of what staff write to a person */
export const CIP_MESSAGE_KIND = 'cip';

export const READY_MESSAGES = ['received', 'comeToOffice', 'bringPapers', 'callMe', 'willCall'] as const;
export type ReadyMessage = (typeof READY_MESSAGES)[number];
/** the papers a CIP may ask for, each translated (cipMessages.papers.*) */
export const PAPERS = ['residencePermit', 'passport', 'vitaleCard', 'bankDetails', 'cv', 'addressProof'] as const;
export type Paper = (typeof PAPERS)[number];

/** What the CIP wrote: a ready-made message with its values (a day YYYY-MM-DD, a time HH:MM), or a text. */
export type CipMessageContent =
  | { template: 'received' }
  | { template: 'comeToOffice'; day: string; time: string }
  | { template: 'bringPapers'; papers: Paper[] }
  | { template: 'callMe'; phone: string }
  | { template: 'willCall'; day: string }
  | { text: string };

export interface CipMessagePayload {
  key: typeof CIP_MESSAGE_KEY;
  content: CipMessageContent;
  /** the signature: the CIP's first name */
  from: string;
  [value: string]: unknown;
}

/** "Marie Dupont" -> "Marie": a person is written to by their CIP's first name. */
export function firstNameOf(name: string): string {
  return name.trim().split(/\s+/)[0] || name.trim();
}

/** Why a person cannot be written to now, if so. */
export type CannotWrite = 'erased' | 'optedOut' | 'unreachable' | 'noConsent';

export interface WriteTarget {
  status: string;
  optedOutAt: Date | null;
  consentAt: Date | null;
  phone: string | null;
  /** has a chat with us (a conversation reference) */
  hasChat: boolean;
}

/** Mirrors what the notifier will do: no message after "stop", none by phone number without consent. */
export function cannotWrite(person: WriteTarget, whatsapp: boolean): CannotWrite | undefined {
  if (person.status === 'erased') return 'erased';
  if (person.optedOutAt) return 'optedOut';
  if (!person.hasChat && !(whatsapp && person.phone)) return 'unreachable';
  if (!person.hasChat && !person.consentAt) return 'noConsent';
  return undefined;
}

type Writer = Parameters<typeof queueNotification>[0] & Parameters<typeof appendCaseEvent>[0];

/** Queues the message (not before the end of the quiet hours) and writes its CaseEvent; the message's id. */
export async function queueCipMessage(
  db: Db,
  input: {
    beneficiaryId: number;
    staff: { id: number; name: string };
    content: CipMessageContent;
    now: Date;
    quiet?: QuietHours;
  },
): Promise<number> {
  const payload: CipMessagePayload = {
    key: CIP_MESSAGE_KEY,
    content: input.content,
    from: firstNameOf(input.staff.name),
  };
  return db.$transaction(async (tx) => {
    const id = await queueNotification(tx as Writer, input.beneficiaryId, input.now, payload, {
      kind: CIP_MESSAGE_KIND,
      notBefore: nextAllowed(input.now, input.quiet),
    });
    await appendCaseEvent(tx as Writer, {
      beneficiaryId: input.beneficiaryId,
      type: 'cip_message',
      actor: { type: 'staff', id: input.staff.id },
      // which message, not its words: the text stays in the message row (erased with the person)
      payload: { messageId: id, template: 'template' in input.content ? input.content.template : 'free' },
    });
    return id;
  });
}
