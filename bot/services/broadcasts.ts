// Workshop invitations sent by a CIP to an audience (all active beneficiaries, or filtered by
// stage, age group, language, structure, or a list of ids). One broadcast per idempotency key:
// posting it again sends nothing new. Everyone in the audience is either invited (one outbox
// message in their language, on the channel they used last, or WhatsApp by their phone) or
// skipped and counted: opted out, not of the session's age group (or of unknown age), already
// booked, unreachable (or only a phone number and no consent). The invitation asks "1 I'll come / 2 not this time"; the
// answer, even days
// later, books through the same rules as the booking dialog, or records the decline.
// Everything for 10,000 people goes in one transaction with a few statements (rows as JSON).
import { isUniqueViolation, type Database, type Db, type Prisma } from '../db/client';
import { dbTimestamp, insertFromJson, type JsonColumns } from '../db/jsonRows';
import { SqlParams } from '../db/rawSql';
import { appendCaseEvent } from './caseEvents';
import { nextAllowed, type QuietHours } from './quietHours';
import { answerQuestion } from './questions';
import { ageGroupOf, book, type BookingOutcome } from './workshops';

export interface Audience {
  /** everyone active, or these filters together */
  stage?: string;
  ageGroup?: 'under25' | 'over25';
  language?: string;
  /** people with a placement at this structure, planned or active */
  structureId?: number;
  /** exactly these people (still: active, in the staff's scope) */
  ids?: number[];
}

/**
 * unreachable: no chat and no phone (or WhatsApp off); no_consent: only a phone, and the person never agreed to
 * messages
 */
export type SkipReason = 'opted_out' | 'not_eligible' | 'age_unknown' | 'already_booked' | 'unreachable' | 'no_consent';

export interface BroadcastInput {
  sessionId: number;
  audience: Audience;
  idempotencyKey: string;
  staffId: number;
  /** only these people may be reached (a CIP's own cases); undefined: all */
  scope?: Prisma.BeneficiaryWhereInput;
}

export interface BroadcastOptions {
  now: Date;
  quiet?: QuietHours;
  /** WhatsApp is on: someone who never wrote can be invited by their phone number */
  whatsapp: boolean;
}

export type BroadcastOutcome =
  | { status: 'created' | 'existing'; broadcastId: number; invited: number; skipped: number }
  | { status: 'key_reused' | 'session_not_found' | 'session_closed' };

const RECIPIENT_COLUMNS: JsonColumns = {
  broadcastId: 'int',
  beneficiaryId: 'int',
  status: 'text',
  reason: 'text',
  createdAt: 'timestamp',
};
const MESSAGE_COLUMNS: JsonColumns = {
  direction: 'text',
  channel: 'text',
  conversationId: 'text',
  beneficiaryId: 'int',
  kind: 'text',
  status: 'text',
  payload: 'json',
  nextAttemptAt: 'timestamp',
  dedupeKey: 'text',
  broadcastId: 'int',
  createdAt: 'timestamp',
  updatedAt: 'timestamp',
};

interface Candidate {
  id: number;
  language: string;
  birthYear: number | null;
  optedOutAt: unknown;
  consentAt: unknown;
  phone: string | null;
  channel: string | null;
  conversationId: string | null;
  booked: number | boolean;
}

export interface BroadcastPreview {
  /** people who would get the invitation, and by language */
  invited: number;
  byLanguage: Record<string, number>;
  /** people of the audience left out, by reason */
  skipped: Partial<Record<SkipReason, number>>;
}

/** What a broadcast would do, without doing it (the same audience, scope and rules as createBroadcast). */
export async function previewBroadcast(
  database: Database,
  input: Omit<BroadcastInput, 'idempotencyKey' | 'staffId'>,
  options: BroadcastOptions,
): Promise<BroadcastPreview | { status: 'session_not_found' | 'session_closed' }> {
  const session = await database.prisma.workshopSession.findUnique({
    where: { id: input.sessionId },
    include: { workshop: true },
  });
  if (!session) return { status: 'session_not_found' };
  if (session.status !== 'scheduled' || session.startsAt <= options.now || !session.workshop.active)
    return { status: 'session_closed' };
  const candidates = await reach(
    database,
    await audienceIds(database.prisma, { ...input, idempotencyKey: '', staffId: 0 }, options.now),
    session.id,
  );
  const preview: BroadcastPreview = { invited: 0, byLanguage: {}, skipped: {} };
  for (const c of candidates) {
    const reason = skipReason(c, session.audience, options.now, options.whatsapp);
    if (reason) preview.skipped[reason] = (preview.skipped[reason] ?? 0) + 1;
    else {
      preview.invited++;
      preview.byLanguage[c.language] = (preview.byLanguage[c.language] ?? 0) + 1;
    }
  }
  return preview;
}

