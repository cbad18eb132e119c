// The staff dashboard's statistics of a period, each figure an SQL aggregate (no row of a person
// is loaded here): caseload, exits and sorties dynamiques, medians of days, the sas IAE, workshops,
// immersion check-ins, blockers, POEC cohorts and the people reached. The same SQL runs on SQLite
// and PostgreSQL but for a few expressions (dialect below). What each figure counts, exactly, is
// written next to it; the README notes repeat it for the funders' reporting.
//
// A period is whole days, both ends included: from 00:00 UTC of `from` to 00:00 UTC of the day
// after `to`. Scope: a CIP's statistics count the people they follow; `structureId` keeps the
// people with a (not cancelled) placement at that structure.
import type { Database } from '../db/client';
import type { Provider } from '../db/migrate';
import { SqlParams } from '../db/rawSql';
import { DYNAMIC_OUTCOMES, EXIT_OUTCOMES } from './exits';
import { SAS_IAE_MAX_MONTHS, SIAE_DEFAULT_CAPACITY } from './placements';

export interface StatsFilter {
  /** first day, midnight UTC */
  from: Date;
  /** last day (included), midnight UTC */
  to: Date;
  /** only the people this CIP follows */
  cipId?: number;
  /** only the people with a placement at this structure (and, for the SIAE figures, this one) */
  structureId?: number;
}

const DAY_MS = 24 * 3600_000;
/** a person counts as hired after a POEC when the job starts (or the exit is) this many days after its end, at most */
export const POEC_HIRED_WITHIN_DAYS = 92;
/** a blocker still open after this many days is "open for long" */
export const BLOCKER_LONG_DAYS = 14;

/** The SQL that differs between the providers. Timestamps are columns or parameters. */
function dialect(provider: Provider) {
  const pg = provider === 'postgresql';
  return {
    /** whole days from the UTC day of b to the UTC day of a */
    dayDiff: (a: string, b: string) =>
      pg
        ? `(CAST(${a} AS date) - CAST(${b} AS date))`
        : `CAST(julianday(substr(${a}, 1, 10)) - julianday(substr(${b}, 1, 10)) AS INTEGER)`,
    /** days (with their fraction) from b to a */
    elapsedDays: (a: string, b: string) =>
      pg ? `(EXTRACT(EPOCH FROM (${a} - ${b})) / 86400.0)` : `(julianday(${a}) - julianday(${b}))`,
    least: (a: string, b: string) => (pg ? `LEAST(${a}, ${b})` : `MIN(${a}, ${b})`),
    greatest: (a: string, b: string) => (pg ? `GREATEST(${a}, ${b})` : `MAX(${a}, ${b})`),
    year: (a: string) => (pg ? `CAST(EXTRACT(YEAR FROM ${a}) AS integer)` : `CAST(substr(${a}, 1, 4) AS INTEGER)`),
  };
}

/**
 * The median of the column `v` of `inner` (one row per value), per `key` when the inner query has
 * one: the middle value, or the mean of the two middle values, found with window functions (both
 * providers have them), so that only the medians leave the database.
 */
function medianSql(inner: string, keyed: boolean): string {
  const part = keyed ? 'PARTITION BY d."key" ' : '';
  return `SELECT ${keyed ? 'r."key" AS "key", ' : ''}AVG(r."v") AS "median", MAX(r."n") AS "n" FROM (
    SELECT ${keyed ? 'd."key", ' : ''}d."v", ROW_NUMBER() OVER (${part}ORDER BY d."v") AS "rn",
      COUNT(*) OVER (${part.trim()}) AS "n" FROM (${inner}) d
  ) r WHERE r."rn" IN ((r."n" + 1) / 2, (r."n" + 2) / 2)${keyed ? ' GROUP BY r."key"' : ''}`;
}

/** A database number (bigint, Decimal, string) as a number; null stays null. */
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const round = (v: number | null, digits = 4) =>
  v === null || !Number.isFinite(v) ? null : Math.round(v * 10 ** digits) / 10 ** digits;
