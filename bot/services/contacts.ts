// Employer contacts (SIAE supervisors, company tutors) as the conversations see them: recognised
// by the phone number their channel gives, their language and "stop", and the people placed with
// them. Every action takes the contact and checks that the placement is at the contact's own
// structure, so that nothing (a number typed in a menu, an old dialog state, a contact who moved
// to another structure) ever reaches another structure's people. Every action a contact takes by
// chat writes an AuditEvent (action contact_action, no staff member, detail.contactId), in the
// same transaction as the change: the bot acts on what a phone number says, so it is traced.
import type { Db, Prisma } from '../db/client';
import type { LanguageCode } from '../i18n/languages';
import { addLocalDays, localDay, zonedTime } from './time';
import { appendCaseEvent, type Actor } from './caseEvents';
import { addressee, rememberConversation, toE164, type Attachment, type ChatIdentity } from './people';
import { retryLostRaces } from '../db/retry';
import { SqlParams } from '../db/rawSql';
import { asBoolean, asDate, sqlReader } from '../db/sqlReads';

export interface ContactView {
  id: number;
  firstName: string;
  phone: string | null;
  language: LanguageCode;
  structureId: number;
  structure: string;
  optedOutAt: Date | null;
}

/** A person placed at the contact's structure today. */
export interface PlacedPerson {
  placementId: number;
  beneficiaryId: number;
  name: string;
  structure: string;
}

const DAY_MS = 24 * 3600_000;
/** placements that hold a person at a structure */
const CURRENT = ['planned', 'active'];

// Who a contact is, read at each of their turns and at each turn of someone not known yet (on
// WhatsApp, by the number): in SQL of our own (bot/db/sqlReads.ts).
const CONTACT_VIEW = `SELECT c."id", c."firstName", c."phone", c."language", c."structureId", c."optedOutAt",
    c."active", s."name" AS "structure"
  FROM "Contact" c JOIN "Structure" s ON s."id" = c."structureId"`;

interface ContactRow {
  id: unknown;
  firstName: string;
  phone: string | null;
  language: string;
  structureId: unknown;
  optedOutAt: unknown;
  active: unknown;
  structure: string;
}

/** The active contact of the row, if any (ids, dates and booleans as the provider gives them). */
function activeView(c: ContactRow | undefined): ContactView | undefined {
  if (!c || !asBoolean(c.active)) return undefined;
  return {
    ...addressee({ ...c, id: Number(c.id) }),
    structureId: Number(c.structureId),
    structure: c.structure,
    optedOutAt: asDate(c.optedOutAt),
  };
}

async function contactWhere(db: Db, column: 'id' | 'phone', value: number | string): Promise<ContactView | undefined> {
  const reader = sqlReader(db);
  const p = new SqlParams(reader.provider);
  const [c] = await reader.rows<ContactRow>(
    `${CONTACT_VIEW} WHERE c."${column}" = ${typeof value === 'number' ? p.add(value, 'int') : p.add(value)}`,
    p.values,
  );
  return activeView(c);
}

/** The active contact with this phone number (any usual form: wa_id digits, +33..., 06...). */
export async function contactByPhone(db: Db, phone: string | undefined): Promise<ContactView | undefined> {
  const e164 = toE164(phone);
  return e164 ? contactWhere(db, 'phone', e164) : undefined;
}

export async function contactById(db: Db, id: number): Promise<ContactView | undefined> {
  return contactWhere(db, 'id', id);
}

/**
 * Where to reach the contact (their ConversationRef, for proactive requests), and the messages of
 * this conversation recorded before we knew them, now theirs.
 */
export async function rememberContact(db: Db, identity: ChatIdentity, contactId: number, now: Date): Promise<void> {
  await retryLostRaces(() =>
    db.$transaction(async (tx) => {
      await rememberConversation(tx, identity, { contactId }, now);
      await tx.message.updateMany({
        where: {
          channel: identity.channel,
          conversationId: identity.conversationId,
          beneficiaryId: null,
          contactId: null,
        },
        data: { contactId },
      });
    }),
  );
}

export type ContactActionKind = 'absence' | 'problem' | 'confirm' | 'attendance' | 'stop' | 'start' | 'language';

export interface ContactAction {
  contactId: number;
  kind: ContactActionKind;
  /** what it was about: placement, shift, or the contact's own record */
  resource: 'placement' | 'shift' | 'contact';
  resourceId: number;
  beneficiaryId?: number | null;
  /** ids and outcomes only: never what the contact wrote */
  detail?: Record<string, Prisma.InputJsonValue>;
}