export async function createBroadcast(
  database: Database,
  input: BroadcastInput,
  options: BroadcastOptions,
): Promise<BroadcastOutcome> {
  const db = database.prisma;
  const existing = await db.broadcast.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
  if (existing)
    return sameRequest(existing, input)
      ? { status: 'existing', ...(await counts(db, existing.id)) }
      : { status: 'key_reused' };
  const session = await db.workshopSession.findUnique({ where: { id: input.sessionId }, include: { workshop: true } });
  if (!session) return { status: 'session_not_found' };
  if (session.status !== 'scheduled' || session.startsAt <= options.now || !session.workshop.active)
    return { status: 'session_closed' };

  const ids = await audienceIds(db, input, options.now);
  const candidates = await reach(database, ids, session.id);
  const now = options.now;
  const stamp = dbTimestamp(now);
  const payload = {
    key: 'broadcasts.invitation',
    session: {
      id: session.id,
      workshopCode: session.workshop.code,
      title: session.workshop.title,
      startsAt: session.startsAt.toISOString(),
      endsAt: session.endsAt.toISOString(),
      place: session.place,
    },
  };
  const sendAt = dbTimestamp(nextAllowed(now, options.quiet));
  try {
    return await db.$transaction(async (tx) => {
      const broadcast = await tx.broadcast.create({
        data: {
          idempotencyKey: input.idempotencyKey,
          sessionId: session.id,
          createdById: input.staffId,
          audience: input.audience as Prisma.InputJsonValue,
          status: 'enqueued',
        },
      });
      const recipients: Record<string, unknown>[] = [];
      const messages: Record<string, unknown>[] = [];
      for (const c of candidates) {
        const reason = skipReason(c, session.audience, now, options.whatsapp);
        recipients.push({
          broadcastId: broadcast.id,
          beneficiaryId: c.id,
          status: reason ? 'skipped' : 'invited',
          reason: reason ?? null,
          createdAt: stamp,
        });
        if (reason) continue;
        const viaPhone = !c.channel;
        messages.push({
          direction: 'out',
          channel: viaPhone ? 'whatsapp' : c.channel,
          conversationId: viaPhone ? c.phone!.replace(/^\+/, '') : c.conversationId,
          beneficiaryId: c.id,
          kind: 'broadcast',
          status: 'queued',
          payload,
          nextAttemptAt: sendAt,
          dedupeKey: `broadcast:${broadcast.id}:${c.id}`,
          broadcastId: broadcast.id,
          createdAt: stamp,
          updatedAt: stamp,
        });
      }
      await insertJson(database, tx, 'BroadcastRecipient', RECIPIENT_COLUMNS, recipients);
      await insertJson(database, tx, 'Message', MESSAGE_COLUMNS, messages);
      // Each invitation's recipient row and question point at its message.
      const p = new SqlParams(database.provider);
      const bid = p.add(broadcast.id, 'int');
      // (Found by the message's unique dedupe key: one index lookup each.)
      await tx.$executeRawUnsafe(
        `UPDATE "BroadcastRecipient" SET "messageId" = (SELECT m."id" FROM "Message" m
            WHERE m."dedupeKey" = 'broadcast:' || "BroadcastRecipient"."broadcastId" || ':'
              || "BroadcastRecipient"."beneficiaryId")
          WHERE "broadcastId" = ${bid} AND "status" = 'invited'`,
        ...p.values,
      );
      const q = new SqlParams(database.provider);
      await tx.$executeRawUnsafe(
        `INSERT INTO "ProactiveQuestion" ("beneficiaryId", "kind", "refId", "messageId", "createdAt")
          SELECT r."beneficiaryId", 'broadcast', r."id", r."messageId", ${q.add(now, 'timestamp')}
          FROM "BroadcastRecipient" r
          WHERE r."broadcastId" = ${q.add(broadcast.id, 'int')} AND r."status" = 'invited'`,
        ...q.values,
      );
      return {
        status: 'created' as const,
        broadcastId: broadcast.id,
        invited: messages.length,
        skipped: recipients.length - messages.length,
      };
    });
  } catch (err) {
    // The same key posted twice at the same moment: the other one won; this is it.
    if (!isUniqueViolation(err)) throw err;
    return createBroadcast(database, input, options);
  }
}

function sameRequest(existing: { sessionId: number; audience: unknown }, input: BroadcastInput): boolean {
  return existing.sessionId === input.sessionId && JSON.stringify(existing.audience) === JSON.stringify(input.audience);
}

