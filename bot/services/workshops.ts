// Workshop sessions and bookings: the rules, whoever books (a person by chat, a reply to an
// invitation, a CIP). Capacity is enforced by one conditional update of the session's seat count,
// so two people taking the last seat at the same moment cannot both get it, on SQLite as on
// PostgreSQL. Every change writes its CaseEvent in the same transaction, and a transaction that
// lost a race with another instance (SQLite "database is locked", a PostgreSQL deadlock, a booking
// row created meanwhile) runs again from the start: no such error reaches the person.
import type { Db, Prisma } from '../db/client';
import { SqlParams } from '../db/rawSql';
import { raceLost, retryLostRaces } from '../db/retry';
import { asBoolean, asDate, sqlReader } from '../db/sqlReads';
import { sqlTransaction, type SqlClient } from '../db/sqlTransaction';
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
  /** French title; dialogs show the translation of workshops.titles.<code> */
  title: string;
  startsAt: Date;
  endsAt: Date;
  place: string;
  capacity: number;
  seatsLeft: number;
}

type SessionRow = Pick<
  Prisma.WorkshopSessionGetPayload<{ include: { workshop: true } }>,
  'id' | 'startsAt' | 'endsAt' | 'place' | 'capacity' | 'bookedCount'
> & { workshop: { code: string; title: string } };

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

// --- Races between instances ---------------------------------------------------------------

/**
 * Runs a transaction, again (after a short random pause) when it lost a race (bot/db/retry.ts).
 * On SQLite a transaction reads first, so a conflicting writer makes it fail at once instead of
 * waiting. Its work is SQL of our own (bot/db/sqlTransaction.ts): on SQLite it runs on the
 * connection itself, so the single writer is held for the statements' time only, not for Prisma's
 * round trips (200 people booking within the same 400 ms queued behind each other's transactions).
 */
function retrying<T>(db: Db, work: (tx: SqlClient) => Promise<T>): Promise<T> {
  return retryLostRaces(() => sqlTransaction(db, work));
}

// --- Sessions --------------------------------------------------------------------------------

// The reads of sessions at almost every workshop turn, in SQL of our own (bot/db/sqlReads.ts):
// a session with its workshop's code and title, as SessionView wants them.
const SESSION_COLUMNS =
  's."id", s."startsAt", s."endsAt", s."place", s."capacity", s."bookedCount", w."code", w."title"';
const SESSIONS = `"WorkshopSession" s JOIN "Workshop" w ON w."id" = s."workshopId"`;

interface SessionSqlRow {
  id: number;
  startsAt: unknown;
  endsAt: unknown;
  place: string;
  capacity: number;
  bookedCount: number;
  code: string;
  title: string;
}

function sqlView(r: SessionSqlRow): SessionView {
  return view({
    id: Number(r.id),
    startsAt: asDate(r.startsAt)!,
    endsAt: asDate(r.endsAt)!,
    place: r.place,
    capacity: Number(r.capacity),
    bookedCount: Number(r.bookedCount),
    workshop: { code: r.code, title: r.title },
  });
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
  const reader = sqlReader(db);
  const p = new SqlParams(reader.provider);
  const rows = await reader.rows<SessionSqlRow>(
    `SELECT ${SESSION_COLUMNS} FROM ${SESSIONS}
      WHERE s."status" = 'scheduled' AND s."startsAt" > ${p.add(now, 'timestamp')}
        AND s."audience" = ${p.add(ageGroup)} AND w."active" = true
        AND NOT EXISTS (SELECT 1 FROM "Booking" b WHERE b."sessionId" = s."id"
          AND b."beneficiaryId" = ${p.add(beneficiaryId, 'int')} AND b."status" IN ('booked', 'waitlisted'))
      ORDER BY s."startsAt", s."id"
      LIMIT ${p.add(page.take + 1, 'int')} OFFSET ${p.add(page.skip, 'int')}`,
    p.values,
  );
  return { sessions: rows.slice(0, page.take).map(sqlView), more: rows.length > page.take };
}

