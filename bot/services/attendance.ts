// Employers' attendance by chat. After a shift ends (immersions: once a day, at ATTENDANCE_CRON),
// the employer contact is asked "Did {first name} come today, {time}? 1 yes / 2 no / 3 late";
// the answer goes on the Shift with a shift_attendance event, and "no" is an alert for the CIP.
// Who is asked: the placement's tutor when active with a phone, else the structure's first active
// contact with a phone (a supervisor first); nobody who said "stop". One request per shift: its
// outbox message has the unique key attendance:<shiftId>, so two runs (or two server instances)
// ask once. Nothing goes in the quiet hours: the request waits for their end. Each answer, and each
// absence reported from the menu, writes the contact's audit row with the change (contact_action).
import { isUniqueViolation, type Database, type Db, type Prisma } from '../db/client';
import { localDay } from './time';
import { appendCaseEvent } from './caseEvents';
import { auditContactAction, localDayRange, onPlacedPerson, type ContactView, type PlacedPerson } from './contacts';
import { queueNotification } from './notifications';
import { answerQuestion, askQuestion } from './questions';
import { nextAllowed, type QuietHours } from './quietHours';
import { retryLostRaces } from '../db/retry';

export const ATTENDANCE_ANSWERS = ['present', 'absent', 'late'] as const;
export type AttendanceAnswer = (typeof ATTENDANCE_ANSWERS)[number];

/** An unanswered request is not taken after this long. */
export const ATTENDANCE_ANSWER_DAYS = 3;
const DAY_MS = 24 * 3600_000;

export interface AttendanceOptions {
  timeZone: string;
  quiet?: QuietHours;
}

export interface AttendanceRun {
  /** requests queued by this run */
  asked: number;
  /** asked before (an earlier run, another instance) */
  already: number;
  /** nobody to ask: no active contact with a phone, or the one to ask said "stop" */
  skipped: number;
}

/** What a request carries: the shift, and the values its text (and WhatsApp template) needs. */
export interface AttendancePayload {
  key: 'attendance.request';
  shiftId: number;
  beneficiary: { firstName: string };
  shift: { startsAt: string; endsAt: string };
  /** asked on the shift's own day ("today"); else the text names the day */
  today: boolean;
  [value: string]: unknown;
}

const shiftForRequest = {
  beneficiary: { select: { firstName: true, lastName: true } },
  placement: {
    select: {
      structureId: true,
      tutor: { select: { id: true, structureId: true, active: true, phone: true, optedOutAt: true, role: true } },
    },
  },
} satisfies Prisma.ShiftInclude;
type ShiftForRequest = Prisma.ShiftGetPayload<{ include: typeof shiftForRequest }>;
type Candidate = NonNullable<ShiftForRequest['placement']['tutor']>;

/** Shifts that are not immersions, ended within the last 24 hours, attendance not known yet. */
export async function requestShiftAttendance(
  database: Database,
  now: Date,
  options: AttendanceOptions,
): Promise<AttendanceRun> {
  const shifts = await database.prisma.shift.findMany({
    where: {
      endsAt: { gt: new Date(now.getTime() - DAY_MS), lte: now },
      attendance: 'unknown',
      placement: { kind: { not: 'immersion' }, status: { not: 'cancelled' } },
      beneficiary: { status: { not: 'archived' } },
    },
    include: shiftForRequest,
    orderBy: { id: 'asc' },
  });
  return ask(database, shifts, now, options);
}

/** The immersion shifts of the local day of `now` (asked once a day, whether they ended or not). */
export async function requestImmersionAttendance(
  database: Database,
  now: Date,
  options: AttendanceOptions,
): Promise<AttendanceRun> {
  const { from, to } = localDayRange(now, 0, options.timeZone);
  const shifts = await database.prisma.shift.findMany({
    where: {
      startsAt: { gte: from, lt: to },
      attendance: 'unknown',
      placement: { kind: 'immersion', status: { not: 'cancelled' } },
      beneficiary: { status: { not: 'archived' } },
    },
    include: shiftForRequest,
    orderBy: { id: 'asc' },
  });
  return ask(database, shifts, now, options);
}

