// Daily check-ins of people in an immersion: at CHECKIN_CRON (17:00 on working days) everyone
// with an immersion placement that day is asked "How was your day at {structure}? 1 good /
// 2 difficult / 3 I need help". One CheckIn per placement and day: its unique key makes a second
// run (or a second server instance at the same moment) ask nobody twice. "I need help" is an
// alert at once; no answer by the next morning is "no_reply", and two of them in a row an alert.
import { isUniqueViolation, type Database, type Db, type Prisma } from '../db/client';
import { addLocalDays, localDay, zonedTime } from './time';
import { appendCaseEvent, type Actor } from './caseEvents';
import { queueNotification } from './notifications';
import { answerQuestion, askQuestion } from './questions';
import { nextAllowed, type QuietHours } from './quietHours';
import type { Attachment } from './people';
import { retryLostRaces } from '../db/retry';

export const CHECKIN_ANSWERS = ['good', 'difficult', 'needs_help'] as const;
export type CheckInAnswer = (typeof CHECKIN_ANSWERS)[number];

/** An answer is taken until this local time the next morning; then the check-in is "no_reply". */
export const ANSWER_UNTIL_HOUR = 8;

const DAY_MS = 24 * 3600 * 1000;

export interface CheckInOptions {
  timeZone: string;
  quiet?: QuietHours;
}

export interface CheckInRun {
  /** the local day asked about, YYYY-MM-DD */
  day: string;
  /** people asked in this run */
  asked: number;
  /** asked already that day (an earlier run, another instance) */
  already: number;
  /** earlier check-ins closed without an answer before this run */
  closed: number;
  /** not asked: the run came in the quiet hours, the question could not go out before the answers are over */
  tooLate: number;
}

/** When answers to the check-in of `day` (asked at `now`) stop being taken: the next morning. */
function answerDeadline(now: Date, timeZone: string): Date {
  const next = addLocalDays(now, 1, timeZone);
  return zonedTime(next.year, next.month, next.day, ANSWER_UNTIL_HOUR, 0, timeZone);
}

/** The immersion placements of the local day of `now`, of people we may write to. */
async function immersionsOf(db: Db, now: Date, timeZone: string) {
  const day = localDay(now, timeZone);
  // Dates are days (stored at midnight, UTC or local): a wide window, then exact local days.
  const placements = await db.placement.findMany({
    where: {
      kind: 'immersion',
      status: { in: ['planned', 'active'] },
      startDate: { lte: new Date(now.getTime() + DAY_MS) },
      endDate: { gte: new Date(now.getTime() - 2 * DAY_MS) },
      beneficiary: { status: 'active', optedOutAt: null },
    },
    select: { id: true, beneficiaryId: true, startDate: true, endDate: true, structure: { select: { name: true } } },
    orderBy: { id: 'asc' },
  });
  return {
    day,
    placements: placements.filter(
      (p) => localDay(p.startDate, timeZone) <= day && day <= localDay(p.endDate, timeZone),
    ),
  };
}

/** Asks everyone in an immersion today how their day was; each once a day, however often it runs. */
export async function sendCheckIns(database: Database, now: Date, options: CheckInOptions): Promise<CheckInRun> {
  const db = database.prisma;
  const { closed } = await closeCheckIns(database, now);
  const { day, placements } = await immersionsOf(db, now, options.timeZone);
  const expiresAt = answerDeadline(now, options.timeZone);
  const notBefore = nextAllowed(now, options.quiet);
  // Run in the quiet hours (a late CHECKIN_CRON): it could only go out when answers are over.
  if (notBefore >= expiresAt) return { day, asked: 0, already: 0, closed, tooLate: placements.length };
  let asked = 0;
  let already = 0;
  for (const p of placements) {
    try {
      await retryLostRaces(() =>
        db.$transaction(async (tx) => {
          // First: the unique (placement, day) decides who asks; the loser's transaction rolls back.
          const checkIn = await tx.checkIn.create({ data: { placementId: p.id, beneficiaryId: p.beneficiaryId, day } });
          const messageId = await queueNotification(
            tx,
            p.beneficiaryId,
            now,
            { key: 'checkins.question', placement: { structure: p.structure.name }, day },
            { kind: 'checkin', dedupeKey: `checkin:${p.id}:${day}`, notBefore },
          );
          await askQuestion(tx, {
            beneficiaryId: p.beneficiaryId,
            kind: 'checkin',
            refId: checkIn.id,
            messageId,
            expiresAt,
          });
        }),
      );
      asked++;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      already++;
    }
  }
  return { day, asked, already, closed, tooLate: 0 };
}

