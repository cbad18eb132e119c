// Placements (the steps of a journey) and their shifts: the rules of the sas IAE, whoever records
// them. Placement dates are days (midnight UTC) and both ends are included: a placement from
// 2026-01-15 to 2026-05-15 works on both of those days.
//   - an SIAE takes at most `capacity` refugees (2 unless set) in the sas IAE at a time;
//   - a person spends at most 4 months in the sas IAE in all, counted from their first day;
//   - a sas IAE step is at an SIAE, and a placement's tutor is a contact of its structure.
// The checks and the write are one transaction, with the person and the structure locked first
// (see lockPersonAndStructure), so that two CIPs placing two people in the last seat at the same
// moment cannot both get it.
import type { Database, Prisma } from '../db/client';
import { retryLostRaces } from '../db/retry';
import { appendCaseEvent, type Actor } from './caseEvents';

type Tx = Prisma.TransactionClient;
type Placement = Prisma.PlacementGetPayload<object>;
type Shift = Prisma.ShiftGetPayload<object>;
/** What the rules need of the database: its client, and which SQL it speaks (for the lock). */
export type PlacementDb = Pick<Database, 'prisma' | 'provider'>;

export const PLACEMENT_KINDS = ['sas_iae', 'immersion', 'poec', 'work_study', 'job'] as const;
export type PlacementKind = (typeof PLACEMENT_KINDS)[number];
export const PLACEMENT_STATUSES = ['planned', 'active', 'ended', 'cancelled'] as const;
export type PlacementStatus = (typeof PLACEMENT_STATUSES)[number];
export const ATTENDANCES = ['unknown', 'present', 'absent', 'late'] as const;
export type Attendance = (typeof ATTENDANCES)[number];

/** refugees at a time in an SIAE whose capacity is not set */
export const SIAE_DEFAULT_CAPACITY = 2;
export const SAS_IAE_MAX_MONTHS = 4;

export type RefusalReason =
  | 'beneficiary_not_found'
  | 'structure_not_found'
  | 'placement_not_found'
  | 'shift_not_found'
  | 'dates'
  | 'case_archived'
  | 'structure_inactive'
  | 'structure_kind'
  | 'tutor'
  | 'capacity'
  | 'sas_duration'
  | 'placement_closed'
  | 'shift_outside';

/** What a refusal's message is made of (names, counts, days), for a message in another language. */
export type RefusalParams = Record<string, string | number | Date>;

/** A rule said no (or a record is missing); nothing was written. */
export class PlacementRefused extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    /** the input field at fault, when it is one field */
    readonly field?: string,
    readonly params: RefusalParams = {},
  ) {
    super(message);
    this.name = 'PlacementRefused';
  }
}

const refuse = (reason: RefusalReason, message: string, field?: string, params?: RefusalParams): never => {
  throw new PlacementRefused(reason, message, field, params);
};

// --- Days --------------------------------------------------------------------------------------

const DAY_MS = 24 * 3600 * 1000;

/** A range of whole days, both ends included (day numbers since 1970-01-01). */
interface DayRange {
  start: number;
  end: number;
}

const dayNumber = (d: Date) => Math.floor(d.getTime() / DAY_MS);
const dayText = (d: Date) => d.toISOString().slice(0, 10);
const rangeOf = (p: { startDate: Date; endDate: Date }): DayRange => ({
  start: dayNumber(p.startDate),
  end: dayNumber(p.endDate),
});

/** The same day `months` calendar months later; a day the month lacks becomes its last (31 Oct + 4: 28 Feb). */
export function addMonths(day: Date, months: number): Date {
  const year = day.getUTCFullYear();
  const month = day.getUTCMonth() + months;
  const lastOfMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(day.getUTCDate(), lastOfMonth)));
}

/** The ranges merged: each day once, in order. */
function union(ranges: DayRange[]): DayRange[] {
  const merged: DayRange[] = [];
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  return merged;
}

const daysIn = (ranges: DayRange[]) => union(ranges).reduce((n, r) => n + r.end - r.start + 1, 0);

/** The most people present on one day of `within`, each person given by their own ranges. */
function peakPresence(within: DayRange, people: DayRange[][]): { peak: number; day?: number } {
  const delta = new Map<number, number>();
  for (const ranges of people) {
    for (const r of union(ranges)) {
      const start = Math.max(r.start, within.start);
      const end = Math.min(r.end, within.end);
      if (start > end) continue;
      delta.set(start, (delta.get(start) ?? 0) + 1);
      delta.set(end + 1, (delta.get(end + 1) ?? 0) - 1);
    }
  }
  let present = 0;
  let best: { peak: number; day?: number } = { peak: 0 };
  for (const day of [...delta.keys()].sort((a, b) => a - b)) {
    present += delta.get(day)!;
    if (present > best.peak) best = { peak: present, day };
  }
  return best;
}