function skipReason(c: Candidate, audience: string, now: Date, whatsapp: boolean): SkipReason | undefined {
  if (c.optedOutAt) return 'opted_out';
  if (Number(c.booked)) return 'already_booked';
  const group = ageGroupOf(c.birthYear, now);
  if (!group) return 'age_unknown';
  if (group !== audience) return 'not_eligible';
  if (!c.channel && !(whatsapp && c.phone)) return 'unreachable';
  // Written to by their number only with their consent (given in a chat, or at the intake).
  if (!c.channel && !c.consentAt) return 'no_consent';
  return undefined;
}

async function audienceIds(db: Db, input: BroadcastInput, now: Date): Promise<number[]> {
  const { audience: a } = input;
  const yearNow = now.getUTCFullYear();
  const where: Prisma.BeneficiaryWhereInput = {
    AND: [
      { status: 'active' },
      input.scope ?? {},
      a.stage ? { stage: a.stage } : {},
      a.language ? { language: a.language } : {},
      a.ageGroup === 'under25'
        ? { birthYear: { gt: yearNow - 25 } }
        : a.ageGroup === 'over25'
          ? { birthYear: { lte: yearNow - 25 } }
          : {},
      a.structureId
        ? { placements: { some: { structureId: a.structureId, status: { in: ['planned', 'active'] } } } }
        : {},
      a.ids ? { id: { in: a.ids } } : {},
    ],
  };
  const rows = await db.beneficiary.findMany({ where, select: { id: true }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.id);
}

/** For each person: what the skip rules need, and where they can be reached (their latest conversation). */
async function reach(database: Database, ids: number[], sessionId: number): Promise<Candidate[]> {
  if (!ids.length) return [];
  const out: Candidate[] = [];
  for (let i = 0; i < ids.length; i += 5000) {
    // (Parameters in the order they appear: SQLite's "?" are positional.)
    const p = new SqlParams(database.provider);
    const session = p.add(sessionId, 'int');
    const list =
      database.provider === 'postgresql'
        ? `(SELECT (jsonb_array_elements_text(${p.add(JSON.stringify(ids.slice(i, i + 5000)))}::jsonb))::int)`
        : `(SELECT value FROM json_each(${p.add(JSON.stringify(ids.slice(i, i + 5000)))}))`;
    // The latest conversation: the one the person wrote in last (never written in: last).
    const latest = (column: string) =>
      `(SELECT r."${column}" FROM "ConversationRef" r WHERE r."beneficiaryId" = b."id"
        ORDER BY CASE WHEN r."lastInboundAt" IS NULL THEN 1 ELSE 0 END, r."lastInboundAt" DESC, r."updatedAt" DESC
        LIMIT 1)`;
    const rows = await database.prisma.$queryRawUnsafe<Candidate[]>(
      `SELECT b."id", b."language", b."birthYear", b."optedOutAt", b."consentAt", b."phone",
          ${latest('channel')} AS "channel", ${latest('conversationId')} AS "conversationId",
          CASE WHEN EXISTS (SELECT 1 FROM "Booking" k WHERE k."beneficiaryId" = b."id" AND k."sessionId" = ${session}
            AND k."status" IN ('booked', 'waitlisted')) THEN 1 ELSE 0 END AS "booked"
        FROM "Beneficiary" b WHERE b."id" IN ${list} ORDER BY b."id"`,
      ...p.values,
    );
    out.push(
      ...rows.map((r) => ({ ...r, id: Number(r.id), birthYear: r.birthYear === null ? null : Number(r.birthYear) })),
    );
  }
  return out;
}

async function insertJson(
  database: Database,
  tx: Pick<Prisma.TransactionClient, '$executeRawUnsafe'>,
  table: string,
  columns: JsonColumns,
  rows: Record<string, unknown>[],
) {
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = rows.slice(i, i + 5000);
    await tx.$executeRawUnsafe(insertFromJson(database.provider, table, columns), JSON.stringify(chunk));
  }
}

// --- Counting ----------------------------------------------------------------------------------

export interface BroadcastCounts {
  broadcastId: number;
  invited: number;
  skipped: number;
}

async function counts(db: Db, broadcastId: number): Promise<BroadcastCounts> {
  const [invited, skipped] = await Promise.all([
    db.broadcastRecipient.count({ where: { broadcastId, status: 'invited' } }),
    db.broadcastRecipient.count({ where: { broadcastId, status: 'skipped' } }),
  ]);
  return { broadcastId, invited, skipped };
}

export interface BroadcastReport {
  id: number;
  sessionId: number;
  createdById: number;
  createdAt: Date;
  audience: unknown;
  counts: {
    audience: number;
    invited: number;
    queued: number;
    sent: number;
    delivered: number;
    read: number;
    failed: number;
    accepted: number;
    waitlisted: number;
    declined: number;
    skipped: number;
    skippedBy: Record<string, number>;
  };
}