/** The audit row of an employer contact's action (pass the transaction of the change). */
export async function auditContactAction(
  db: Pick<Prisma.TransactionClient, 'auditEvent'>,
  action: ContactAction,
): Promise<void> {
  await db.auditEvent.create({
    data: {
      staffUserId: null,
      action: 'contact_action',
      resource: action.resource,
      resourceId: String(action.resourceId),
      beneficiaryId: action.beneficiaryId ?? null,
      detail: { contactId: action.contactId, kind: action.kind, ...action.detail },
    },
  });
}

/** "stop": no request any more until "start". */
export async function optOutContact(db: Db, contactId: number, now: Date): Promise<void> {
  await retryLostRaces(() =>
    db.$transaction(async (tx) => {
      await tx.contact.update({ where: { id: contactId }, data: { optedOutAt: now } });
      await auditContactAction(tx, { contactId, kind: 'stop', resource: 'contact', resourceId: contactId });
    }),
  );
}

export async function optInContact(db: Db, contactId: number): Promise<void> {
  await retryLostRaces(() =>
    db.$transaction(async (tx) => {
      await tx.contact.update({ where: { id: contactId }, data: { optedOutAt: null } });
      await auditContactAction(tx, { contactId, kind: 'start', resource: 'contact', resourceId: contactId });
    }),
  );
}

export async function setContactLanguage(db: Db, contactId: number, language: LanguageCode): Promise<void> {
  await retryLostRaces(() =>
    db.$transaction(async (tx) => {
      await tx.contact.update({ where: { id: contactId }, data: { language } });
      await auditContactAction(tx, {
        contactId,
        kind: 'language',
        resource: 'contact',
        resourceId: contactId,
        detail: { language },
      });
    }),
  );
}

/** An action on a person who is not (or no longer) placed at the contact's structure: refused, and traced. */
export function auditRefused(db: Db, contactId: number, kind: ContactActionKind, placementId: number): Promise<void> {
  return auditContactAction(db, {
    contactId,
    kind,
    resource: 'placement',
    resourceId: placementId,
    detail: { outcome: 'refused' },
  });
}

const nameOf = (b: { firstName: string | null; lastName: string | null; id: number }) =>
  [b.firstName, b.lastName].filter(Boolean).join(' ') || `#${b.id}`;

/** The placements of a structure that cover the local day of `now` (planned or active), optionally one of them. */
async function placementsToday(
  db: Db,
  structureId: number,
  now: Date,
  timeZone: string,
  placementId?: number,
): Promise<PlacedPerson[]> {
  const day = localDay(now, timeZone);
  // Placement dates are days (midnight): a wide window, then exact local days.
  const rows = await db.placement.findMany({
    where: {
      structureId,
      ...(placementId !== undefined && { id: placementId }),
      status: { in: CURRENT },
      startDate: { lte: new Date(now.getTime() + DAY_MS) },
      endDate: { gte: new Date(now.getTime() - 2 * DAY_MS) },
      beneficiary: { status: { not: 'archived' } },
    },
    select: {
      id: true,
      beneficiaryId: true,
      startDate: true,
      endDate: true,
      beneficiary: { select: { id: true, firstName: true, lastName: true } },
      structure: { select: { name: true } },
    },
    orderBy: { id: 'asc' },
  });
  return rows
    .filter((p) => localDay(p.startDate, timeZone) <= day && day <= localDay(p.endDate, timeZone))
    .map((p) => ({
      placementId: p.id,
      beneficiaryId: p.beneficiaryId,
      name: nameOf(p.beneficiary),
      structure: p.structure.name,
    }));
}

/** The people placed at the contact's structure today: all the contact may see. */
export function placedPeople(
  db: Db,
  contact: Pick<ContactView, 'structureId'>,
  now: Date,
  timeZone: string,
): Promise<PlacedPerson[]> {
  return placementsToday(db, contact.structureId, now, timeZone);
}

/** One of them, if the placement is at the contact's structure and covers today; undefined otherwise. */
export async function placedPerson(
  db: Db,
  contact: Pick<ContactView, 'structureId'>,
  placementId: number,
  now: Date,
  timeZone: string,
): Promise<PlacedPerson | undefined> {
  return (await placementsToday(db, contact.structureId, now, timeZone, placementId))[0];
}

