// Retention, run every night (the `retention` job): what we may not keep is forgotten.
// - Web chat visitors (and other Bot Framework channels) who never consented: their messages, the
//   bot's state and their files, 30 days after their last message, as WhatsApp's strangers are
//   (bot/channels/whatsapp/store.ts forgetStrangers).
// - Media files nothing refers to any more (sent by people who refused consent or were forgotten),
//   30 days after they were stored.
// - Archived cases, RETENTION_ARCHIVED_DAYS after they were archived: erased by eraseBeneficiary,
//   the same as a staff member's erasure.
import type { Database, Prisma } from '../db/client';
import { eraseBeneficiary, ErasureRefused, mediaIdsIn, type MediaFiles } from './erasure';

const DAY_MS = 86400_000;
/** Channels with their own retention (WhatsApp), or none at all (a notification not delivered yet). */
const NOT_WEB = ['whatsapp', 'none'];
const ANONYMOUS = { beneficiaryId: null, contactId: null };
const IN_FLIGHT = ['queued', 'sending', 'processing'];

export interface RetentionOptions {
  now: Date;
  /** never-consented visitors and unreferenced files: days (default 30) */
  strangerDays?: number;
  /** archived cases: days after archiving; 0: never */
  archivedDays: number;
  media?: MediaFiles;
}

export interface RetentionRun {
  strangers: { conversations: number; messages: number; states: number };
  media: number;
  archived: number;
}

export async function runRetention(db: Database, options: RetentionOptions): Promise<RetentionRun> {
  const days = options.strangerDays ?? 30;
  const cutoff = new Date(options.now.getTime() - days * DAY_MS);
  const strangers = await forgetWebStrangers(db, cutoff, options.media);
  const archived = await eraseArchivedCases(db, options);
  // Last: the files the steps above let go of.
  const media = options.media ? await removeUnreferencedMedia(db, options.media, cutoff) : 0;
  return { strangers, media, archived };
}

type Conversation = { channel: string; conversationId: string };
const sameConversation = (c: Conversation) => ({ channel: c.channel, conversationId: c.conversationId });

/** Conversations among these where someone known (a case, an employer contact) wrote or is reached. */
async function knownConversations(db: Database['prisma'], conversations: Conversation[]): Promise<Set<string>> {
  const known = new Set<string>();
  if (!conversations.length) return known;
  const where = { OR: conversations.map(sameConversation), NOT: ANONYMOUS };
  const rows = [
    ...(await db.message.findMany({
      where,
      select: { channel: true, conversationId: true },
      distinct: ['channel', 'conversationId'],
    })),
    ...(await db.conversationRef.findMany({ where, select: { channel: true, conversationId: true } })),
  ];
  for (const r of rows) known.add(`${r.channel}\u0000${r.conversationId}`);
  return known;
}

/**
 * Visitors of the web chat (any channel but WhatsApp) who never consented and wrote nothing since
 * `cutoff`: their conversations' messages and files, the bot's state of their conversations and
 * of their chat identity, where to reach them. A conversation where a case or a contact ever
 * wrote is not a stranger's.
 */
export async function forgetWebStrangers(
  db: Database,
  cutoff: Date,
  media?: MediaFiles,
): Promise<RetentionRun['strangers']> {
  const prisma = db.prisma;
  const groups = await prisma.message.groupBy({
    by: ['channel', 'conversationId'],
    where: { channel: { notIn: NOT_WEB }, conversationId: { not: null }, ...ANONYMOUS },
    _max: { createdAt: true },
    having: { createdAt: { _max: { lt: cutoff } } },
  });
  const run = { conversations: 0, messages: 0, states: 0 };
  const candidates = groups.map((g) => ({ channel: g.channel, conversationId: g.conversationId! }));
  for (let i = 0; i < candidates.length; i += 200) {
    const batch = candidates.slice(i, i + 200);
    const known = await knownConversations(prisma, batch);
    const strangers = batch.filter((c) => !known.has(`${c.channel}\u0000${c.conversationId}`));
    if (!strangers.length) continue;
    const where: Prisma.MessageWhereInput = {
      OR: strangers.map(sameConversation),
      ...ANONYMOUS,
      status: { notIn: IN_FLIGHT },
    };
    const files = new Set(
      (await prisma.message.findMany({ where, select: { payload: true } })).flatMap((m) => mediaIdsIn(m.payload)),
    );
    const done = await prisma.$transaction(async (tx) => {
      const messages = await tx.message.deleteMany({ where });
      const states = await tx.botState.deleteMany({
        where: { key: { in: strangers.map((c) => `${c.channel}/conversations/${c.conversationId}/`) } },
      });
      await tx.conversationRef.deleteMany({ where: { OR: strangers.map(sameConversation), ...ANONYMOUS } });
      // Their web chat transcript, where the database keeps it (PostgreSQL; the idle sweep is usually first).
      const webchat = strangers.filter((c) => c.channel === 'webchat').map((c) => c.conversationId);
      if (webchat.length) await tx.webChatConversation.deleteMany({ where: { id: { in: webchat } } });
      return { messages: messages.count, states: states.count };
    });
    run.conversations += strangers.length;
    run.messages += done.messages;
    run.states += done.states;
    if (media) for (const f of files) await media.remove(f);
  }
  run.states += await forgetIdleStates(db, cutoff);
  return run;
}