/** What became of a broadcast: its messages' statuses, the answers, who was skipped and why. */
export async function broadcastReport(db: Db, broadcastId: number): Promise<BroadcastReport | undefined> {
  const broadcast = await db.broadcast.findUnique({ where: { id: broadcastId } });
  if (!broadcast) return undefined;
  const [statuses, answers, skipped] = await Promise.all([
    db.message.groupBy({ by: ['status'], where: { broadcastId, kind: 'broadcast' }, _count: { _all: true } }),
    db.broadcastRecipient.groupBy({
      by: ['answer'],
      where: { broadcastId, status: 'invited' },
      _count: { _all: true },
    }),
    db.broadcastRecipient.groupBy({
      by: ['reason'],
      where: { broadcastId, status: 'skipped' },
      _count: { _all: true },
    }),
  ]);
  const of = (s: string) => statuses.find((x) => x.status === s)?._count._all ?? 0;
  const answered = (a: string) => answers.find((x) => x.answer === a)?._count._all ?? 0;
  const invited = statuses.reduce((n, x) => n + x._count._all, 0);
  const skippedBy = Object.fromEntries(skipped.map((x) => [x.reason ?? 'other', x._count._all]));
  const skippedCount = skipped.reduce((n, x) => n + x._count._all, 0);
  return {
    id: broadcast.id,
    sessionId: broadcast.sessionId,
    createdById: broadcast.createdById,
    createdAt: broadcast.createdAt,
    audience: broadcast.audience,
    counts: {
      audience: invited + skippedCount,
      invited,
      queued: of('queued') + of('sending'),
      sent: of('sent'),
      delivered: of('delivered'),
      read: of('read'),
      failed: of('failed'),
      accepted: answered('accepted'),
      waitlisted: answered('waitlisted'),
      declined: answered('declined'),
      skipped: skippedCount,
      skippedBy,
    },
  };
}

// --- Answers -----------------------------------------------------------------------------------

export type InvitationAnswer =
  | { status: 'accepted' | 'waitlisted' | 'declined' | 'already'; outcome?: BookingOutcome }
  | { status: 'too_late' | 'not_eligible' | 'answered' | 'not_found' };

/**
 * The person's answer to an invitation: "yes" books through the same rules as the booking dialog
 * (capacity, then the waiting list; age group), "no" records the decline. Once per invitation.
 */
export async function answerInvitation(
  db: Db,
  questionId: number,
  recipientId: number,
  yes: boolean,
  now: Date,
): Promise<InvitationAnswer> {
  const recipient = await db.broadcastRecipient.findUnique({
    where: { id: recipientId },
    include: { broadcast: true },
  });
  if (!recipient) return { status: 'not_found' };
  if (recipient.answer) return { status: 'answered' };
  const actor = { type: 'beneficiary' as const, id: recipient.beneficiaryId };
  if (!yes) {
    const recorded = await db.$transaction(async (tx) => {
      if (!(await answerQuestion(tx, questionId, 'declined', now))) return false;
      await tx.broadcastRecipient.update({
        where: { id: recipient.id },
        data: { answer: 'declined', answeredAt: now },
      });
      await appendCaseEvent(tx, {
        beneficiaryId: recipient.beneficiaryId,
        type: 'invitation_declined',
        actor,
        payload: { broadcastId: recipient.broadcastId, sessionId: recipient.broadcast.sessionId },
      });
      return true;
    });
    return { status: recorded ? 'declined' : 'answered' };
  }
  const outcome = await book(db, recipient.beneficiaryId, recipient.broadcast.sessionId, now, {
    actor,
    source: 'broadcast',
    waitlistIfFull: true,
  });
  const answer =
    outcome.status === 'booked' || outcome.status === 'already_booked'
      ? 'accepted'
      : outcome.status === 'waitlisted' || outcome.status === 'already_waitlisted'
        ? 'waitlisted'
        : outcome.status === 'not_eligible'
          ? 'not_eligible'
          : 'too_late';
  await db.$transaction(async (tx) => {
    await answerQuestion(tx, questionId, answer, now);
    await tx.broadcastRecipient.updateMany({
      where: { id: recipient.id, answer: null },
      data: { answer, answeredAt: now },
    });
  });
  if (answer === 'accepted') return { status: outcome.status === 'already_booked' ? 'already' : 'accepted', outcome };
  if (answer === 'waitlisted') return { status: 'waitlisted', outcome };
  return { status: answer };
}

/** The invitation a question asked about: its recipient row and the session it invites to. */
export async function invitationOfQuestion(
  db: Db,
  recipientId: number,
): Promise<{ recipientId: number; sessionId: number } | undefined> {
  const recipient = await db.broadcastRecipient.findUnique({
    where: { id: recipientId },
    include: { broadcast: { select: { sessionId: true } } },
  });
  return recipient ? { recipientId: recipient.id, sessionId: recipient.broadcast.sessionId } : undefined;
}