/** Several sessions at once (e.g. the ones a question lists), by id; missing ones are absent. */
export async function sessionsByIds(db: Db, ids: number[]): Promise<Map<number, SessionView>> {
  const reader = sqlReader(db);
  const p = new SqlParams(reader.provider);
  const rows = await reader.rows<SessionSqlRow>(
    `SELECT ${SESSION_COLUMNS} FROM ${SESSIONS} WHERE s."id" ${p.inIds(ids)}`,
    p.values,
  );
  return new Map(rows.map((r) => [Number(r.id), sqlView(r)]));
}

export interface ShiftOverlap {
  shiftId: number;
  structure: string;
  startsAt: Date;
  endsAt: Date;
}

/**
 * A shift of the person at the same time as the session (not declined), if any: the soonest.
 * (Asked before every booking: one statement of our own, where Prisma ran four.)
 */
export async function overlappingShift(
  db: Db,
  beneficiaryId: number,
  sessionId: number,
): Promise<ShiftOverlap | undefined> {
  const reader = sqlReader(db);
  const p = new SqlParams(reader.provider);
  const [row] = await reader.rows<{ shiftId: number; structure: string; startsAt: unknown; endsAt: unknown }>(
    `SELECT sh."id" AS "shiftId", st."name" AS "structure", sh."startsAt", sh."endsAt"
       FROM "WorkshopSession" s
       JOIN "Shift" sh ON sh."startsAt" < s."endsAt" AND sh."endsAt" > s."startsAt"
       JOIN "Placement" pl ON pl."id" = sh."placementId"
       JOIN "Structure" st ON st."id" = pl."structureId"
      WHERE s."id" = ${p.add(sessionId, 'int')} AND sh."beneficiaryId" = ${p.add(beneficiaryId, 'int')}
        AND sh."confirmation" <> 'declined'
      ORDER BY sh."startsAt", sh."id"
      LIMIT 1`,
    p.values,
  );
  return row
    ? {
        shiftId: Number(row.shiftId),
        structure: row.structure,
        startsAt: asDate(row.startsAt)!,
        endsAt: asDate(row.endsAt)!,
      }
    : undefined;
}

