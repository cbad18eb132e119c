// A person's agenda: workshops booked (or waited for), shifts, and immersion days, in time order.
import type { Db } from '../db/client';
import { SqlParams } from '../db/rawSql';
import { asDate, sqlReader } from '../db/sqlReads';
import { addLocalDays, localDay, zonedTime } from './time';
import { ACTIVE_PLACEMENT_SQL, upcomingShifts } from './shifts';
import { upcomingBookings } from './workshops';

export type AgendaItem =
  | {
      kind: 'workshop';
      startsAt: Date;
      endsAt: Date;
      workshopCode: string;
      title: string;
      place: string;
      status: 'booked' | 'waitlisted';
    }
  | {
      kind: 'shift';
      startsAt: Date;
      endsAt: Date;
      structure: string;
      confirmation: 'pending' | 'confirmed' | 'declined';
    }
  | { kind: 'immersion'; startsAt: Date; structure: string };

const DAY_MS = 24 * 3600 * 1000;

/**
 * The person's immersions (planned or active) that may have days in the window, with their
 * structure's name (in SQL of our own, as the other reads of an agenda). endDate is a day
 * (inclusive): an immersion that ends today still counts, whatever the hour its date was stored
 * at; the caller compares local days exactly.
 */
async function immersionsAround(db: Db, beneficiaryId: number, now: Date, until: Date) {
  const reader = sqlReader(db);
  const p = new SqlParams(reader.provider);
  const rows = await reader.rows<{ startDate: unknown; endDate: unknown; structure: string }>(
    `SELECT pl."startDate", pl."endDate", st."name" AS "structure"
       FROM "Placement" pl JOIN "Structure" st ON st."id" = pl."structureId"
      WHERE pl."beneficiaryId" = ${p.add(beneficiaryId, 'int')} AND pl."kind" = 'immersion'
        AND pl."status" IN ${ACTIVE_PLACEMENT_SQL} AND pl."startDate" < ${p.add(until, 'timestamp')}
        AND pl."endDate" >= ${p.add(new Date(now.getTime() - 2 * DAY_MS), 'timestamp')}
      ORDER BY pl."id"`,
    p.values,
  );
  return rows.map((r) => ({ startDate: asDate(r.startDate)!, endDate: asDate(r.endDate)!, structure: r.structure }));
}

export async function agenda(
  db: Db,
  beneficiaryId: number,
  now: Date,
  timeZone: string,
  days = 14,
): Promise<AgendaItem[]> {
  const until = new Date(now.getTime() + days * DAY_MS);
  const [bookings, shifts, immersions] = await Promise.all([
    upcomingBookings(db, beneficiaryId, now, until),
    upcomingShifts(db, beneficiaryId, now, days),
    immersionsAround(db, beneficiaryId, now, until),
  ]);
  const items: AgendaItem[] = [
    ...bookings.map((b) => ({
      kind: 'workshop' as const,
      startsAt: b.session.startsAt,
      endsAt: b.session.endsAt,
      workshopCode: b.session.workshopCode,
      title: b.session.title,
      place: b.session.place,
      status: b.status,
    })),
    ...shifts.map((s) => ({
      kind: 'shift' as const,
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      structure: s.structure,
      confirmation: s.confirmation,
    })),
  ];
  // Immersion days: each working day of the immersion in the window, unless a shift already shows it.
  const shiftDays = new Set(shifts.map((s) => localDay(s.startsAt, timeZone)));
  for (const p of immersions) {
    for (let d = 0; d <= days; d++) {
      const day = addLocalDays(now, d, timeZone);
      if (day.weekday === 0 || day.weekday === 6) continue;
      const start = zonedTime(day.year, day.month, day.day, 0, 0, timeZone);
      const key = localDay(start, timeZone);
      if (start.getTime() + DAY_MS <= now.getTime() || start >= until) continue;
      if (key < localDay(p.startDate, timeZone) || key > localDay(p.endDate, timeZone) || shiftDays.has(key)) continue;
      items.push({ kind: 'immersion', startsAt: start, structure: p.structure });
    }
  }
  return items.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
}