const dedupeKey = (shiftId: number) => `attendance:${shiftId}`;

async function ask(
  database: Database,
  shifts: ShiftForRequest[],
  now: Date,
  options: AttendanceOptions,
): Promise<AttendanceRun> {
  const db = database.prisma;
  const run: AttendanceRun = { asked: 0, already: 0, skipped: 0 };
  if (!shifts.length) return run;
  // Asked already: a cheap look first (the unique key still decides, below).
  const asked = new Set(
    (
      await db.message.findMany({
        where: { dedupeKey: { in: shifts.map((s) => dedupeKey(s.id)) } },
        select: { dedupeKey: true },
      })
    ).map((m) => m.dedupeKey),
  );
  const contacts = await contactsOf(db, [...new Set(shifts.map((s) => s.placement.structureId))]);
  const notBefore = nextAllowed(now, options.quiet);
  const expiresAt = new Date(now.getTime() + ATTENDANCE_ANSWER_DAYS * DAY_MS);
  for (const shift of shifts) {
    if (asked.has(dedupeKey(shift.id))) {
      run.already++;
      continue;
    }
    const contact = whoToAsk(shift, contacts.get(shift.placement.structureId) ?? []);
    if (!contact || contact.optedOutAt) {
      run.skipped++;
      continue;
    }
    const payload: AttendancePayload = {
      key: 'attendance.request',
      shiftId: shift.id,
      beneficiary: { firstName: shift.beneficiary.firstName ?? shift.beneficiary.lastName ?? '-' },
      shift: { startsAt: shift.startsAt.toISOString(), endsAt: shift.endsAt.toISOString() },
      today: localDay(notBefore, options.timeZone) === localDay(shift.startsAt, options.timeZone),
    };
    try {
      await retryLostRaces(() =>
        db.$transaction(async (tx) => {
          // The message first: its unique key decides who asks; the loser's transaction rolls back.
          const messageId = await queueNotification(tx, { contactId: contact.id }, now, payload, {
            kind: 'attendance',
            dedupeKey: dedupeKey(shift.id),
            notBefore,
          });
          await askQuestion(tx, { contactId: contact.id, kind: 'attendance', refId: shift.id, messageId, expiresAt });
        }),
      );
      run.asked++;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      run.already++;
    }
  }
  return run;
}

/** The active contacts with a phone of these structures. */
async function contactsOf(db: Db, structureIds: number[]): Promise<Map<number, Candidate[]>> {
  const rows = await db.contact.findMany({
    where: { structureId: { in: structureIds }, active: true, phone: { not: null } },
    select: { id: true, structureId: true, active: true, phone: true, optedOutAt: true, role: true },
    orderBy: { id: 'asc' },
  });
  const out = new Map<number, Candidate[]>();
  for (const c of rows) out.set(c.structureId, [...(out.get(c.structureId) ?? []), c]);
  return out;
}

/** The placement's tutor if they can be asked, else the structure's first contact (a supervisor first). */
function whoToAsk(shift: ShiftForRequest, contacts: Candidate[]): Candidate | undefined {
  const tutor = shift.placement.tutor;
  if (tutor && tutor.active && tutor.phone && tutor.structureId === shift.placement.structureId) return tutor;
  return contacts.find((c) => c.role === 'supervisor') ?? contacts[0];
}

// --- Answers ---------------------------------------------------------------------------------------

export type AttendanceOutcome =
  | { status: 'recorded'; name: string; attendance: AttendanceAnswer }
  /** answered already (another message, another instance) */
  | { status: 'already' }
  /** the shift is not (or no longer) at the contact's structure: nothing changed, the request is closed */
  | { status: 'closed' };

type Tx = Prisma.TransactionClient;
type Shift = Prisma.ShiftGetPayload<{ include: { placement: { include: { structure: true } }; beneficiary: true } }>;

const nameOf = (b: { firstName: string | null; lastName: string | null }) => b.firstName ?? b.lastName ?? '-';