// --- Booking ---------------------------------------------------------------------------------

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
export async function book(
  db: Db,
  beneficiaryId: number,
  sessionId: number,
  now: Date,
  options: BookOptions,
): Promise<BookingOutcome> {
  return retrying(db, async (tx): Promise<BookingOutcome> => {
    const sql = txSql(tx);
    let p = sql.params();
    const [row] = await sql.rows<SessionSqlRow & { status: string; audience: string; active: unknown }>(
      `SELECT ${SESSION_COLUMNS}, s."status", s."audience", w."active" FROM ${SESSIONS}
        WHERE s."id" = ${p.add(sessionId, 'int')}`,
      p,
    );
    if (!row) return { status: 'not_found' };
    const session = sqlView(row);
    if (row.status !== 'scheduled' || !asBoolean(row.active)) return { status: 'cancelled' };
    if (session.startsAt <= now) return { status: 'started' };
    p = sql.params();
    const [person] = await sql.rows<{ birthYear: unknown }>(
      `SELECT "birthYear" FROM "Beneficiary" WHERE "id" = ${p.add(beneficiaryId, 'int')}`,
      p,
    );
    if (!person) return { status: 'not_found' };
    const birthYear = person.birthYear === null ? null : Number(person.birthYear);
    if (!options.ignoreAgeGroup && ageGroupOf(birthYear, now) !== row.audience) return { status: 'not_eligible' };

    p = sql.params();
    const [found] = await sql.rows<{ id: unknown; status: string }>(
      `SELECT "id", "status" FROM "Booking"
        WHERE "sessionId" = ${p.add(sessionId, 'int')} AND "beneficiaryId" = ${p.add(beneficiaryId, 'int')}`,
      p,
    );
    const existing = found && { id: Number(found.id), status: found.status };
    if (existing?.status === 'booked') return { status: 'already_booked', bookingId: existing.id, session };
    if (existing?.status === 'waitlisted') return { status: 'already_waitlisted', bookingId: existing.id, session };

    // The seat: taken only if one is left, in one statement (the database serialises it).
    const seats = await takeSeat(tx, sessionId, now);
    if (seats === undefined && !options.waitlistIfFull) return { status: 'full', session };

    const taken = seats !== undefined;
    const status = taken ? 'booked' : 'waitlisted';
    const source = options.source ?? 'chat';
    p = sql.params();
    let bookingId: number;
    if (existing) {
      // A cancelled row, reused only if still cancelled: the same person may be booking it twice at once.
      const count = await sql.execute(
        `UPDATE "Booking" SET "status" = ${p.add(status)}, "source" = ${p.add(source)}, "cancelledAt" = NULL,
            "waitlistedAt" = ${p.add(taken ? null : now, 'timestamp')}, "updatedAt" = ${p.add(now, 'timestamp')}
          WHERE "id" = ${p.add(existing.id, 'int')} AND "status" = ${p.add(existing.status)}`,
        p,
      );
      if (count !== 1) raceLost();
      bookingId = existing.id;
    } else {
      // The same person booking the same session at the same moment elsewhere: the unique key keeps
      // one row, and this try starts again (and finds it).
      const [created] = await sql.rows<{ id: unknown }>(
        `INSERT INTO "Booking"
            ("sessionId", "beneficiaryId", "status", "source", "waitlistedAt", "createdAt", "updatedAt")
          VALUES (${p.add(sessionId, 'int')}, ${p.add(beneficiaryId, 'int')}, ${p.add(status)}, ${p.add(source)},
            ${p.add(taken ? null : now, 'timestamp')}, ${p.add(now, 'timestamp')}, ${p.add(now, 'timestamp')})
          ON CONFLICT ("sessionId", "beneficiaryId") DO NOTHING RETURNING "id"`,
        p,
      );
      if (!created) raceLost();
      bookingId = Number(created!.id);
    }
    await appendCaseEvent(tx, {
      beneficiaryId,
      type: taken ? 'workshop_booked' : 'workshop_waitlisted',
      actor: options.actor,
      payload: {
        bookingId,
        sessionId,
        workshop: session.workshopCode,
        startsAt: session.startsAt.toISOString(),
        source,
      },
    });
    if (taken) return { status: 'booked', bookingId, session: sqlView({ ...row, bookedCount: seats }) };
    return {
      status: 'waitlisted',
      bookingId,
      // (full: no seat left, whatever happened meanwhile)
      session: { ...session, seatsLeft: 0 },
      position: await waitlistPosition(tx, sessionId, bookingId, now),
    };
  });
}

/** Raw SQL inside a transaction, with the provider's placeholders (SqlParams). */
function txSql(tx: SqlClient) {
  const reader = sqlReader(tx);
  return {
    params: () => new SqlParams(reader.provider),
    rows: <T>(text: string, p: SqlParams) => reader.rows<T>(text, p.values),
    execute: (text: string, p: SqlParams) => tx.$executeRawUnsafe(text, ...p.values),
  };
}

/** Takes one seat if one is left: the seats now taken, or undefined when none was left. */
async function takeSeat(tx: SqlClient, sessionId: number, now: Date): Promise<number | undefined> {
  const sql = txSql(tx);
  const p = sql.params();
  const [seat] = await sql.rows<{ bookedCount: unknown }>(
    `UPDATE "WorkshopSession" SET "bookedCount" = "bookedCount" + 1, "updatedAt" = ${p.add(now, 'timestamp')}
      WHERE "id" = ${p.add(sessionId, 'int')} AND "bookedCount" < "capacity" RETURNING "bookedCount"`,
    p,
  );
  return seat ? Number(seat.bookedCount) : undefined;
}

/** 1 for the first in line: the order in which promoteFromWaitlist hands out seats. */
async function waitlistPosition(
  tx: SqlClient,
  sessionId: number,
  bookingId: number,
  waitlistedAt: Date,
): Promise<number> {
  const sql = txSql(tx);
  const p = sql.params();
  const [r] = await sql.rows<{ n: unknown }>(
    `SELECT count(*) AS "n" FROM "Booking"
      WHERE "sessionId" = ${p.add(sessionId, 'int')} AND "status" = 'waitlisted'
        AND ("waitlistedAt" < ${p.add(waitlistedAt, 'timestamp')}
          OR ("waitlistedAt" = ${p.add(waitlistedAt, 'timestamp')} AND "id" <= ${p.add(bookingId, 'int')}))`,
    p,
  );
  return Number(r!.n);
}

