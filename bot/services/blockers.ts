// Peripheral blockers (housing, childcare, health, papers, transport, money): reported by the
// person with a short reference they can quote (B-4821). Urgency "today" is flagged for the CIP.
import crypto from 'node:crypto';
import type { Db } from '../db/client';
import { providerOfClient, SqlParams } from '../db/rawSql';
import { sqlReader } from '../db/sqlReads';
import { sqlTransaction } from '../db/sqlTransaction';
import { appendCaseEvent, type Actor } from './caseEvents';
import type { Attachment } from './people';

export const BLOCKER_CATEGORIES = ['housing', 'childcare', 'health', 'papers', 'transport', 'money', 'other'] as const;
export type BlockerCategory = (typeof BLOCKER_CATEGORIES)[number];
export const URGENCIES = ['today', 'week', 'later'] as const;
export type Urgency = (typeof URGENCIES)[number];

export interface BlockerReport {
  category: BlockerCategory;
  urgency: Urgency;
  description?: string;
  /** a voice note, a photo, a document */
  attachments?: Attachment[];
}

export interface BlockerView {
  id: number;
  reference: string;
  category: BlockerCategory;
  urgency: Urgency;
  status: 'open' | 'in_progress' | 'resolved';
  createdAt: Date;
}

/** Records the blocker and its event; the reference is random (4 digits, 5 once they run short). */
export async function reportBlocker(
  db: Db,
  beneficiaryId: number,
  report: BlockerReport,
  actor: Actor,
): Promise<BlockerView> {
  for (let attempt = 0; ; attempt++) {
    if (attempt > 60) throw new Error('no free blocker reference');
    const digits = attempt < 8 ? crypto.randomInt(1000, 10000) : crypto.randomInt(10000, 100000);
    const reference = `B-${digits}`;
    // Taken already: draw again without opening a transaction. One taken meanwhile is caught by
    // the unique key: the INSERT does nothing, and the loop draws again.
    if (await referenceTaken(db, reference)) continue;
    const made = await sqlTransaction(db, async (tx) => {
      // (In SQL of our own, as every case event: a problem report was among the heaviest turns.)
      const p = new SqlParams(providerOfClient(tx));
      const now = new Date();
      const [b] = await tx.$queryRawUnsafe<{ id: unknown }[]>(
        `INSERT INTO "Blocker" ("reference", "beneficiaryId", "category", "urgency", "description", "attachments",
            "createdAt", "updatedAt")
          VALUES (${p.add(reference)}, ${p.add(beneficiaryId, 'int')}, ${p.add(report.category)},
            ${p.add(report.urgency)}, ${p.add(report.description ?? null)},
            ${p.add(report.attachments?.length ? JSON.stringify(report.attachments) : null, 'jsonb')},
            ${p.add(now, 'timestamp')}, ${p.add(now, 'timestamp')})
          ON CONFLICT ("reference") DO NOTHING
          RETURNING "id"`,
        ...p.values,
      );
      if (!b) return undefined;
      const id = Number(b.id);
      await appendCaseEvent(tx, {
        beneficiaryId,
        type: 'blocker_reported',
        actor,
        payload: {
          blockerId: id,
          reference,
          category: report.category,
          urgency: report.urgency,
          voiceNote: !!report.attachments?.some((a) => a.contentType.startsWith('audio/')),
        },
        attention: report.urgency === 'today',
      });
      const view: BlockerView = {
        id,
        reference,
        category: report.category,
        urgency: report.urgency,
        status: 'open',
        createdAt: now,
      };
      return view;
    });
    if (made) return made;
  }
}

async function referenceTaken(db: Db, reference: string): Promise<boolean> {
  const reader = sqlReader(db);
  const p = new SqlParams(reader.provider);
  const rows = await reader.rows(
    `SELECT 1 AS "taken" FROM "Blocker" WHERE "reference" = ${p.add(reference)}`,
    p.values,
  );
  return rows.length > 0;
}

/** The person's blockers that are not resolved yet, newest first. */
export async function openBlockers(db: Db, beneficiaryId: number): Promise<BlockerView[]> {
  const rows = await db.blocker.findMany({
    where: { beneficiaryId, status: { in: ['open', 'in_progress'] } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
  return rows.map((b) => ({
    id: b.id,
    reference: b.reference,
    category: b.category as BlockerCategory,
    urgency: b.urgency as Urgency,
    status: b.status as BlockerView['status'],
    createdAt: b.createdAt,
  }));
}