// --- The rules -----------------------------------------------------------------------------------

/** placements that take a seat in their structure */
const HOLDS_A_SEAT: readonly string[] = ['planned', 'active'];

/**
 * Locks what the rules count, until the transaction ends: the person (their sas IAE months) and
 * the structure (its seats). PostgreSQL: row locks, always the person first, so that two
 * transactions never wait for each other in a circle. SQLite has a single writer: in one process
 * bot/db/serialized.ts runs transactions one at a time; another client on the same file that is
 * writing, or wrote since we read, makes our write fail at once (SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT),
 * and `retryLostRaces` (bot/db/retry.ts) runs the transaction again on fresh counts. (A lock
 * taken by a first write would instead make better-sqlite3 wait synchronously, stalling the
 * process that holds the lock.)
 */
async function lockPersonAndStructure(
  tx: Tx,
  provider: PlacementDb['provider'],
  beneficiaryId: number,
  structureId: number,
) {
  if (provider !== 'postgresql') return;
  await tx.$queryRaw`SELECT "id" FROM "Beneficiary" WHERE "id" = ${beneficiaryId} FOR UPDATE`;
  await tx.$queryRaw`SELECT "id" FROM "Structure" WHERE "id" = ${structureId} FOR UPDATE`;
}

interface Candidate {
  /** the placement being edited; none for a new one */
  id?: number;
  beneficiaryId: number;
  kind: string;
  startDate: Date;
  endDate: Date;
  status: string;
}

type StructureRow = Prisma.StructureGetPayload<object>;

function checkDates(p: Candidate) {
  if (p.endDate <= p.startDate)
    refuse('dates', `must be after the start date (${dayText(p.startDate)})`, 'endDate', { startDate: p.startDate });
}

const KIND_NAMES: Record<string, string> = {
  company: 'a company',
  training: 'a training body',
  mission_locale: 'a Mission Locale',
};

function checkKind(kind: string, structure: StructureRow) {
  if (kind === 'sas_iae' && structure.kind !== 'siae')
    refuse(
      'structure_kind',
      `A sas IAE step is done in an SIAE; ${structure.name} is ${KIND_NAMES[structure.kind] ?? structure.kind}.`,
      undefined,
      { structure: structure.name, kind: structure.kind },
    );
}

async function checkTutor(tx: Tx, tutorId: number | null | undefined, structure: StructureRow) {
  if (tutorId == null) return;
  const tutor = await tx.contact.findUnique({ where: { id: tutorId } });
  if (!tutor || tutor.structureId !== structure.id)
    refuse('tutor', `The tutor must be a contact of ${structure.name}.`, undefined, { structure: structure.name });
}

/** At most `capacity` refugees in the sas IAE of one SIAE on any one day. */
async function checkCapacity(tx: Tx, p: Candidate, structure: StructureRow) {
  if (p.kind !== 'sas_iae' || structure.kind !== 'siae' || !HOLDS_A_SEAT.includes(p.status)) return;
  const capacity = structure.capacity ?? SIAE_DEFAULT_CAPACITY;
  const others = await tx.placement.findMany({
    where: {
      structureId: structure.id,
      kind: 'sas_iae',
      status: { in: [...HOLDS_A_SEAT] },
      // The same person twice is still one refugee.
      beneficiaryId: { not: p.beneficiaryId },
      startDate: { lte: p.endDate },
      endDate: { gte: p.startDate },
      ...(p.id !== undefined && { id: { not: p.id } }),
    },
    select: { beneficiaryId: true, startDate: true, endDate: true },
  });
  const byPerson = new Map<number, DayRange[]>();
  for (const o of others) byPerson.set(o.beneficiaryId, [...(byPerson.get(o.beneficiaryId) ?? []), rangeOf(o)]);
  const { peak, day } = peakPresence(rangeOf(p), [...byPerson.values()]);
  if (peak + 1 > capacity) {
    const when = dayText(new Date(day! * DAY_MS));
    refuse(
      'capacity',
      `${structure.name} takes at most ${capacity} refugee${capacity === 1 ? '' : 's'} in the sas IAE at a time, ` +
        `and ${peak} ${peak === 1 ? 'is' : 'are'} already placed there on ${when}.`,
      undefined,
      {
        structure: structure.name,
        capacity,
        placed: peak,
        day: new Date(day! * DAY_MS),
      },
    );
  }
}