/**
 * The bot's state not written since `cutoff`, outside WhatsApp: a chat identity's profile that
 * names no case and no contact (a visitor's language, a refusal), and conversations nobody known
 * took part in. (We do not know which visitor such a state belongs to: its age decides.)
 */
async function forgetIdleStates(db: Database, cutoff: Date): Promise<number> {
  const prisma = db.prisma;
  const idle = await prisma.botState.findMany({
    where: { updatedAt: { lt: cutoff }, NOT: NOT_WEB.map((c) => ({ key: { startsWith: `${c}/` } })) },
    select: { key: true, data: true },
  });
  const drop: string[] = [];
  const conversations: (Conversation & { key: string })[] = [];
  for (const s of idle) {
    const [channel, kind, ...rest] = s.key.split('/');
    const id = rest.slice(0, -1).join('/');
    if (kind === 'users') {
      let profile: { beneficiaryId?: unknown; contactId?: unknown } | undefined;
      try {
        profile = (JSON.parse(s.data) as { profile?: typeof profile }).profile;
      } catch {
        profile = undefined;
      }
      if (profile?.beneficiaryId === undefined && profile?.contactId === undefined) drop.push(s.key);
    } else if (kind === 'conversations') {
      conversations.push({ channel, conversationId: id, key: s.key });
    }
  }
  for (let i = 0; i < conversations.length; i += 200) {
    const batch = conversations.slice(i, i + 200);
    const known = await knownConversations(prisma, batch);
    drop.push(...batch.filter((c) => !known.has(`${c.channel}\u0000${c.conversationId}`)).map((c) => c.key));
  }
  let count = 0;
  for (let i = 0; i < drop.length; i += 500) {
    // Only if still idle: a visitor may have come back meanwhile.
    count += (
      await prisma.botState.deleteMany({ where: { key: { in: drop.slice(i, i + 500) }, updatedAt: { lt: cutoff } } })
    ).count;
  }
  return count;
}

/** Archived cases past RETENTION_ARCHIVED_DAYS, erased one by one (each in its own transaction). */
export async function eraseArchivedCases(db: Database, options: RetentionOptions): Promise<number> {
  if (!options.archivedDays || options.archivedDays <= 0) return 0;
  const cutoff = new Date(options.now.getTime() - options.archivedDays * DAY_MS);
  const cases = await db.prisma.beneficiary.findMany({
    where: {
      status: 'archived',
      erasedAt: null,
      // (archived before archivedAt was recorded: the case_archived event tells when)
      OR: [
        { archivedAt: { lt: cutoff } },
        { archivedAt: null, events: { some: { type: 'case_archived', createdAt: { lt: cutoff } } } },
      ],
    },
    select: { id: true },
    orderBy: { id: 'asc' },
    take: 500,
  });
  let erased = 0;
  for (const c of cases) {
    try {
      await eraseBeneficiary(db, c.id, {
        by: { label: 'retention' },
        reason: `archived more than ${options.archivedDays} days ago (RETENTION_ARCHIVED_DAYS)`,
        now: options.now,
        media: options.media,
      });
      erased++;
    } catch (err) {
      if (!(err instanceof ErasureRefused)) throw err;
    }
  }
  return erased;
}

/** Files stored before `cutoff` that no message, blocker or timeline event refers to. */
export async function removeUnreferencedMedia(db: Database, media: MediaFiles, cutoff: Date): Promise<number> {
  if (!media.list) return 0;
  const referenced = new Set<string>();
  for (const [table, column] of [
    ['Message', 'payload'],
    ['Blocker', 'attachments'],
    ['CaseEvent', 'payload'],
  ]) {
    const rows = await db.prisma.$queryRawUnsafe<{ value: unknown }[]>(
      `SELECT "${column}" AS "value" FROM "${table}" WHERE CAST("${column}" AS TEXT) LIKE '%/webchat/media/%'`,
    );
    for (const r of rows) for (const id of mediaIdsIn(r.value)) referenced.add(id);
  }
  let removed = 0;
  for await (const file of media.list()) {
    if (file.storedAt < cutoff && !referenced.has(file.id) && (await media.remove(file.id))) removed++;
  }
  return removed;
}
