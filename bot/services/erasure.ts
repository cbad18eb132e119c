// Erasure: "delete my data" carried out. In one transaction, everything that identifies a person
// goes: their names, phone and birth year, their messages (both ways, with the channel's
// references and the bot's state of their conversations), the free text of their blockers,
// check-ins and placements, their timeline's payloads, their media files; and their name or
// number where it was copied into rows of no case (an employer's attendance request) or into the
// audit trail (a staff member's search) becomes "[erased]". What statistics need stays, without an
// identifier: the case row
// (language, stage, protection status, French level, dates, outcome: status "erased"), its
// timeline's types and dates, placements, shifts, bookings and broadcast answers.
// The staff's API, `npm run case:erase` and the retention job (archived cases) all come here.
import type { Database, Prisma } from '../db/client';
import { SqlParams } from '../db/rawSql';
import { appendCaseEvent } from './caseEvents';
import { releaseFutureBookings } from './workshops';

/** What replaces a person's name or number in rows that are not theirs. */
export const ERASED_TEXT = '[erased]';

/** The store of media files (bot/media/store.ts), as erasure and retention use it. */
export interface MediaFiles {
  /** deletes a stored file; false when there was none */
  remove(id: string): Promise<boolean>;
  /** every stored file, with when it was stored and its metadata */
  list?(): AsyncIterable<{ id: string; storedAt: Date; meta: Record<string, unknown> }>;
}

export interface ErasureCounts {
  /** Message rows deleted (in and out, every channel) */
  messages: number;
  /** where to reach them (ConversationRef rows) */
  conversations: number;
  /** the bot's state of their conversations and chat identities */
  states: number;
  /** timeline events whose payload was emptied */
  events: number;
  blockers: number;
  checkIns: number;
  placements: number;
  /** shifts to come, deleted (the ones that happened stay) */
  shifts: number;
  /** places in sessions to come, cancelled (the seats go to the people waiting) */
  bookings: number;
  /** questions asked outside a conversation (ProactiveQuestion rows) deleted */
  questions: number;
  /** rows of others where their name or number was replaced */
  redacted: number;
  /** media files deleted */
  media: number;
}

export interface EraseOptions {
  /** who: a member of staff, or the command line, or the retention job */
  by: { staffUserId: number; ip?: string } | { staffUserId?: null; label: 'cli' | 'retention' };
  reason: string;
  now: Date;
  media?: MediaFiles;
  /** after the erasure: the person's conversations, for channels that keep transcripts in memory (web chat) */
  forgetChats?: (conversations: { channel: string; conversationId: string }[]) => void | Promise<void>;
}

export class ErasureRefused extends Error {
  constructor(readonly code: 'not_found' | 'already_erased') {
    super(code === 'not_found' ? 'no such case' : 'this case is erased already');
  }
}

type Tx = Prisma.TransactionClient;

const MEDIA_URL = /\/webchat\/media\/([A-Za-z0-9_-]{32})/g;

/** The ids of our media files referenced anywhere in a JSON value. */
export function mediaIdsIn(value: unknown): string[] {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  return [...text.matchAll(MEDIA_URL)].map((m) => m[1]);
}