/** At most 4 months of sas IAE in all for a person, counted from their first sas IAE day. */
async function checkSasDuration(tx: Tx, p: Candidate) {
  if (p.kind !== 'sas_iae' || p.status === 'cancelled') return;
  const others = await tx.placement.findMany({
    where: {
      beneficiaryId: p.beneficiaryId,
      kind: 'sas_iae',
      status: { not: 'cancelled' },
      ...(p.id !== undefined && { id: { not: p.id } }),
    },
    select: { startDate: true, endDate: true },
  });
  const ranges = [...others, p].map(rangeOf);
  const first = new Date(Math.min(...ranges.map((r) => r.start)) * DAY_MS);
  const limit = addMonths(first, SAS_IAE_MAX_MONTHS);
  const allowed = dayNumber(limit) - dayNumber(first) + 1;
  const used = daysIn(ranges);
  if (used > allowed) {
    refuse(
      'sas_duration',
      `The sas IAE lasts at most ${SAS_IAE_MAX_MONTHS} months in all: from ${dayText(first)}, that is ${allowed} ` +
        `days (to ${dayText(limit)}); with this placement it would be ${used} days.`,
      undefined,
      {
        months: SAS_IAE_MAX_MONTHS,
        from: first,
        to: limit,
        allowed,
        used,
      },
    );
  }
}

const eventPayload = (p: Placement) => ({
  placementId: p.id,
  structureId: p.structureId,
  kind: p.kind,
  startDate: dayText(p.startDate),
  endDate: dayText(p.endDate),
  status: p.status,
});

// --- Placements ----------------------------------------------------------------------------------

export interface NewPlacement {
  beneficiaryId: number;
  structureId: number;
  tutorId?: number | null;
  kind: PlacementKind;
  startDate: Date;
  endDate: Date;
  status?: PlacementStatus;
  notes?: string | null;
}

/** Records a placement if every rule allows it (PlacementRefused otherwise), with its placement_created event. */
export async function createPlacement(db: PlacementDb, input: NewPlacement, actor: Actor): Promise<Placement> {
  const candidate: Candidate = { ...input, status: input.status ?? 'planned' };
  checkDates(candidate);
  return retryLostRaces(() =>
    db.prisma.$transaction(async (tx) => {
      await lockPersonAndStructure(tx, db.provider, input.beneficiaryId, input.structureId);
      const person = await tx.beneficiary.findUnique({ where: { id: input.beneficiaryId } });
      if (!person) return refuse('beneficiary_not_found', 'Beneficiary not found.');
      if (person.status === 'erased') refuse('case_archived', 'This case is erased.', undefined, { status: 'erased' });
      if (person.status === 'archived')
        refuse('case_archived', 'This case is archived: reopen it before placing the person.', undefined, {
          status: 'archived',
        });
      const structure = await tx.structure.findUnique({ where: { id: input.structureId } });
      if (!structure) return refuse('structure_not_found', 'Structure not found.');
      if (!structure.active)
        refuse('structure_inactive', `${structure.name} is not active.`, undefined, { structure: structure.name });
      checkKind(input.kind, structure);
      await checkTutor(tx, input.tutorId, structure);
      await checkCapacity(tx, candidate, structure);
      await checkSasDuration(tx, candidate);

      const placement = await tx.placement.create({
        data: {
          beneficiaryId: input.beneficiaryId,
          structureId: structure.id,
          tutorId: input.tutorId ?? null,
          kind: input.kind,
          startDate: input.startDate,
          endDate: input.endDate,
          status: candidate.status,
          notes: input.notes ?? null,
        },
      });
      await appendCaseEvent(tx, {
        beneficiaryId: placement.beneficiaryId,
        type: 'placement_created',
        actor,
        payload: eventPayload(placement),
      });
      return placement;
    }),
  );
}

export interface PlacementChanges {
  startDate?: Date;
  endDate?: Date;
  status?: PlacementStatus;
  tutorId?: number | null;
  notes?: string | null;
}

