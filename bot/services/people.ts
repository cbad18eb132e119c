// Beneficiaries as the conversations see them: consent and the link between a chat identity and a
// case, language, opt-out ("stop"), erasure requests, messages to the CIP. No channel code here:
// a channel gives at most a user key and, when it has one, a phone number.
import type { Db, Prisma } from '../db/client';
import { isLanguageCode, type LanguageCode } from '../i18n/languages';
import { appendCaseEvent, type Actor } from './caseEvents';
import { providerOfClient, SqlParams } from '../db/rawSql';
import { retryLostRaces } from '../db/retry';
import { asDate, sqlReader } from '../db/sqlReads';
import { sqlTransaction, type SqlClient } from '../db/sqlTransaction';

export interface Person {
  id: number;
  firstName: string | null;
  phone: string | null;
  language: LanguageCode;
  birthYear: number | null;
  status: string;
  consentAt: Date | null;
  optedOutAt: Date | null;
}

/** Whom we write to (a person, an employer contact): their id, name, number and language (French when unknown). */
export function addressee<R extends { id: number; firstName: R['firstName']; phone: string | null; language: string }>(
  r: R,
): Pick<R, 'id' | 'firstName' | 'phone'> & { language: LanguageCode } {
  return { id: r.id, firstName: r.firstName, phone: r.phone, language: isLanguageCode(r.language) ? r.language : 'fr' };
}

function person(b: Pick<Prisma.BeneficiaryGetPayload<object>, keyof Person>): Person {
  return {
    ...addressee(b),
    birthYear: b.birthYear,
    status: b.status,
    consentAt: b.consentAt,
    optedOutAt: b.optedOutAt,
  };
}

/** The columns of a Person, for SELECT and RETURNING. */
const PERSON_COLUMNS = `"id", "firstName", "phone", "language", "birthYear", "status", "consentAt", "optedOutAt"`;

type PersonRow = Person & { consentAt: unknown; optedOutAt: unknown };

/** A Person from a row of PERSON_COLUMNS (ids and dates as the provider gives them). */
function personFromRow(b: PersonRow): Person {
  return person({ ...b, id: Number(b.id), consentAt: asDate(b.consentAt), optedOutAt: asDate(b.optedOutAt) });
}

/** The case whose `column` is `value`, read in SQL of our own (bot/db/sqlReads.ts). */
async function personWhere(db: Db, column: 'id' | 'phone', value: number | string): Promise<Person | undefined> {
  const reader = sqlReader(db);
  const p = new SqlParams(reader.provider);
  const [b] = await reader.rows<PersonRow>(
    `SELECT ${PERSON_COLUMNS} FROM "Beneficiary"
      WHERE "${column}" = ${typeof value === 'number' ? p.add(value, 'int') : p.add(value)}`,
    p.values,
  );
  return b ? personFromRow(b) : undefined;
}

/** A person by case id (read at many turns). */
export function personById(db: Db, id: number): Promise<Person | undefined> {
  return personWhere(db, 'id', id);
}

/**
 * A phone number in E.164 (+33612345678), from what channels and people write: WhatsApp ids are
 * digits without "+", French numbers may start with 0 or 0033. Undefined when it is not a number.
 */
export function toE164(raw: string | undefined | null): string | undefined {
  if (!raw) return undefined;
  let digits = raw.replace(/[\s().-]/g, '');
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  else if (/^0[1-9]\d{8}$/.test(digits)) digits = `+33${digits.slice(1)}`;
  else if (/^\d+$/.test(digits)) digits = `+${digits}`;
  return /^\+[1-9]\d{6,14}$/.test(digits) ? digits : undefined;
}