export interface BookingView {
  bookingId: number;
  status: 'booked' | 'waitlisted';
  session: SessionView;
}

/** The person's upcoming bookings and waiting-list places, soonest first. */
export async function upcomingBookings(db: Db, beneficiaryId: number, now: Date, until?: Date): Promise<BookingView[]> {
  const reader = sqlReader(db);
  const p = new SqlParams(reader.provider);
  const rows = await reader.rows<SessionSqlRow & { bookingId: number; bookingStatus: string }>(
    `SELECT b."id" AS "bookingId", b."status" AS "bookingStatus", ${SESSION_COLUMNS}
       FROM ${SESSIONS} JOIN "Booking" b ON b."sessionId" = s."id"
      WHERE b."beneficiaryId" = ${p.add(beneficiaryId, 'int')} AND b."status" IN ('booked', 'waitlisted')
        AND s."status" = 'scheduled' AND s."startsAt" > ${p.add(now, 'timestamp')}
        ${until ? `AND s."startsAt" < ${p.add(until, 'timestamp')}` : ''}
      ORDER BY s."startsAt", b."id"`,
    p.values,
  );
  return rows.map((r) => ({
    bookingId: Number(r.bookingId),
    status: r.bookingStatus as BookingView['status'],
    session: sqlView(r),
  }));
}

// --- Cancelling ------------------------------------------------------------------------------

export type CancelOutcome =
  | { status: 'cancelled'; session: SessionView; promotedBeneficiaryId?: number }
  | { status: 'not_found' | 'already_cancelled' | 'started' };

/**
 * Cancels a booking or a waiting-list place. A freed seat goes to the first person on the waiting
 * list, who is told (a notification queued in the same transaction).
 */
export async function cancelBooking(
  db: Db,
  beneficiaryId: number,
  bookingId: number,
  now: Date,
  actor: Actor,
): Promise<CancelOutcome> {
  return retrying(db, async (tx): Promise<CancelOutcome> => {
    const sql = txSql(tx);
    let p = sql.params();
    const [booking] = await sql.rows<{
      beneficiaryId: unknown;
      status: string;
      sessionId: unknown;
      startsAt: unknown;
      code: string;
    }>(
      `SELECT b."beneficiaryId", b."status", b."sessionId", s."startsAt", w."code"
         FROM "Booking" b JOIN "WorkshopSession" s ON s."id" = b."sessionId"
         JOIN "Workshop" w ON w."id" = s."workshopId"
        WHERE b."id" = ${p.add(bookingId, 'int')}`,
      p,
    );
    if (!booking || Number(booking.beneficiaryId) !== beneficiaryId) return { status: 'not_found' };
    if (booking.status !== 'booked' && booking.status !== 'waitlisted') return { status: 'already_cancelled' };
    if (asDate(booking.startsAt)! <= now) return { status: 'started' };
    const sessionId = Number(booking.sessionId);

    // Only from the state read above; if it changed meanwhile (cancelled twice at once, promoted
    // from the waiting list), start again from the new state.
    p = sql.params();
    const count = await sql.execute(
      `UPDATE "Booking" SET "status" = 'cancelled', "cancelledAt" = ${p.add(now, 'timestamp')},
          "updatedAt" = ${p.add(now, 'timestamp')}
        WHERE "id" = ${p.add(bookingId, 'int')} AND "status" = ${p.add(booking.status)}`,
      p,
    );
    if (count !== 1) raceLost();
    const payload = { bookingId, sessionId, workshop: booking.code, was: booking.status };
    await appendCaseEvent(tx, { beneficiaryId, type: 'workshop_cancelled', actor, payload });

    let promotedBeneficiaryId: number | undefined;
    if (booking.status === 'booked') {
      p = sql.params();
      await sql.execute(
        `UPDATE "WorkshopSession" SET "bookedCount" = "bookedCount" - 1, "updatedAt" = ${p.add(now, 'timestamp')}
          WHERE "id" = ${p.add(sessionId, 'int')} AND "bookedCount" > 0`,
        p,
      );
      promotedBeneficiaryId = await promoteFromWaitlist(tx, sessionId, now);
    }
    p = sql.params();
    const [session] = await sql.rows<SessionSqlRow>(
      `SELECT ${SESSION_COLUMNS} FROM ${SESSIONS} WHERE s."id" = ${p.add(sessionId, 'int')}`,
      p,
    );
    return { status: 'cancelled', session: sqlView(session!), promotedBeneficiaryId };
  });
}