/** Changes a placement if the rules still hold afterwards, with its placement_updated event. */
export async function updatePlacement(
  db: PlacementDb,
  placementId: number,
  changes: PlacementChanges,
  actor: Actor,
): Promise<Placement> {
  // Who and where never change: enough to know what to lock.
  const found = await db.prisma.placement.findUnique({
    where: { id: placementId },
    select: { beneficiaryId: true, structureId: true },
  });
  if (!found) return refuse('placement_not_found', 'Placement not found.');
  return retryLostRaces(() =>
    db.prisma.$transaction(async (tx) => {
      await lockPersonAndStructure(tx, db.provider, found.beneficiaryId, found.structureId);
      const before = await tx.placement.findUniqueOrThrow({ where: { id: placementId }, include: { structure: true } });
      const after: Candidate = {
        id: before.id,
        beneficiaryId: before.beneficiaryId,
        kind: before.kind,
        startDate: changes.startDate ?? before.startDate,
        endDate: changes.endDate ?? before.endDate,
        status: changes.status ?? before.status,
      };
      checkDates(after);
      if (changes.tutorId !== undefined) await checkTutor(tx, changes.tutorId, before.structure);
      // Only what the change can break is checked again: ending a placement or editing its notes
      // must stay possible whatever the others look like.
      const datesChanged =
        after.startDate.getTime() !== before.startDate.getTime() ||
        after.endDate.getTime() !== before.endDate.getTime();
      if (HOLDS_A_SEAT.includes(after.status) && (datesChanged || !HOLDS_A_SEAT.includes(before.status)))
        await checkCapacity(tx, after, before.structure);
      if (after.status !== 'cancelled' && (datesChanged || before.status === 'cancelled'))
        await checkSasDuration(tx, after);

      const placement = await tx.placement.update({ where: { id: before.id }, data: changes });
      await appendCaseEvent(tx, {
        beneficiaryId: placement.beneficiaryId,
        type: 'placement_updated',
        actor,
        payload: {
          ...eventPayload(placement),
          fields: Object.keys(changes),
          ...(changes.status && changes.status !== before.status && { from: before.status }),
        },
      });
      return placement;
    }),
  );
}

// --- Shifts ----------------------------------------------------------------------------------------

/** Plans a shift of a planned or active placement, within its days; with its shift_created event. */
export async function addShift(
  db: PlacementDb,
  placementId: number,
  slot: { startsAt: Date; endsAt: Date },
  actor: Actor,
): Promise<Shift> {
  return retryLostRaces(() =>
    db.prisma.$transaction(async (tx) => {
      const placement = await tx.placement.findUnique({ where: { id: placementId }, include: { structure: true } });
      if (!placement) return refuse('placement_not_found', 'Placement not found.');
      if (!HOLDS_A_SEAT.includes(placement.status))
        refuse(
          'placement_closed',
          `This placement is ${placement.status}: shifts are planned in planned or active placements only.`,
          undefined,
          { status: placement.status },
        );
      if (slot.endsAt <= slot.startsAt) refuse('dates', 'must be after startsAt', 'endsAt');
      // The last day is included: a shift may run until midnight (UTC) after it.
      if (slot.startsAt < placement.startDate || slot.endsAt.getTime() > placement.endDate.getTime() + DAY_MS) {
        refuse(
          'shift_outside',
          `A shift falls within its placement's days: ${dayText(placement.startDate)} to ` +
            `${dayText(placement.endDate)}.`,
          undefined,
          { from: placement.startDate, to: placement.endDate },
        );
      }
      const shift = await tx.shift.create({
        data: { placementId, beneficiaryId: placement.beneficiaryId, startsAt: slot.startsAt, endsAt: slot.endsAt },
      });
      await appendCaseEvent(tx, {
        beneficiaryId: placement.beneficiaryId,
        type: 'shift_created',
        actor,
        payload: {
          shiftId: shift.id,
          placementId,
          structure: placement.structure.name,
          startsAt: shift.startsAt.toISOString(),
          endsAt: shift.endsAt.toISOString(),
        },
      });
      return shift;
    }),
  );
}

/**
 * Records whether the person came to a shift; "unknown" clears it. An absence is flagged for the
 * CIP's attention (shift_attendance).
 */
export async function recordAttendance(
  db: PlacementDb,
  shiftId: number,
  attendance: Attendance,
  now: Date,
  actor: Actor,
): Promise<Shift> {
  return retryLostRaces(() =>
    db.prisma.$transaction(async (tx) => {
      const before = await tx.shift.findUnique({
        where: { id: shiftId },
        include: { placement: { include: { structure: true } } },
      });
      if (!before) return refuse('shift_not_found', 'Shift not found.');
      const recorded = attendance !== 'unknown';
      const shift = await tx.shift.update({
        where: { id: shiftId },
        data: {
          attendance,
          attendanceAt: recorded ? now : null,
          attendanceContactId: recorded && actor.type === 'contact' ? Number(actor.id) : null,
        },
      });
      await appendCaseEvent(tx, {
        beneficiaryId: shift.beneficiaryId,
        type: 'shift_attendance',
        actor,
        payload: {
          shiftId,
          placementId: shift.placementId,
          structure: before.placement.structure.name,
          startsAt: shift.startsAt.toISOString(),
          attendance,
          from: before.attendance,
        },
        attention: attendance === 'absent',
      });
      return shift;
    }),
  );
}
