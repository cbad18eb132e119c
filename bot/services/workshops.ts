// Workshop sessions and bookings: the rules, whoever books (a person by chat, a reply to an
// invitation, a CIP). Capacity is enforced by one conditional update of the session's seat count,
// so two people taking the last seat at the same moment cannot both get it, on SQLite as on
// PostgreSQL. Every change writes its CaseEvent in the same transaction.
import type { Db, Prisma } from '../db/client';
import { appendCaseEvent, type Actor } from './caseEvents';
import { queueNotification } from './notifications';

type Tx = Prisma.TransactionClient;

export type AgeGroup = 'under25' | 'over25';

/** Under-25s go to the Mission Locale's sessions; the platform's sessions are for 25 and over. */
export function ageGroupOf(birthYear: number | null | undefined, now: Date): AgeGroup | undefined {
  if (!birthYear) return undefined;
  // Born in `birthYear`, a person is 25 at the latest by the end of the year birthYear + 25.
  return now.getUTCFullYear() - birthYear < 25 ? 'under25' : 'over25';
}

export interface SessionView {
  id: number;
  workshopCode: string;
  /** French title; dialogs show the translation of workshops.<code> */
  title: string;
  startsAt: Date;
  endsAt: Date;
  place: string;
  capacity: number;
  seatsLeft: number;
}

type SessionRow = Prisma.WorkshopSessionGetPayload<{ include: { workshop: true } }>;

function view(s: SessionRow): SessionView {
  return {
    id: s.id,
    workshopCode: s.workshop.code,
    title: s.workshop.title,
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    place: s.place,
    capacity: s.capacity,
    seatsLeft: Math.max(0, s.capacity - s.bookedCount),
  };
}

export interface SessionPage {
  sessions: SessionView[];
  /** more sessions after this page */
  more: boolean;
}

/**
 * Upcoming sessions a person may book: not started, not cancelled, of their age group, and not
 * already booked or waitlisted by them; soonest first.
 */
export async function eligibleSessions(
  db: Db,
  beneficiaryId: number,
  ageGroup: AgeGroup,
  now: Date,
  page: { skip: number; take: number },
): Promise<SessionPage> {
  const rows = await db.workshopSession.findMany({
    where: {
      status: 'scheduled',
      startsAt: { gt: now },
      audience: ageGroup,
      workshop: { active: true },
      bookings: { none: { beneficiaryId, status: { in: ['booked', 'waitlisted'] } } },
    },
    include: { workshop: true },
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    skip: page.skip,
    take: page.take + 1,
  });
  return { sessions: rows.slice(0, page.take).map(view), more: rows.length > page.take };
}

export async function sessionById(db: Db, id: number): Promise<SessionView | undefined> {
  const row = await db.workshopSession.findUnique({ where: { id }, include: { workshop: true } });
  return row ? view(row) : undefined;
}

export interface ShiftOverlap {
  shiftId: number;
  structure: string;
  startsAt: Date;
  endsAt: Date;
}

/** A shift of the person at the same time as the session (not declined), if any. */
export async function overlappingShift(db: Db, beneficiaryId: number, sessionId: number): Promise<ShiftOverlap | undefined> {
  const session = await db.workshopSession.findUnique({ where: { id: sessionId } });
  if (!session) return undefined;
  const shift = await db.shift.findFirst({
    where: { beneficiaryId, confirmation: { not: 'declined' }, startsAt: { lt: session.endsAt }, endsAt: { gt: session.startsAt } },
    include: { placement: { include: { structure: true } } },
    orderBy: { startsAt: 'asc' },
  });
  return shift ? { shiftId: shift.id, structure: shift.placement.structure.name, startsAt: shift.startsAt, endsAt: shift.endsAt } : undefined;
}

export type BookingOutcome =
  | { status: 'booked'; bookingId: number; session: SessionView }
  | { status: 'waitlisted'; bookingId: number; session: SessionView; position: number }
  | { status: 'full'; session: SessionView }
  | { status: 'already_booked' | 'already_waitlisted'; bookingId: number; session: SessionView }
  | { status: 'started' | 'cancelled' | 'not_eligible' | 'not_found' };

export interface BookOptions {
  /** who acts: the person by chat, or a member of staff */
  actor: Actor;
  /** chat | broadcast | cip */
  source?: string;
  /** when the session is full, join its waiting list instead of answering "full" */
  waitlistIfFull?: boolean;
  /** skip the age-group rule (a CIP's decision) */
  ignoreAgeGroup?: boolean;
}