/**
 * Check-ins whose time to answer is over: "no_reply" (or "unsent" when the question never went
 * out: nobody could be reached, or it was still waiting), and an alert when it is the second
 * no-reply in a row for that placement. Safe to run on two instances: each check-in closes once.
 */
export async function closeCheckIns(database: Database, now: Date): Promise<{ closed: number; alerts: number }> {
  const db = database.prisma;
  const due = await db.proactiveQuestion.findMany({
    where: { kind: 'checkin', answeredAt: null, expiresAt: { lte: now } },
    select: { id: true, refId: true, messageId: true },
    orderBy: { id: 'asc' },
  });
  let closed = 0;
  let alerts = 0;
  for (const q of due) {
    const result = await retryLostRaces(() =>
      db.$transaction(async (tx) => {
        if (!(await answerQuestion(tx, q.id, 'no_reply', now))) return undefined; // closed by another instance
        const message = await tx.message.findUnique({ where: { id: q.messageId }, select: { sentAt: true } });
        const sent = !!message?.sentAt;
        if (!sent) {
          // A check-in of yesterday is not sent today.
          await tx.message.updateMany({
            where: { id: q.messageId, status: 'queued' },
            data: { status: 'failed', errorTitle: 'expired', failedAt: now },
          });
        }
        const { count } = await tx.checkIn.updateMany({
          where: { id: q.refId, status: 'sent' },
          data: { status: sent ? 'no_reply' : 'unsent' },
        });
        if (!count || !sent) return { alert: false };
        return { alert: await alertOnSecondNoReply(tx, q.refId) };
      }),
    );
    if (!result) continue;
    closed++;
    if (result.alert) alerts++;
  }
  return { closed, alerts };
}

/** The CIP is told when a placement's last two check-ins (that went out) got no answer. */
async function alertOnSecondNoReply(tx: Prisma.TransactionClient, checkInId: number): Promise<boolean> {
  const current = await tx.checkIn.findUniqueOrThrow({ where: { id: checkInId } });
  const earlier = await tx.checkIn.findMany({
    where: { placementId: current.placementId, day: { lt: current.day }, status: { not: 'unsent' } },
    orderBy: { day: 'desc' },
    take: 2,
  });
  // Exactly the second in a row: the third does not raise the same alert again.
  if (earlier[0]?.status !== 'no_reply' || earlier[1]?.status === 'no_reply') return false;
  await appendCaseEvent(tx, {
    beneficiaryId: current.beneficiaryId,
    type: 'checkin_no_reply',
    actor: { type: 'system' },
    payload: { placementId: current.placementId, days: [earlier[0].day, current.day] },
    attention: true,
  });
  return true;
}

export type CheckInAnswerOutcome = { status: 'recorded'; checkInId: number } | { status: 'already' | 'not_found' };

/** The person's answer: the check-in's status, on their timeline; "I need help" is an alert. */
export async function answerCheckIn(
  db: Db,
  questionId: number,
  checkInId: number,
  answer: CheckInAnswer,
  now: Date,
  actor: Actor,
): Promise<CheckInAnswerOutcome> {
  return retryLostRaces(() =>
    db.$transaction(async (tx) => {
      const checkIn = await tx.checkIn.findUnique({ where: { id: checkInId } });
      if (!checkIn) return { status: 'not_found' as const };
      if (!(await answerQuestion(tx, questionId, answer, now))) return { status: 'already' as const };
      const { count } = await tx.checkIn.updateMany({
        where: { id: checkInId, status: 'sent' },
        data: { status: answer, answeredAt: now },
      });
      if (!count) return { status: 'already' as const };
      await appendCaseEvent(tx, {
        beneficiaryId: checkIn.beneficiaryId,
        type: 'checkin_answered',
        actor,
        payload: { checkInId, placementId: checkIn.placementId, day: checkIn.day, answer },
        attention: answer === 'needs_help',
      });
      return { status: 'recorded' as const, checkInId };
    }),
  );
}

/** What happened on a difficult day, in a few words or a voice note: on the check-in and the timeline. */
export async function describeCheckIn(
  db: Db,
  checkInId: number,
  what: { text?: string; attachments?: Attachment[] },
  actor: Actor,
): Promise<void> {
  await retryLostRaces(() =>
    db.$transaction(async (tx) => {
      const checkIn = await tx.checkIn.update({
        where: { id: checkInId },
        data: { note: what.text?.slice(0, 1000) ?? null },
      });
      await appendCaseEvent(tx, {
        beneficiaryId: checkIn.beneficiaryId,
        type: 'checkin_described',
        actor,
        payload: {
          checkInId,
          day: checkIn.day,
          ...(what.attachments?.length && {
            attachments: what.attachments.map((a) => ({ contentType: a.contentType, url: a.url })),
          }),
        },
      });
    }),
  );
}