const rate = (part: number, whole: number) => (whole > 0 ? round(part / whole) : null);
const dayText = (d: Date) => d.toISOString().slice(0, 10);

export interface CaseloadRow {
  key: string;
  active: number;
  new: number;
  exited: number;
}

export type Stats = Awaited<ReturnType<typeof computeStats>>;

export async function computeStats(db: Pick<Database, 'prisma' | 'provider'>, filter: StatsFilter, now: Date) {
  const { prisma, provider } = db;
  const sql = dialect(provider);
  const fromDay = filter.from;
  const toDay = filter.to;
  const end = new Date(toDay.getTime() + DAY_MS);
  const periodDays = Math.round((end.getTime() - fromDay.getTime()) / DAY_MS);
  const year = toDay.getUTCFullYear();

  /** The people counted: `b` is the Beneficiary. */
  const people = (p: SqlParams) => {
    const parts = ['1 = 1'];
    if (filter.cipId !== undefined) parts.push(`b."cipId" = ${p.add(filter.cipId, 'int')}`);
    if (filter.structureId !== undefined)
      parts.push(
        `EXISTS (SELECT 1 FROM "Placement" sp WHERE sp."beneficiaryId" = b."id" AND sp."status" <> 'cancelled'
          AND sp."structureId" = ${p.add(filter.structureId, 'int')})`,
      );
    return parts.join(' AND ');
  };
  const query = async <T = Record<string, unknown>>(build: (p: SqlParams) => string): Promise<T[]> => {
    const p = new SqlParams(provider);
    const text = build(p);
    return prisma.$queryRawUnsafe<T[]>(text, ...p.values);
  };
  /** `column` within the period: the parameters `from`, then the day after `to` */
  const inPeriod = (p: SqlParams, column: string) =>
    `${column} >= ${p.add(fromDay, 'timestamp')} AND ${column} < ${p.add(end, 'timestamp')}`;
  const median = async (build: (p: SqlParams) => string) => {
    const [row] = await query((p) => medianSql(build(p), false));
    return { median: round(numOrNull(row?.median), 1), count: num(row?.n) };
  };

  // --- Caseload: by stage, language, age group and protection status ------------------------------
  // active: entered by the end of the period, no exit by then, case pending or active (not archived
  // or erased); new: entered during the period; exited: left during the period. Stage is the
  // current one; age group is the age reached in the year of `to` (under25, 25_44, 45_plus, unknown).
  const age = `CASE WHEN b."birthYear" IS NULL THEN 'unknown'
    WHEN ${year} - b."birthYear" < 25 THEN 'under25' WHEN ${year} - b."birthYear" < 45 THEN '25_44' ELSE '45_plus' END`;
  const caseRows = await query<{
    stage: string;
    language: string;
    ageGroup: string;
    protection: string;
    active: unknown;
    new: unknown;
    exited: unknown;
  }>(
    (p) => `SELECT b."stage" AS "stage", b."language" AS "language", ${age} AS "ageGroup",
      COALESCE(b."protectionStatus", 'unknown') AS "protection",
      SUM(CASE WHEN b."entryDate" < ${p.add(end, 'timestamp')}
        AND (b."exitDate" IS NULL OR b."exitDate" >= ${p.add(end, 'timestamp')})
        AND b."status" IN ('pending', 'active') THEN 1 ELSE 0 END) AS "active",
      SUM(CASE WHEN ${inPeriod(p, 'b."entryDate"')} THEN 1 ELSE 0 END) AS "new",
      SUM(CASE WHEN ${inPeriod(p, 'b."exitDate"')} THEN 1 ELSE 0 END) AS "exited"
    FROM "Beneficiary" b WHERE ${people(p)} GROUP BY 1, 2, 3, 4`,
  );
  const by = (dimension: 'stage' | 'language' | 'ageGroup' | 'protection'): CaseloadRow[] => {
    const rows = new Map<string, CaseloadRow>();
    for (const r of caseRows) {
      const row = rows.get(r[dimension]) ?? { key: r[dimension], active: 0, new: 0, exited: 0 };
      row.active += num(r.active);
      row.new += num(r.new);
      row.exited += num(r.exited);
      rows.set(row.key, row);
    }
    return [...rows.values()].filter((r) => r.active + r.new + r.exited > 0).sort((a, b) => a.key.localeCompare(b.key));
  };
  const total = by('stage').reduce(
    (t, r) => ({ active: t.active + r.active, new: t.new + r.new, exited: t.exited + r.exited }),
    { active: 0, new: 0, exited: 0 },
  );

  // --- Exits of the period, by outcome and detail ----------------------------------------------------
  const exitRows = await query<{ outcome: string | null; detail: string | null; n: unknown }>(
    (p) => `SELECT b."exitOutcome" AS "outcome", b."exitDetail" AS "detail", COUNT(*) AS "n" FROM "Beneficiary" b
      WHERE ${inPeriod(p, 'b."exitDate"')} AND ${people(p)} GROUP BY 1, 2`,
  );
  const byOutcome = Object.fromEntries(EXIT_OUTCOMES.map((o) => [o, 0])) as Record<string, number>;
  const byDetail: Record<string, number> = {};
  for (const r of exitRows) {
    const outcome = r.outcome ?? 'other';
    byOutcome[outcome] = (byOutcome[outcome] ?? 0) + num(r.n);
    const detail = r.detail ?? 'unknown';
    byDetail[detail] = (byDetail[detail] ?? 0) + num(r.n);
  }
  const exitsTotal = Object.values(byOutcome).reduce((a, b) => a + b, 0);
  const dynamic = DYNAMIC_OUTCOMES.reduce((n, o) => n + (byOutcome[o] ?? 0), 0);

  // --- Medians of days -------------------------------------------------------------------------------
  // To the first placement: people whose first (not cancelled) placement of any kind starts in the
  // period, days from their entry day to that start. To the exit: people who left in the period.
  const toFirstPlacement = await median(
    (p) => `SELECT ${sql.dayDiff('f."firstStart"', 'b."entryDate"')} AS "v"
      FROM (SELECT fp."beneficiaryId" AS "bid", MIN(fp."startDate") AS "firstStart" FROM "Placement" fp
        WHERE fp."status" <> 'cancelled' GROUP BY fp."beneficiaryId") f
      JOIN "Beneficiary" b ON b."id" = f."bid"
      WHERE ${inPeriod(p, 'f."firstStart"')} AND ${people(p)}`,
  );
  const toExit = await median(
    (p) => `SELECT ${sql.dayDiff('b."exitDate"', 'b."entryDate"')} AS "v" FROM "Beneficiary" b
      WHERE ${inPeriod(p, 'b."exitDate"')} AND ${people(p)}`,
  );

  // --- sas IAE ---------------------------------------------------------------------------------------
  // people: with a sas IAE placement (not cancelled) on at least one day of the period; atEnd: on
  // the day `to`. Length: for those people, the days of all their sas IAE placements (as planned,
  // both ends included), averaged; against the 4-month limit. Occupancy of each SIAE: seat-days
  // taken in the period (each placement's days within the period) over capacity x days of the period.
  const sasWhere = (p: SqlParams, alias: string) =>
    `${alias}."kind" = 'sas_iae' AND ${alias}."status" <> 'cancelled'
      AND ${alias}."startDate" <= ${p.add(toDay, 'timestamp')}
      AND ${alias}."endDate" >= ${p.add(fromDay, 'timestamp')}`;
  const structureOnly = (p: SqlParams, column: string) =>
    filter.structureId !== undefined ? ` AND ${column} = ${p.add(filter.structureId, 'int')}` : '';
  /** the days of the placement `a` within the period, an SQL expression */
  const daysInPeriod = (p: SqlParams, a: string) =>
    sql.dayDiff(
      sql.least(`${a}."endDate"`, p.add(toDay, 'timestamp')),
      sql.greatest(`${a}."startDate"`, p.add(fromDay, 'timestamp')),
    );
  const [sasPeople] = await query<{ people: unknown; atEnd: unknown }>(
    (p) => `SELECT COUNT(DISTINCT sp."beneficiaryId") AS "people",
      COUNT(DISTINCT CASE WHEN sp."startDate" <= ${p.add(toDay, 'timestamp')}
        AND sp."endDate" >= ${p.add(toDay, 'timestamp')} THEN sp."beneficiaryId" END) AS "atEnd"
      FROM "Placement" sp JOIN "Beneficiary" b ON b."id" = sp."beneficiaryId"
      WHERE ${sasWhere(p, 'sp')}${structureOnly(p, 'sp."structureId"')} AND ${people(p)}`,
  );
  const [sasLength] = await query<{ average: unknown; longest: unknown; n: unknown }>(
    (p) => `SELECT AVG(x."days") AS "average", MAX(x."days") AS "longest", COUNT(*) AS "n" FROM (
        SELECT lp."beneficiaryId", SUM(${sql.dayDiff('lp."endDate"', 'lp."startDate"')} + 1) AS "days"
        FROM "Placement" lp
        WHERE lp."kind" = 'sas_iae' AND lp."status" <> 'cancelled' AND lp."beneficiaryId" IN (
          SELECT sp."beneficiaryId" FROM "Placement" sp JOIN "Beneficiary" b ON b."id" = sp."beneficiaryId"
          WHERE ${sasWhere(p, 'sp')}${structureOnly(p, 'sp."structureId"')} AND ${people(p)})
        GROUP BY lp."beneficiaryId") x`,
  );
  const averageDays = round(numOrNull(sasLength?.average), 1);
  const limitDays = SAS_IAE_MAX_MONTHS * 30.4375;
  const occupancyRows = await query<{
    id: unknown;
    name: string;
    capacity: unknown;
    seatDays: unknown;
    atEnd: unknown;
  }>(
    (p) => `SELECT s."id" AS "id", s."name" AS "name", COALESCE(s."capacity", ${SIAE_DEFAULT_CAPACITY}) AS "capacity",
      COALESCE(SUM(CASE WHEN op."id" IS NULL THEN 0 ELSE ${daysInPeriod(p, 'op')} + 1 END), 0) AS "seatDays",
      COUNT(DISTINCT CASE WHEN op."startDate" <= ${p.add(toDay, 'timestamp')}
        AND op."endDate" >= ${p.add(toDay, 'timestamp')} THEN op."beneficiaryId" END) AS "atEnd"
      FROM "Structure" s
      LEFT JOIN "Placement" op ON op."structureId" = s."id" AND ${sasWhere(p, 'op')}
        AND op."beneficiaryId" IN (SELECT b."id" FROM "Beneficiary" b WHERE ${people(p)})
      WHERE s."kind" = 'siae'${structureOnly(p, 's."id"')}
      GROUP BY s."id", s."name", s."capacity" ORDER BY s."id"`,
  );
  const occupancy = occupancyRows.map((r) => ({
    structureId: num(r.id),
    name: r.name,
    capacity: num(r.capacity),
    seatDays: num(r.seatDays),
    peopleAtEnd: num(r.atEnd),
    rate: rate(num(r.seatDays), num(r.capacity) * periodDays),
  }));

  // --- Workshops: sessions starting in the period ------------------------------------------------------
  // held: not cancelled and ended by now; seats booked: bookings booked, attended or no_show on
  // sessions not cancelled; attendance and no-show rates over the bookings marked (attended +
  // no_show); waiting: people on a waiting list; under-25 share: of the seats booked by people whose
  // year of birth is known, those under 25 in the year of the session.
  const [sessions] = await query<{ held: unknown; cancelled: unknown; scheduled: unknown }>(
    (p) => `SELECT SUM(CASE WHEN s."status" <> 'cancelled' AND s."endsAt" <= ${p.add(now, 'timestamp')}
        THEN 1 ELSE 0 END) AS "held",
      SUM(CASE WHEN s."status" = 'cancelled' THEN 1 ELSE 0 END) AS "cancelled", COUNT(*) AS "scheduled"
      FROM "WorkshopSession" s WHERE ${inPeriod(p, 's."startsAt"')}`,
  );
  const bookingRows = await query<{ status: string; n: unknown; sessions: unknown; under25: unknown; known: unknown }>(
    (p) => `SELECT bk."status" AS "status", COUNT(*) AS "n", COUNT(DISTINCT bk."sessionId") AS "sessions",
      SUM(CASE WHEN b."birthYear" IS NOT NULL AND ${sql.year('s."startsAt"')} - b."birthYear" < 25 THEN 1 ELSE 0 END)
        AS "under25",
      SUM(CASE WHEN b."birthYear" IS NOT NULL THEN 1 ELSE 0 END) AS "known"
      FROM "Booking" bk JOIN "WorkshopSession" s ON s."id" = bk."sessionId"
      JOIN "Beneficiary" b ON b."id" = bk."beneficiaryId"
      WHERE s."status" <> 'cancelled' AND ${inPeriod(p, 's."startsAt"')} AND ${people(p)}
      GROUP BY bk."status"`,
  );
  const bookings = Object.fromEntries(bookingRows.map((r) => [r.status, r]));
  const count = (status: string) => num(bookings[status]?.n);
  const seats = ['booked', 'attended', 'no_show'];
  const marked = count('attended') + count('no_show');
  const seatUnder25 = seats.reduce((n, s) => n + num(bookings[s]?.under25), 0);
  const seatKnown = seats.reduce((n, s) => n + num(bookings[s]?.known), 0);

  // --- Immersion check-ins of the period's days ---------------------------------------------------------
  // sent: every check-in of a day in the period; answered: good, difficult or needs_help.
  const [checkIns] = await query<{ sent: unknown; answered: unknown; difficult: unknown; needHelp: unknown }>(
    (p) => `SELECT COUNT(*) AS "sent",
      SUM(CASE WHEN c."status" IN ('good', 'difficult', 'needs_help') THEN 1 ELSE 0 END) AS "answered",
      SUM(CASE WHEN c."status" = 'difficult' THEN 1 ELSE 0 END) AS "difficult",
      SUM(CASE WHEN c."status" = 'needs_help' THEN 1 ELSE 0 END) AS "needHelp"
      FROM "CheckIn" c JOIN "Beneficiary" b ON b."id" = c."beneficiaryId"
      WHERE c."day" >= ${p.add(dayText(fromDay), 'text')} AND c."day" <= ${p.add(dayText(toDay), 'text')}
        AND ${people(p)}`,
  );

  // --- Blockers by category ----------------------------------------------------------------------------------
  // reported: created in the period; open: not resolved now; resolved: resolved in the period, with
  // the median days (with fractions) from report to resolution; openOver14Days: not resolved now and
  // reported more than 14 days before now.
  const long = new Date(now.getTime() - BLOCKER_LONG_DAYS * DAY_MS);
  const blockerRows = await query<{
    category: string;
    reported: unknown;
    open: unknown;
    resolved: unknown;
    long: unknown;
  }>(
    (p) => `SELECT bl."category" AS "category",
      SUM(CASE WHEN ${inPeriod(p, 'bl."createdAt"')} THEN 1 ELSE 0 END) AS "reported",
      SUM(CASE WHEN bl."status" <> 'resolved' THEN 1 ELSE 0 END) AS "open",
      SUM(CASE WHEN bl."status" = 'resolved' AND ${inPeriod(p, 'bl."resolvedAt"')} THEN 1 ELSE 0 END) AS "resolved",
      SUM(CASE WHEN bl."status" <> 'resolved' AND bl."createdAt" < ${p.add(long, 'timestamp')} THEN 1 ELSE 0 END)
        AS "long"
      FROM "Blocker" bl JOIN "Beneficiary" b ON b."id" = bl."beneficiaryId" WHERE ${people(p)} GROUP BY bl."category"`,
  );
  const resolvedInPeriod = (p: SqlParams, key: boolean) =>
    `SELECT ${key ? 'bl."category" AS "key", ' : ''}${sql.elapsedDays('bl."resolvedAt"', 'bl."createdAt"')} AS "v"
      FROM "Blocker" bl JOIN "Beneficiary" b ON b."id" = bl."beneficiaryId"
      WHERE bl."status" = 'resolved' AND ${inPeriod(p, 'bl."resolvedAt"')} AND ${people(p)}`;
  const blockerMedians = new Map(
    (await query<{ key: string; median: unknown }>((p) => medianSql(resolvedInPeriod(p, true), true))).map((r) => [
      r.key,
      round(numOrNull(r.median), 1),
    ]),
  );
  const blockerMedian = await median((p) => resolvedInPeriod(p, false));
  const blockerCategories = blockerRows
    .map((r) => ({
      category: r.category,
      reported: num(r.reported),
      open: num(r.open),
      resolved: num(r.resolved),
      medianDaysToResolve: blockerMedians.get(r.category) ?? null,
      openOver14Days: num(r.long),
    }))
    .sort((a, b) => a.category.localeCompare(b.category));
  const sum = <K extends 'reported' | 'open' | 'resolved' | 'openOver14Days'>(k: K) =>
    blockerCategories.reduce((n, r) => n + r[k], 0);

  // --- POEC cohorts: POECs (not cancelled) ending in the period, by training body and last day -------------
  // hired: a work_study or job placement (not cancelled) starting 0 to 92 days after the POEC's last
  // day, or an exit to a durable job in those days; complete: those 92 days are over.
  const hiredWithin = (a: string) => `${a} BETWEEN 0 AND ${POEC_HIRED_WITHIN_DAYS}`;
  const poecRows = await query<{
    structureId: unknown;
    name: string;
    endDate: Date | string;
    people: unknown;
    hired: unknown;
  }>(
    (p) => `SELECT pp."structureId" AS "structureId", s."name" AS "name", pp."endDate" AS "endDate",
      COUNT(DISTINCT pp."beneficiaryId") AS "people",
      COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM "Placement" h WHERE h."beneficiaryId" = pp."beneficiaryId"
          AND h."kind" IN ('work_study', 'job') AND h."status" <> 'cancelled'
          AND ${hiredWithin(sql.dayDiff('h."startDate"', 'pp."endDate"'))})
        OR (b."exitOutcome" = 'durable' AND ${hiredWithin(sql.dayDiff('b."exitDate"', 'pp."endDate"'))})
        THEN pp."beneficiaryId" END) AS "hired"
      FROM "Placement" pp JOIN "Structure" s ON s."id" = pp."structureId"
      JOIN "Beneficiary" b ON b."id" = pp."beneficiaryId"
      WHERE pp."kind" = 'poec' AND pp."status" <> 'cancelled'
        AND pp."endDate" >= ${p.add(fromDay, 'timestamp')} AND pp."endDate" <= ${p.add(toDay, 'timestamp')}
        AND ${people(p)}
      GROUP BY pp."structureId", s."name", pp."endDate" ORDER BY pp."endDate", pp."structureId"`,
  );
  const cohorts = poecRows.map((r) => {
    const last = new Date(typeof r.endDate === 'string' ? r.endDate.replace(' ', 'T') : r.endDate);
    return {
      structureId: num(r.structureId),
      name: r.name,
      endDate: dayText(last),
      people: num(r.people),
      hired: num(r.hired),
      rate: rate(num(r.hired), num(r.people)),
      complete: last.getTime() + POEC_HIRED_WITHIN_DAYS * DAY_MS <= now.getTime(),
    };
  });
  const poecPeople = cohorts.reduce((n, c) => n + c.people, 0);
  const poecHired = cohorts.reduce((n, c) => n + c.hired, 0);

  // --- People reached: a message to or from them (not failed) in the period, by channel and language ----------
  const reached = (p: SqlParams) =>
    `FROM "Message" m JOIN "Beneficiary" b ON b."id" = m."beneficiaryId"
      WHERE m."beneficiaryId" IS NOT NULL AND m."direction" IN ('in', 'out') AND m."status" <> 'failed'
        AND ${inPeriod(p, 'm."createdAt"')} AND ${people(p)}`;
  const reachByChannel = await query<{ key: string; n: unknown }>(
    (p) =>
      `SELECT m."channel" AS "key", COUNT(DISTINCT m."beneficiaryId") AS "n" ${reached(p)}
        GROUP BY m."channel" ORDER BY 1`,
  );
  const reachByLanguage = await query<{ key: string; n: unknown }>(
    (p) =>
      `SELECT b."language" AS "key", COUNT(DISTINCT m."beneficiaryId") AS "n" ${reached(p)}
        GROUP BY b."language" ORDER BY 1`,
  );
  const [reachTotal] = await query<{ n: unknown }>(
    (p) => `SELECT COUNT(DISTINCT m."beneficiaryId") AS "n" ${reached(p)}`,
  );

  return {
    period: { from: dayText(fromDay), to: dayText(toDay), days: periodDays },
    filters: {
      ...(filter.cipId !== undefined && { cipId: filter.cipId }),
      ...(filter.structureId !== undefined && { structureId: filter.structureId }),
    },
    caseload: {
      total,
      byStage: by('stage'),
      byLanguage: by('language'),
      byAgeGroup: by('ageGroup'),
      byProtectionStatus: by('protection'),
    },
    exits: { total: exitsTotal, byOutcome, byDetail, dynamic, dynamicRate: rate(dynamic, exitsTotal) },
    durations: { daysToFirstPlacement: toFirstPlacement, daysToExit: toExit },
    sasIae: {
      people: num(sasPeople?.people),
      peopleAtEnd: num(sasPeople?.atEnd),
      averageDays,
      longestDays: numOrNull(sasLength?.longest),
      limitMonths: SAS_IAE_MAX_MONTHS,
      averageShareOfLimit: averageDays === null ? null : round(averageDays / limitDays),
      occupancy,
    },
    workshops: {
      sessionsScheduled: num(sessions?.scheduled),
      sessionsHeld: num(sessions?.held),
      sessionsCancelled: num(sessions?.cancelled),
      seatsBooked: seats.reduce((n, s) => n + count(s), 0),
      attended: count('attended'),
      noShow: count('no_show'),
      attendanceRate: rate(count('attended'), marked),
      noShowRate: rate(count('no_show'), marked),
      waitlisted: count('waitlisted'),
      sessionsWithWaitlist: num(bookings.waitlisted?.sessions),
      under25Share: rate(seatUnder25, seatKnown),
    },
    immersions: {
      checkInsSent: num(checkIns?.sent),
      answered: num(checkIns?.answered),
      answerRate: rate(num(checkIns?.answered), num(checkIns?.sent)),
      difficult: num(checkIns?.difficult),
      needHelp: num(checkIns?.needHelp),
    },
    blockers: {
      reported: sum('reported'),
      open: sum('open'),
      resolved: sum('resolved'),
      openOver14Days: sum('openOver14Days'),
      medianDaysToResolve: blockerMedian.median,
      byCategory: blockerCategories,
    },
    poec: {
      hiredWithinDays: POEC_HIRED_WITHIN_DAYS,
      people: poecPeople,
      hired: poecHired,
      rate: rate(poecHired, poecPeople),
      cohorts,
    },
    reach: {
      people: num(reachTotal?.n),
      byChannel: reachByChannel.map((r) => ({ key: r.key, people: num(r.n) })),
      byLanguage: reachByLanguage.map((r) => ({ key: r.key, people: num(r.n) })),
    },
  };
}