/**
 * A person leaves (their data is erased): their places in sessions still to come are cancelled,
 * inside the caller's transaction, and each freed seat goes to the first person waiting.
 * Returns how many places were cancelled.
 */
export async function releaseFutureBookings(tx: Tx, beneficiaryId: number, now: Date): Promise<number> {
  const places = await tx.booking.findMany({
    where: { beneficiaryId, status: { in: ['booked', 'waitlisted'] }, session: { startsAt: { gt: now } } },
  });
  for (const place of places) {
    await tx.booking.update({ where: { id: place.id }, data: { status: 'cancelled', cancelledAt: now } });
    if (place.status !== 'booked') continue;
    await tx.workshopSession.updateMany({
      where: { id: place.sessionId, bookedCount: { gt: 0 } },
      data: { bookedCount: { decrement: 1 } },
    });
    await promoteFromWaitlist(tx, place.sessionId, now);
  }
  return places.length;
}

/** Gives a free seat to the first person waiting, if any; returns who got it. */
async function promoteFromWaitlist(tx: SqlClient, sessionId: number, now: Date): Promise<number | undefined> {
  const sql = txSql(tx);
  let p = sql.params();
  const waiting = await sql.rows(
    `SELECT 1 AS "one" FROM "Booking"
      WHERE "sessionId" = ${p.add(sessionId, 'int')} AND "status" = 'waitlisted' LIMIT 1`,
    p,
  );
  if (!waiting.length) return undefined;
  if ((await takeSeat(tx, sessionId, now)) === undefined) return undefined;
  p = sql.params();
  const [row] = await sql.rows<SessionSqlRow>(
    `SELECT ${SESSION_COLUMNS} FROM ${SESSIONS} WHERE s."id" = ${p.add(sessionId, 'int')}`,
    p,
  );
  const session = sqlView(row!);
  for (;;) {
    p = sql.params();
    const [first] = await sql.rows<{ id: unknown; beneficiaryId: unknown }>(
      `SELECT "id", "beneficiaryId" FROM "Booking"
        WHERE "sessionId" = ${p.add(sessionId, 'int')} AND "status" = 'waitlisted'
        ORDER BY "waitlistedAt", "id" LIMIT 1`,
      p,
    );
    if (!first) {
      // The waiting list emptied meanwhile (cancelled places): the seat stays free.
      p = sql.params();
      await sql.execute(
        `UPDATE "WorkshopSession" SET "bookedCount" = "bookedCount" - 1, "updatedAt" = ${p.add(now, 'timestamp')}
          WHERE "id" = ${p.add(sessionId, 'int')}`,
        p,
      );
      return undefined;
    }
    const bookingId = Number(first.id);
    const beneficiaryId = Number(first.beneficiaryId);
    // Claimed only if still waiting: another transaction may have promoted them a moment ago.
    p = sql.params();
    const claimed = await sql.execute(
      `UPDATE "Booking" SET "status" = 'booked', "waitlistedAt" = NULL, "updatedAt" = ${p.add(now, 'timestamp')}
        WHERE "id" = ${p.add(bookingId, 'int')} AND "status" = 'waitlisted'`,
      p,
    );
    if (claimed !== 1) continue;
    await appendCaseEvent(tx, {
      beneficiaryId,
      type: 'waitlist_promoted',
      actor: { type: 'system' },
      payload: { bookingId, sessionId, workshop: session.workshopCode },
    });
    await queueNotification(tx, beneficiaryId, now, {
      key: 'notifications.waitlistPromoted',
      session: {
        id: sessionId,
        workshopCode: session.workshopCode,
        title: session.title,
        startsAt: session.startsAt.toISOString(),
        place: session.place,
      },
    });
    return beneficiaryId;
  }
}