/** Books a seat for the person, or puts them on the waiting list when asked and the session is full. */
export async function book(db: Db, beneficiaryId: number, sessionId: number, now: Date, options: BookOptions): Promise<BookingOutcome> {
  return db.$transaction(async (tx) => {
    const row = await tx.workshopSession.findUnique({ where: { id: sessionId }, include: { workshop: true } });
    if (!row) return { status: 'not_found' };
    if (row.status !== 'scheduled') return { status: 'cancelled' };
    if (row.startsAt <= now) return { status: 'started' };
    const person = await tx.beneficiary.findUnique({ where: { id: beneficiaryId } });
    if (!person) return { status: 'not_found' };
    if (!options.ignoreAgeGroup && ageGroupOf(person.birthYear, now) !== row.audience) return { status: 'not_eligible' };

    const existing = await tx.booking.findUnique({ where: { sessionId_beneficiaryId: { sessionId, beneficiaryId } } });
    if (existing?.status === 'booked') return { status: 'already_booked', bookingId: existing.id, session: view(row) };
    if (existing?.status === 'waitlisted') return { status: 'already_waitlisted', bookingId: existing.id, session: view(row) };

    // The seat: taken only if one is left, in one statement (the database serialises it).
    const seat = await tx.workshopSession.updateMany({
      where: { id: sessionId, bookedCount: { lt: tx.workshopSession.fields.capacity } },
      data: { bookedCount: { increment: 1 } },
    });
    const taken = seat.count === 1;
    if (!taken && !options.waitlistIfFull) return { status: 'full', session: view(row) };

    const status = taken ? 'booked' : 'waitlisted';
    const data = { status, source: options.source ?? 'chat', cancelledAt: null, waitlistedAt: taken ? null : now };
    const booking = existing
      ? await tx.booking.update({ where: { id: existing.id }, data })
      : await tx.booking.create({ data: { ...data, sessionId, beneficiaryId } });
    await appendCaseEvent(tx, {
      beneficiaryId,
      type: taken ? 'workshop_booked' : 'workshop_waitlisted',
      actor: options.actor,
      payload: { bookingId: booking.id, sessionId, workshop: row.workshop.code, startsAt: row.startsAt.toISOString(), source: data.source },
    });
    const fresh = await tx.workshopSession.findUniqueOrThrow({ where: { id: sessionId }, include: { workshop: true } });
    if (taken) return { status: 'booked', bookingId: booking.id, session: view(fresh) };
    const position = await tx.booking.count({
      where: { sessionId, status: 'waitlisted', waitlistedAt: { lte: now } },
    });
    return { status: 'waitlisted', bookingId: booking.id, session: view(fresh), position };
  });
}

export interface BookingView {
  bookingId: number;
  status: 'booked' | 'waitlisted';
  session: SessionView;
}

/** The person's upcoming bookings and waiting-list places, soonest first. */
export async function upcomingBookings(db: Db, beneficiaryId: number, now: Date, until?: Date): Promise<BookingView[]> {
  const rows = await db.booking.findMany({
    where: {
      beneficiaryId,
      status: { in: ['booked', 'waitlisted'] },
      session: { startsAt: { gt: now, ...(until && { lt: until }) }, status: 'scheduled' },
    },
    include: { session: { include: { workshop: true } } },
    orderBy: { session: { startsAt: 'asc' } },
  });
  return rows.map((b) => ({ bookingId: b.id, status: b.status as BookingView['status'], session: view(b.session) }));
}

export type CancelOutcome =
  | { status: 'cancelled'; session: SessionView; promotedBeneficiaryId?: number }
  | { status: 'not_found' | 'already_cancelled' | 'started' };

/**
 * Cancels a booking or a waiting-list place. A freed seat goes to the first person on the waiting
 * list, who is told (a notification queued in the same transaction).
 */
export async function cancelBooking(db: Db, beneficiaryId: number, bookingId: number, now: Date, actor: Actor): Promise<CancelOutcome> {
  return db.$transaction(async (tx) => {
    const booking = await tx.booking.findUnique({ where: { id: bookingId }, include: { session: { include: { workshop: true } } } });
    if (!booking || booking.beneficiaryId !== beneficiaryId) return { status: 'not_found' };
    if (booking.status !== 'booked' && booking.status !== 'waitlisted') return { status: 'already_cancelled' };
    if (booking.session.startsAt <= now) return { status: 'started' };

    await tx.booking.update({ where: { id: bookingId }, data: { status: 'cancelled', cancelledAt: now } });
    const payload = { bookingId, sessionId: booking.sessionId, workshop: booking.session.workshop.code, was: booking.status };
    await appendCaseEvent(tx, { beneficiaryId, type: 'workshop_cancelled', actor, payload });

    let promotedBeneficiaryId: number | undefined;
    if (booking.status === 'booked') {
      await tx.workshopSession.update({ where: { id: booking.sessionId }, data: { bookedCount: { decrement: 1 } } });
      promotedBeneficiaryId = await promoteFromWaitlist(tx, booking.sessionId, now);
    }
    const session = await tx.workshopSession.findUniqueOrThrow({ where: { id: booking.sessionId }, include: { workshop: true } });
    return { status: 'cancelled', session: view(session), promotedBeneficiaryId };
  });
}

/** Gives a free seat to the first person waiting, if any; returns who got it. */
async function promoteFromWaitlist(tx: Tx, sessionId: number, now: Date): Promise<number | undefined> {
  const first = await tx.booking.findFirst({
    where: { sessionId, status: 'waitlisted' },
    orderBy: [{ waitlistedAt: 'asc' }, { id: 'asc' }],
    include: { session: { include: { workshop: true } } },
  });
  if (!first) return undefined;
  const seat = await tx.workshopSession.updateMany({
    where: { id: sessionId, bookedCount: { lt: tx.workshopSession.fields.capacity } },
    data: { bookedCount: { increment: 1 } },
  });
  if (seat.count !== 1) return undefined;
  await tx.booking.update({ where: { id: first.id }, data: { status: 'booked', waitlistedAt: null } });
  await appendCaseEvent(tx, {
    beneficiaryId: first.beneficiaryId,
    type: 'waitlist_promoted',
    actor: { type: 'system' },
    payload: { bookingId: first.id, sessionId, workshop: first.session.workshop.code },
  });
  await queueNotification(tx, first.beneficiaryId, now, {
    key: 'notifications.waitlistPromoted',
    session: { id: sessionId, workshopCode: first.session.workshop.code, startsAt: first.session.startsAt.toISOString(), place: first.session.place },
  });
  return first.beneficiaryId;
}