// A first name in any script: letters (with their marks), joined by a space, a hyphen, an
// apostrophe or a zero-width non-joiner (Persian writes some names with one). No digits.
const FIRST_NAME = /^[\p{L}\p{M}]+(?:[ \-'\u2019\u02bc\u200c][\p{L}\p{M}]+)*$/u;
const FIRST_NAME_MAX = 50;

/**
 * The first name a person wrote, tidied (spaces, surrounding punctuation), or undefined when it is
 * not one: empty, longer than 50 characters, or with digits or other signs. With `loose`, signs
 * other than digits are dropped first (channel profile names often carry emoji: "Amina 🌸").
 */
export function firstNameFrom(raw: string | undefined | null, options: { loose?: boolean } = {}): string | undefined {
  if (!raw) return undefined;
  let text = raw.normalize('NFC');
  if (options.loose) text = text.replace(/[^\p{L}\p{M}\p{N} \-'\u2019\u02bc\u200c]/gu, ' ');
  text = text.replace(/\s+/g, ' ').replace(/^[\s.,;:!?¡¿"«»“”()]+|[\s.,;:!?¡¿"«»“”()؟،]+$/gu, '');
  return [...text].length <= FIRST_NAME_MAX && FIRST_NAME.test(text) ? text : undefined;
}

/** A case opened by a CIP for this phone number, that a chat identity may be linked to. */
export async function caseForPhone(db: Db, phone: string | undefined): Promise<Person | undefined> {
  const e164 = toE164(phone);
  if (!e164) return undefined;
  // (asked at each turn of someone not known yet, on WhatsApp)
  const b = await personWhere(db, 'phone', e164);
  return b && b.status !== 'archived' && b.status !== 'erased' ? b : undefined;
}

/**
 * A case with this phone number that gave consent already (a CIP's intake, or an earlier chat)
 * and is active: someone we may have written to by their number (an invitation, a check-in)
 * who now answers from it. Their chat is linked to it without onboarding again.
 */
export async function consentedCaseForPhone(db: Db, phone: string | undefined): Promise<Person | undefined> {
  const c = await caseForPhone(db, phone);
  return c?.status === 'active' && c.consentAt ? c : undefined;
}

/** Links a chat identity to the case of its phone number (see consentedCaseForPhone). */
export async function linkByPhone(db: Db, identity: ChatIdentity, beneficiaryId: number, now: Date): Promise<void> {
  await retryLostRaces(() =>
    db.$transaction(async (tx) => {
      await rememberConversation(tx, identity, { beneficiaryId }, now);
      await attachConversation(tx, identity.channel, identity.conversationId, beneficiaryId);
      await appendCaseEvent(tx, {
        beneficiaryId,
        type: 'chat_linked',
        actor: { type: 'beneficiary', id: beneficiaryId },
        payload: { channel: identity.channel, by: 'phone' },
      });
    }),
  );
}

export interface ChatIdentity {
  channel: string;
  /** the channel's user id */
  userKey: string;
  conversationId: string;
  serviceUrl?: string;
  /** the Bot Framework conversation reference, for proactive messages */
  reference: Prisma.InputJsonValue;
  locale?: string;
}

export interface ConsentInput {
  identity: ChatIdentity;
  language: LanguageCode;
  /** link to this CIP-created case (found by caseForPhone) */
  linkTo?: number;
  /** for a new, pending case */
  firstName?: string;
  phone?: string;
  /** "listen" or "read", when the person chose before consent */
  voiceMode?: 'listen' | 'read';
  now: Date;
}

/**
 * Consent given: links the chat identity to the CIP's case, or opens a pending case for the CIP
 * to validate; remembers where to reach the person; attaches the messages of this conversation
 * (recorded before consent) to the case. One transaction, with the consent_given event.
 */
export async function giveConsent(db: Db, input: ConsentInput): Promise<Person> {
  const { identity, now } = input;
  // (In SQL of our own, as a case's other writes: the first name, which opens the case, was
  // among the heaviest turns, with five queries through Prisma's client.)
  return retryLostRaces(() =>
    sqlTransaction(db, async (tx) => {
      // A phone number already on a case that could not be linked (an archived one) stays there (it
      // is unique): the new case goes without it, and the event tells the CIP which case has it.
      const phone = input.linkTo ? undefined : toE164(input.phone);
      const [holder] = phone ? await caseWithPhone(tx, phone) : [];
      const p = new SqlParams(providerOfClient(tx));
      const changed = new Date();
      const [row] = input.linkTo
        ? await tx.$queryRawUnsafe<PersonRow[]>(
            `UPDATE "Beneficiary" SET "consentAt" = ${p.add(now, 'timestamp')}, "optedOutAt" = NULL,
                "language" = ${p.add(input.language)},
                ${input.voiceMode ? `"voiceMode" = ${p.add(input.voiceMode)},` : ''}
                "updatedAt" = ${p.add(changed, 'timestamp')}
              WHERE "id" = ${p.add(input.linkTo, 'int')} RETURNING ${PERSON_COLUMNS}`,
            ...p.values,
          )
        : await tx.$queryRawUnsafe<PersonRow[]>(
            `INSERT INTO "Beneficiary" ("firstName", "phone", "language", "voiceMode", "status", "consentAt",
                "entryDate", "createdAt", "updatedAt")
              VALUES (${p.add(input.firstName ?? null)}, ${p.add(holder ? null : (phone ?? null))},
                ${p.add(input.language)}, ${p.add(input.voiceMode ?? null)}, 'pending', ${p.add(now, 'timestamp')},
                ${p.add(changed, 'timestamp')}, ${p.add(changed, 'timestamp')}, ${p.add(changed, 'timestamp')})
              RETURNING ${PERSON_COLUMNS}`,
            ...p.values,
          );
      if (!row) throw new Error(`giveConsent: no case ${input.linkTo} to link`);
      const b = personFromRow(row);
      await rememberConversation(tx, identity, { beneficiaryId: b.id }, now);
      await attachConversation(tx, identity.channel, identity.conversationId, b.id);
      await appendCaseEvent(tx, {
        beneficiaryId: b.id,
        type: 'consent_given',
        actor: { type: 'beneficiary', id: b.id },
        payload: {
          channel: identity.channel,
          linked: !!input.linkTo,
          language: input.language,
          ...(holder && { phoneOnCase: Number(holder.id) }),
        },
      });
      return b;
    }),
  );
}

/** The case that has this phone number, if any (a transaction's read goes through it). */
async function caseWithPhone(tx: SqlClient, phone: string) {
  const reader = sqlReader(tx);
  const p = new SqlParams(reader.provider);
  return reader.rows<{ id: unknown }>(`SELECT "id" FROM "Beneficiary" WHERE "phone" = ${p.add(phone)}`, p.values);
}

/** A client that runs SQL of our own: the client, or a transaction's. */
type SqlWriter = Pick<SqlClient, '$executeRawUnsafe'>;

/** Attaches the messages of a conversation recorded before consent to the person's case. */
export async function attachConversation(
  db: SqlWriter,
  channel: string,
  conversationId: string,
  beneficiaryId: number,
): Promise<number> {
  const p = new SqlParams(providerOfClient(db));
  return db.$executeRawUnsafe(
    `UPDATE "Message" SET "beneficiaryId" = ${p.add(beneficiaryId, 'int')},
        "updatedAt" = ${p.add(new Date(), 'timestamp')}
      WHERE "channel" = ${p.add(channel)} AND "conversationId" = ${p.add(conversationId)} AND "beneficiaryId" IS NULL`,
    ...p.values,
  );
}

/**
 * Consent refused: nothing personal stays, not even the messages of this conversation, nor where
 * to reach the person. Messages still in flight (a reply not sent yet, a message not handled yet)
 * stay until they are done; the channel keeps nothing of them after.
 */
export async function forgetConversation(db: Db, channel: string, conversationId: string): Promise<number> {
  const [{ count }] = await retryLostRaces(() =>
    db.$transaction(async (tx) => [
      await tx.message.deleteMany({
        where: { channel, conversationId, beneficiaryId: null, status: { notIn: ['queued', 'sending', 'processing'] } },
      }),
      await tx.conversationRef.deleteMany({ where: { channel, conversationId, beneficiaryId: null, contactId: null } }),
    ]),
  );
  return count;
}

/**
 * Where to reach a person on a channel (one row per channel and user), kept up to date: one
 * INSERT ... ON CONFLICT DO UPDATE (both databases take it). A value the channel did not give
 * (its service URL, the locale) keeps the one stored.
 */
export async function rememberConversation(
  db: SqlWriter,
  identity: ChatIdentity,
  who: { beneficiaryId?: number; contactId?: number },
  now: Date,
): Promise<void> {
  const p = new SqlParams(providerOfClient(db));
  const changed = new Date();
  const values: [column: string, value: string][] = [
    ['channel', p.add(identity.channel)],
    ['userKey', p.add(identity.userKey)],
    ['conversationId', p.add(identity.conversationId)],
    ['serviceUrl', p.add(identity.serviceUrl ?? null)],
    ['reference', p.add(JSON.stringify(identity.reference), 'jsonb')],
    ['locale', p.add(identity.locale ?? null)],
    ['lastInboundAt', p.add(now, 'timestamp')],
    ...Object.entries(who)
      .filter(([, id]) => id !== undefined)
      .map(([column, id]): [string, string] => [column, p.add(id, 'int')]),
    ['createdAt', p.add(changed, 'timestamp')],
    ['updatedAt', p.add(changed, 'timestamp')],
  ];
  const kept = new Set(['serviceUrl', 'locale']);
  const updates = values
    .map(([c]) => c)
    .filter((c) => c !== 'channel' && c !== 'userKey' && c !== 'createdAt')
    .map((c) => `"${c}" = ${kept.has(c) ? `COALESCE(excluded."${c}", "ConversationRef"."${c}")` : `excluded."${c}"`}`);
  await db.$executeRawUnsafe(
    `INSERT INTO "ConversationRef" (${values.map(([c]) => `"${c}"`).join(', ')})
      VALUES (${values.map(([, v]) => v).join(', ')})
      ON CONFLICT ("channel", "userKey") DO UPDATE SET ${updates.join(', ')}`,
    ...p.values,
  );
}

/** What a person changes of their own case by chat (a column each). */
interface OwnChange {
  language?: LanguageCode;
  voiceMode?: VoiceMode;
  optedOutAt?: Date | null;
  birthYear?: number;
}

/** A change of the person's case and its event, in one transaction (in SQL of our own, as the event). */
async function event(
  db: Db,
  beneficiaryId: number,
  type: string,
  actor: Actor,
  payload: Prisma.InputJsonValue,
  update?: OwnChange,
  attention = false,
) {
  await retryLostRaces(() =>
    sqlTransaction(db, async (tx) => {
      if (update) {
        const p = new SqlParams(providerOfClient(tx));
        const set = Object.entries(update).map(([column, value]) => {
          const cast = value instanceof Date ? 'timestamp' : typeof value === 'number' ? 'int' : undefined;
          return `"${column}" = ${p.add(value ?? null, cast)}`;
        });
        await tx.$executeRawUnsafe(
          `UPDATE "Beneficiary" SET ${set.join(', ')}, "updatedAt" = ${p.add(new Date(), 'timestamp')}
            WHERE "id" = ${p.add(beneficiaryId, 'int')}`,
          ...p.values,
        );
      }
      await appendCaseEvent(tx, { beneficiaryId, type, actor, payload, attention });
    }),
  );
}

const self = (id: number): Actor => ({ type: 'beneficiary', id });

export async function changeLanguage(
  db: Db,
  beneficiaryId: number,
  from: LanguageCode,
  to: LanguageCode,
): Promise<void> {
  await event(db, beneficiaryId, 'language_changed', self(beneficiaryId), { from, to }, { language: to });
}

export type VoiceMode = 'listen' | 'read';

/** The person chose to hear the bot, or to read it only ("listen", "read"). */
export async function setVoiceMode(db: Db, beneficiaryId: number, mode: VoiceMode): Promise<void> {
  await event(db, beneficiaryId, 'voice_changed', self(beneficiaryId), { to: mode }, { voiceMode: mode });
}

/** "stop": no proactive message any more, until "start". */
export async function optOut(db: Db, beneficiaryId: number, now: Date): Promise<void> {
  await event(db, beneficiaryId, 'opted_out', self(beneficiaryId), {}, { optedOutAt: now });
}

export async function optIn(db: Db, beneficiaryId: number): Promise<void> {
  await event(db, beneficiaryId, 'opted_in', self(beneficiaryId), {}, { optedOutAt: null });
}

/** "Delete my data": recorded for the CIP, who carries it out (and flagged for their attention). */
export async function requestErasure(db: Db, beneficiaryId: number): Promise<void> {
  await event(db, beneficiaryId, 'erasure_requested', self(beneficiaryId), {}, undefined, true);
}

export async function setBirthYear(db: Db, beneficiaryId: number, birthYear: number): Promise<void> {
  await event(db, beneficiaryId, 'profile_updated', self(beneficiaryId), { birthYear }, { birthYear });
}

export interface Attachment {
  contentType: string;
  /** where the file is: a media reference of the channel or a URL */
  url: string;
  name?: string;
}

/** A message for the CIP (text or a voice note), flagged for their attention. */
export async function messageToCip(
  db: Db,
  beneficiaryId: number,
  message: { text?: string; attachments?: Attachment[] },
): Promise<void> {
  await event(
    db,
    beneficiaryId,
    'message_to_cip',
    self(beneficiaryId),
    { ...message } as Prisma.InputJsonValue,
    undefined,
    true,
  );
}