function json(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The strings that name or reach the person, long enough to be searched for safely. */
function identifiersOf(
  b: { firstName: string | null; lastName: string | null; phone: string | null },
  userKeys: string[],
): string[] {
  const values = [
    b.firstName,
    b.lastName,
    b.firstName && b.lastName ? `${b.firstName} ${b.lastName}` : null,
    b.phone,
    b.phone?.replace(/^\+/, ''),
    ...userKeys,
  ];
  const kept = values.filter((v): v is string => !!v && [...v.trim()].length >= 3).map((v) => v.trim());
  // Longest first: "Amina Diallo" is replaced whole before "Amina" is.
  return [...new Set(kept)].sort((a, b) => b.length - a.length);
}

/** Replaces the identifiers in every string of a JSON value (whole words, any case). */
export function redact<T>(value: T, identifiers: string[]): T {
  if (!identifiers.length) return value;
  const escaped = identifiers.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${escaped.join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(pattern, ERASED_TEXT);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Rows of `table` whose `column` (text or JSON) holds one of the values, with `where` added. */
async function rowsMentioning(
  tx: Tx,
  provider: Database['provider'],
  table: string,
  column: string,
  values: string[],
  where = '1 = 1',
): Promise<{ id: number; value: unknown }[]> {
  if (!values.length) return [];
  const p = new SqlParams(provider);
  const likes = values.map(
    (v) => `CAST("${column}" AS TEXT) LIKE ${p.add(`%${v.replace(/[!%_]/g, '!$&')}%`)} ESCAPE '!'`,
  );
  const rows = await tx.$queryRawUnsafe<{ id: number; value: unknown }[]>(
    `SELECT "id", "${column}" AS "value" FROM "${table}" WHERE (${likes.join(' OR ')}) AND ${where}`,
    ...p.values,
  );
  return rows.map((r) => ({ id: Number(r.id), value: json(r.value) }));
}

const stateKeys = {
  user: (channel: string, userKey: string) => `${channel}/users/${userKey}/`,
  conversation: (channel: string, conversationId: string) => `${channel}/conversations/${conversationId}/`,
};

/**
 * Erases a person's data (see the top of this file), in one transaction; their media files are
 * deleted as its last step. Writes the `case_erased` event and the `erased` audit row (who, why,
 * the counts). Refused when the case does not exist or is erased already.
 */
export async function eraseBeneficiary(db: Database, id: number, options: EraseOptions): Promise<ErasureCounts> {
  const { counts, conversations } = await erase(db, id, options);
  await options.forgetChats?.(conversations);
  // SQLite zeroes what is deleted (secure_delete, see db/client.ts); the old versions of the pages
  // leave the write-ahead log too (best effort: a reader may hold it).
  if (db.provider === 'sqlite')
    await db.prisma.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)').catch(() => undefined);
  return counts;
}

function erase(
  db: Database,
  id: number,
  options: EraseOptions,
): Promise<{ counts: ErasureCounts; conversations: { channel: string; conversationId: string }[] }> {
  const { now } = options;
  return db.prisma.$transaction(
    async (tx) => {
      const b = await tx.beneficiary.findUnique({ where: { id } });
      if (!b) throw new ErasureRefused('not_found');
      if (b.erasedAt || b.status === 'erased') throw new ErasureRefused('already_erased');
      // The claim: of two erasures at once, the second waits for this row and then finds it erased.
      const claimed = await tx.beneficiary.updateMany({
        where: { id, erasedAt: null },
        data: { status: 'erased', erasedAt: now },
      });
      if (claimed.count !== 1) throw new ErasureRefused('already_erased');

      // Their chat identities and conversations: where to reach them, and where they wrote from.
      const refs = await tx.conversationRef.findMany({ where: { beneficiaryId: id } });
      const written = await tx.message.findMany({
        where: { beneficiaryId: id, conversationId: { not: null } },
        select: { channel: true, conversationId: true },
        distinct: ['channel', 'conversationId'],
      });
      const conversations = new Map<string, { channel: string; conversationId: string }>();
      for (const c of [...refs, ...written])
        if (c.conversationId)
          conversations.set(`${c.channel}\u0000${c.conversationId}`, {
            channel: c.channel,
            conversationId: c.conversationId,
          });
      const userKeys = refs.flatMap((r) => [r.userKey, ...(r.altUserKey ? [r.altUserKey] : [])]);
      const identifiers = identifiersOf(b, userKeys);

      // Their messages: on their case, in their conversations before they were known, and the
      // WhatsApp statuses that wait for a message of theirs.
      const messageWhere: Prisma.MessageWhereInput = {
        OR: [
          { beneficiaryId: id },
          ...(refs.length ? [{ conversationRefId: { in: refs.map((r) => r.id) }, contactId: null }] : []),
          ...[...conversations.values()].map((c) => ({
            channel: c.channel,
            conversationId: c.conversationId,
            beneficiaryId: null,
            contactId: null,
          })),
        ],
      };
      const messages = await tx.message.findMany({ where: messageWhere, select: { id: true, payload: true } });
      const statuses = await rowsMentioning(tx, db.provider, 'Message', 'payload', userKeys, `"direction" = 'status'`);
      const messageIds = [...messages.map((m) => m.id), ...statuses.map((s) => Number(s.id))];
      const mediaIds = new Set(messages.flatMap((m) => mediaIdsIn(m.payload)));

      const questions = await tx.proactiveQuestion.deleteMany({
        where: { OR: [{ beneficiaryId: id }, { messageId: { in: messageIds } }] },
      });
      await tx.broadcastRecipient.updateMany({ where: { beneficiaryId: id }, data: { messageId: null } });
      let deletedMessages = 0;
      for (let i = 0; i < messageIds.length; i += 500) {
        deletedMessages += (await tx.message.deleteMany({ where: { id: { in: messageIds.slice(i, i + 500) } } })).count;
      }
      const deletedRefs = await tx.conversationRef.deleteMany({
        where: {
          OR: [
            { beneficiaryId: id },
            ...[...conversations.values()].map((c) => ({
              channel: c.channel,
              conversationId: c.conversationId,
              beneficiaryId: null,
              contactId: null,
            })),
          ],
        },
      });

      // The bot's state: of their conversations, of their chat identities, and any profile that
      // points at their case (a chat identity we had no reference of).
      const keys = new Set<string>();
      for (const r of refs) keys.add(stateKeys.user(r.channel, r.userKey));
      for (const c of conversations.values()) keys.add(stateKeys.conversation(c.channel, c.conversationId));
      const profiles = await tx.botState.findMany({
        where: { data: { contains: `"beneficiaryId":${id}` } },
        select: { key: true, data: true },
      });
      for (const s of profiles) {
        const profile = (json(s.data) as { profile?: { beneficiaryId?: number; conversationId?: string } } | undefined)
          ?.profile;
        if (profile?.beneficiaryId !== id) continue;
        keys.add(s.key);
        const channel = s.key.split('/')[0];
        if (profile.conversationId) keys.add(stateKeys.conversation(channel, profile.conversationId));
      }
      const states = await tx.botState.deleteMany({ where: { key: { in: [...keys] } } });
      // Their web chat transcripts where the database keeps them (PostgreSQL, channels/webchat/pgStore.ts):
      // their conversations, and any other visit of their chat identities.
      const webchatUsers = refs
        .filter((r) => r.channel === 'webchat')
        .flatMap((r) => [r.userKey, ...(r.altUserKey ? [r.altUserKey] : [])]);
      const webchatIds = [...conversations.values()]
        .filter((c) => c.channel === 'webchat')
        .map((c) => c.conversationId);
      if (webchatUsers.length || webchatIds.length)
        await tx.webChatConversation.deleteMany({
          where: { OR: [{ id: { in: webchatIds } }, { userId: { in: webchatUsers } }] },
        });

      // Free text and attachments of their case; the timeline keeps its types and dates.
      const files = await tx.blocker.findMany({ where: { beneficiaryId: id }, select: { attachments: true } });
      const events = await tx.caseEvent.findMany({ where: { beneficiaryId: id }, select: { payload: true } });
      for (const x of [...files.map((f) => f.attachments), ...events.map((e) => e.payload)])
        for (const m of mediaIdsIn(x)) mediaIds.add(m);
      const p = new SqlParams(db.provider);
      const stamp = p.add(now, 'timestamp');
      const who = p.add(id, 'int');
      const blockers = await tx.$executeRawUnsafe(
        `UPDATE "Blocker" SET "description" = NULL, "statusNote" = NULL, "attachments" = NULL, "updatedAt" = ` +
          `${stamp} WHERE "beneficiaryId" = ${who}`,
        ...p.values,
      );
      const emptied = await tx.$executeRawUnsafe(
        `UPDATE "CaseEvent" SET "payload" = NULL WHERE "beneficiaryId" = ` +
          `${db.provider === 'postgresql' ? '$1::integer' : '?'}`,
        id,
      );
      const checkIns = await tx.checkIn.updateMany({ where: { beneficiaryId: id }, data: { note: null } });
      const placements = await tx.placement.updateMany({ where: { beneficiaryId: id }, data: { notes: null } });
      // The person left: nobody expects them any more (check-ins, reminders, employers' attendance requests).
      await tx.placement.updateMany({ where: { beneficiaryId: id, status: 'planned' }, data: { status: 'cancelled' } });
      await tx.placement.updateMany({ where: { beneficiaryId: id, status: 'active' }, data: { status: 'ended' } });
      const shifts = await tx.shift.deleteMany({ where: { beneficiaryId: id, startsAt: { gt: now } } });
      // Their seats in sessions to come go to the people waiting.
      const bookings = await releaseFutureBookings(tx, id, now);

      // Their name or number copied into rows that are not theirs: an employer's messages (an
      // attendance request names the person), events of no case, the audit trail (a search for
      // their name). Not into another person's messages or timeline: another Amina's "Thank
      // you, Amina" is hers.
      let redacted = 0;
      const others: [string, string, string, (rowId: number, value: Prisma.InputJsonValue) => Promise<unknown>][] = [
        [
          'Message',
          'payload',
          '"beneficiaryId" IS NULL',
          (rowId, value) => tx.message.update({ where: { id: rowId }, data: { payload: value } }),
        ],
        [
          'CaseEvent',
          'payload',
          '"beneficiaryId" IS NULL',
          (rowId, value) => tx.caseEvent.update({ where: { id: rowId }, data: { payload: value } }),
        ],
        [
          'AuditEvent',
          'detail',
          '1 = 1',
          (rowId, value) => tx.auditEvent.update({ where: { id: rowId }, data: { detail: value } }),
        ],
      ];
      for (const [table, column, where, write] of others) {
        for (const row of await rowsMentioning(tx, db.provider, table, column, identifiers, where)) {
          const cleaned = redact(row.value, identifiers);
          if (JSON.stringify(cleaned) === JSON.stringify(row.value)) continue; // a LIKE match inside a longer word
          await write(Number(row.id), cleaned as Prisma.InputJsonValue);
          redacted++;
        }
      }

      // The anonymous statistical record. The birth year goes (with the rest it could single the
      // person out); the age group at erasure stays on the case_erased event.
      const ageGroup = b.birthYear ? (now.getUTCFullYear() - b.birthYear < 26 ? 'under25' : 'over25') : undefined;
      await tx.beneficiary.update({
        where: { id },
        data: { firstName: null, lastName: null, phone: null, birthYear: null },
      });
      const staffUserId = options.by.staffUserId ?? null;
      await appendCaseEvent(tx, {
        beneficiaryId: id,
        type: 'case_erased',
        actor: staffUserId
          ? { type: 'staff', id: staffUserId }
          : { type: 'system', id: 'label' in options.by ? options.by.label : null },
        payload: { previousStatus: b.status, ...(ageGroup && { ageGroup }) },
      });
      // The requests to erase are done.
      await tx.caseEvent.updateMany({
        where: { beneficiaryId: id, type: 'erasure_requested', acknowledgedAt: null },
        data: { acknowledgedAt: now, acknowledgedById: staffUserId },
      });

      let removed = 0;
      if (options.media) {
        for (const m of mediaIds) if (await options.media.remove(m)) removed++;
        const identities = new Set([
          ...refs.flatMap((r) => [
            `${r.channel}\u0000${r.userKey}`,
            ...(r.altUserKey ? [`${r.channel}\u0000${r.altUserKey}`] : []),
          ]),
          ...conversations.keys(),
        ]);
        removed += await removeOwnedMedia(options.media, identities);
      }
      const counts: ErasureCounts = {
        messages: deletedMessages,
        conversations: deletedRefs.count,
        states: states.count,
        events: Number(emptied),
        blockers: Number(blockers),
        checkIns: checkIns.count,
        placements: placements.count,
        shifts: shifts.count,
        bookings,
        questions: questions.count,
        redacted,
        media: removed,
      };
      await tx.auditEvent.create({
        data: {
          staffUserId,
          action: 'erased',
          resource: 'beneficiary',
          resourceId: String(id),
          beneficiaryId: id,
          ip: 'ip' in options.by ? (options.by.ip ?? null) : null,
          detail: {
            reason: redact(options.reason, identifiers),
            counts: { ...counts },
            ...('label' in options.by && { by: options.by.label }),
          },
          createdAt: now,
        },
      });
      return { counts, conversations: [...conversations.values()] };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/**
 * Files whose description says the person sent them (their user id or conversation on a channel),
 * even if no row refers to them (any more).
 */
async function removeOwnedMedia(media: MediaFiles, identities: Set<string>): Promise<number> {
  if (!media.list || !identities.size) return 0;
  let removed = 0;
  for await (const file of media.list()) {
    const owner = file.meta.owner as { channel?: unknown; user?: unknown; conversation?: unknown } | undefined;
    if (!owner || typeof owner.channel !== 'string') continue;
    const theirs = [owner.user, owner.conversation].some(
      (k) => typeof k === 'string' && identities.has(`${owner.channel}\u0000${k}`),
    );
    if (theirs && (await media.remove(file.id))) removed++;
  }
  return removed;
}
