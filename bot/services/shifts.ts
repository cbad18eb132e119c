// A person's shifts (SIAE or company work periods): confirm or decline. A decline less than 24 h
// before the shift is flagged for the CIP's attention (an alert).
import type { Db } from '../db/client';
import { appendCaseEvent, type Actor } from './caseEvents';
import { retryLostRaces } from '../db/retry';
import { SqlParams } from '../db/rawSql';
import { asDate, sqlReader } from '../db/sqlReads';

export const DECLINE_REASONS = ['sick', 'childcare', 'transport', 'papers', 'other'] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

const DAY_MS = 24 * 3600 * 1000;
/** placements whose shifts still happen */
const ACTIVE_PLACEMENT = ['planned', 'active'];
/** the same, as a list for SQL's IN (written once, not at every read) */
export const ACTIVE_PLACEMENT_SQL = `(${ACTIVE_PLACEMENT.map((s) => `'${s}'`).join(', ')})`;

export interface ShiftView {
  id: number;
  startsAt: Date;
  endsAt: Date;
  structure: string;
  /** sas_iae | immersion | ... */
  placementKind: string;
  confirmation: 'pending' | 'confirmed' | 'declined';
}

/** Shifts that start between now and `days` days from now, soonest first (read at every agenda: in SQL of our own). */
export async function upcomingShifts(db: Db, beneficiaryId: number, now: Date, days = 7): Promise<ShiftView[]> {
  const reader = sqlReader(db);
  const p = new SqlParams(reader.provider);
  const rows = await reader.rows<{
    id: number;
    startsAt: unknown;
    endsAt: unknown;
    structure: string;
    placementKind: string;
    confirmation: ShiftView['confirmation'];
  }>(
    `SELECT sh."id", sh."startsAt", sh."endsAt", st."name" AS "structure", pl."kind" AS "placementKind",
            sh."confirmation"
       FROM "Shift" sh JOIN "Placement" pl ON pl."id" = sh."placementId"
       JOIN "Structure" st ON st."id" = pl."structureId"
      WHERE sh."beneficiaryId" = ${p.add(beneficiaryId, 'int')} AND sh."startsAt" > ${p.add(now, 'timestamp')}
        AND sh."startsAt" < ${p.add(new Date(now.getTime() + days * DAY_MS), 'timestamp')}
        AND pl."status" IN ${ACTIVE_PLACEMENT_SQL}
      ORDER BY sh."startsAt", sh."id"`,
    p.values,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), startsAt: asDate(r.startsAt)!, endsAt: asDate(r.endsAt)! }));
}

export type ShiftOutcome =
  { status: 'confirmed' } | { status: 'declined'; late: boolean } | { status: 'not_found' | 'started' };

async function answer(
  db: Db,
  beneficiaryId: number,
  shiftId: number,
  now: Date,
  actor: Actor,
  decline?: DeclineReason,
): Promise<ShiftOutcome> {
  return retryLostRaces(() =>
    db.$transaction(async (tx) => {
      const shift = await tx.shift.findUnique({
        where: { id: shiftId },
        include: { placement: { include: { structure: true } } },
      });
      if (!shift || shift.beneficiaryId !== beneficiaryId || !ACTIVE_PLACEMENT.includes(shift.placement.status))
        return { status: 'not_found' };
      if (shift.startsAt <= now) return { status: 'started' };
      await tx.shift.update({
        where: { id: shiftId },
        data: { confirmation: decline ? 'declined' : 'confirmed', declineReason: decline ?? null, respondedAt: now },
      });
      const late = !!decline && shift.startsAt.getTime() - now.getTime() < DAY_MS;
      await appendCaseEvent(tx, {
        beneficiaryId,
        type: decline ? 'shift_declined' : 'shift_confirmed',
        actor,
        payload: {
          shiftId,
          structure: shift.placement.structure.name,
          startsAt: shift.startsAt.toISOString(),
          ...(decline && { reason: decline, late }),
        },
        attention: late,
      });
      return decline ? { status: 'declined', late } : { status: 'confirmed' };
    }),
  );
}

export function confirmShift(
  db: Db,
  beneficiaryId: number,
  shiftId: number,
  now: Date,
  actor: Actor,
): Promise<ShiftOutcome> {
  return answer(db, beneficiaryId, shiftId, now, actor);
}

export function declineShift(
  db: Db,
  beneficiaryId: number,
  shiftId: number,
  reason: DeclineReason,
  now: Date,
  actor: Actor,
): Promise<ShiftOutcome> {
  return answer(db, beneficiaryId, shiftId, now, actor, reason);
}