/**
 * Writes what the contact said about a shift, with its event (an absence is an alert); any open request about it is
 * answered too.
 */
async function record(
  tx: Tx,
  shift: Shift,
  attendance: AttendanceAnswer,
  contactId: number,
  now: Date,
  via: 'request' | 'menu',
) {
  await tx.shift.update({
    where: { id: shift.id },
    data: { attendance, attendanceAt: now, attendanceContactId: contactId },
  });
  await appendCaseEvent(tx, {
    beneficiaryId: shift.beneficiaryId,
    type: 'shift_attendance',
    actor: { type: 'contact', id: contactId },
    payload: {
      shiftId: shift.id,
      placementId: shift.placementId,
      structure: shift.placement.structure.name,
      startsAt: shift.startsAt.toISOString(),
      attendance,
      from: shift.attendance,
      via,
    },
    attention: attendance === 'absent',
  });
  await tx.proactiveQuestion.updateMany({
    where: { kind: 'attendance', refId: shift.id, answeredAt: null },
    data: { answeredAt: now, answer: attendance },
  });
}

const shiftWithPlace = { placement: { include: { structure: true } }, beneficiary: true } as const;

/** The answer to an attendance request (question `questionId`, about shift `shiftId`). */
export async function answerAttendance(
  db: Db,
  contact: Pick<ContactView, 'id' | 'structureId'>,
  question: { id: number; refId: number },
  attendance: AttendanceAnswer,
  now: Date,
): Promise<AttendanceOutcome> {
  return retryLostRaces(() =>
    db.$transaction(async (tx) => {
      const shift = await tx.shift.findUnique({ where: { id: question.refId }, include: shiftWithPlace });
      const audit = (outcome: string, beneficiaryId?: number) =>
        auditContactAction(tx, {
          contactId: contact.id,
          kind: 'attendance',
          resource: 'shift',
          resourceId: question.refId,
          beneficiaryId,
          detail: { outcome, attendance, questionId: question.id },
        });
      if (!shift || shift.placement.structureId !== contact.structureId) {
        await answerQuestion(tx, question.id, 'closed', now);
        await audit('refused');
        return { status: 'closed' as const };
      }
      if (!(await answerQuestion(tx, question.id, attendance, now))) {
        await audit('already', shift.beneficiaryId);
        return { status: 'already' as const };
      }
      await record(tx, shift, attendance, contact.id, now, 'request');
      await audit('recorded', shift.beneficiaryId);
      return { status: 'recorded' as const, name: nameOf(shift.beneficiary), attendance };
    }),
  );
}

/**
 * "Report an absence" from the menu: the person's shifts of today at the contact's structure are
 * "absent" (each an alert); with no shift today, an absence_reported alert says so. Undefined when
 * the person is not placed at the contact's structure today.
 */
export function reportAbsence(
  db: Db,
  contact: Pick<ContactView, 'id' | 'structureId'>,
  placementId: number,
  now: Date,
  timeZone: string,
): Promise<{ person: PlacedPerson; shifts: number } | undefined> {
  return onPlacedPerson(db, { contact, placementId, kind: 'absence', now, timeZone }, async (tx, person) => {
    const { from, to } = localDayRange(now, 0, timeZone);
    const shifts = await tx.shift.findMany({
      where: { placementId, startsAt: { gte: from, lt: to } },
      include: shiftWithPlace,
      orderBy: { startsAt: 'asc' },
    });
    for (const shift of shifts) await record(tx, shift, 'absent', contact.id, now, 'menu');
    if (!shifts.length) {
      await appendCaseEvent(tx, {
        beneficiaryId: person.beneficiaryId,
        type: 'absence_reported',
        actor: { type: 'contact', id: contact.id },
        payload: { placementId, structure: person.structure, day: localDay(now, timeZone) },
        attention: true,
      });
    }
    return {
      detail: { outcome: 'recorded', shiftIds: shifts.map((s) => s.id) },
      result: { person, shifts: shifts.length },
    };
  });
}