/** [start, end) of the local day `days` after the day of `now`. */
export function localDayRange(now: Date, days: number, timeZone: string): { from: Date; to: Date } {
  const d = addLocalDays(now, days, timeZone);
  const next = addLocalDays(now, days + 1, timeZone);
  return {
    from: zonedTime(d.year, d.month, d.day, 0, 0, timeZone),
    to: zonedTime(next.year, next.month, next.day, 0, 0, timeZone),
  };
}

const actor = (contactId: number): Actor => ({ type: 'contact', id: contactId });

/** Who acts on which placement, and when. */
export interface PlacedAction {
  contact: Pick<ContactView, 'id' | 'structureId'>;
  placementId: number;
  kind: ContactActionKind;
  now: Date;
  timeZone: string;
}

/**
 * An employer contact's action on one of the people placed at their structure (a problem, a confirmation, an
 * absence): undefined, and the refusal audited, when the person is not placed there today; otherwise `act` runs in
 * one transaction (again after a lost race) and the action is audited on the placement with the detail it gives.
 */
export async function onPlacedPerson<R>(
  db: Db,
  { contact, placementId, kind, now, timeZone }: PlacedAction,
  act: (tx: Prisma.TransactionClient, person: PlacedPerson) => Promise<{ detail: ContactAction['detail']; result: R }>,
): Promise<R | undefined> {
  const person = await placedPerson(db, contact, placementId, now, timeZone);
  if (!person) {
    await auditRefused(db, contact.id, kind, placementId);
    return undefined;
  }
  return retryLostRaces(() =>
    db.$transaction(async (tx) => {
      const { detail, result } = await act(tx, person);
      await auditContactAction(tx, {
        contactId: contact.id,
        kind,
        resource: 'placement',
        resourceId: placementId,
        beneficiaryId: person.beneficiaryId,
        detail,
      });
      return result;
    }),
  );
}

/** A problem with a placed person, in a few words or a voice note: for the CIP's attention. */
export function reportEmployerProblem(
  db: Db,
  contact: Pick<ContactView, 'id' | 'structureId'>,
  placementId: number,
  problem: { text?: string; attachments?: Attachment[] },
  now: Date,
  timeZone: string,
): Promise<PlacedPerson | undefined> {
  return onPlacedPerson(db, { contact, placementId, kind: 'problem', now, timeZone }, async (tx, person) => {
    await appendCaseEvent(tx, {
      beneficiaryId: person.beneficiaryId,
      type: 'employer_problem',
      actor: actor(contact.id),
      payload: { placementId, structure: person.structure, ...problem } as unknown as Prisma.InputJsonValue,
      attention: true,
    });
    return { detail: { outcome: 'recorded', attachments: problem.attachments?.length ?? 0 }, result: person };
  });
}

export interface ConfirmedShift {
  id: number;
  startsAt: Date;
  endsAt: Date;
}

/**
 * The employer says the person is expected tomorrow: each of their shifts there tomorrow gets a
 * shift_confirmed_by_employer event.
 */
export function confirmTomorrow(
  db: Db,
  contact: Pick<ContactView, 'id' | 'structureId'>,
  placementId: number,
  now: Date,
  timeZone: string,
): Promise<{ person: PlacedPerson; shifts: ConfirmedShift[] } | undefined> {
  return onPlacedPerson(db, { contact, placementId, kind: 'confirm', now, timeZone }, async (tx, person) => {
    const { from, to } = localDayRange(now, 1, timeZone);
    const shifts = await tx.shift.findMany({
      where: { placementId, startsAt: { gte: from, lt: to } },
      orderBy: { startsAt: 'asc' },
    });
    for (const s of shifts) {
      await appendCaseEvent(tx, {
        beneficiaryId: person.beneficiaryId,
        type: 'shift_confirmed_by_employer',
        actor: actor(contact.id),
        payload: {
          shiftId: s.id,
          placementId,
          structure: person.structure,
          startsAt: s.startsAt.toISOString(),
          endsAt: s.endsAt.toISOString(),
        },
      });
    }
    return {
      detail: { outcome: 'recorded', shiftIds: shifts.map((s) => s.id) },
      result: { person, shifts: shifts.map((s) => ({ id: s.id, startsAt: s.startsAt, endsAt: s.endsAt })) },
    };
  });
}
