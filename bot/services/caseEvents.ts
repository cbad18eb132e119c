// The case timeline: every meaningful step writes a CaseEvent, in the same transaction as the
// change it records (pass the transaction client).
import type { Prisma } from '../db/client';
import { providerOfClient, SqlParams } from '../db/rawSql';
import type { SqlClient } from '../db/sqlTransaction';

export type ActorType = 'beneficiary' | 'staff' | 'contact' | 'system';

export interface Actor {
  type: ActorType;
  id?: string | number | null;
}

export interface CaseEventInput {
  beneficiaryId?: number | null;
  /** e.g. consent_given, workshop_booked, blocker_reported, language_changed */
  type: string;
  actor: Actor;
  payload?: Prisma.InputJsonValue;
  /** flag it for the CIP's attention (an alert) */
  attention?: boolean;
}

/** Anything that can write a CaseEvent: the client or a transaction client (Prisma's or bot/db/sqlTransaction's). */
export type CaseEventWriter = Pick<SqlClient, '$queryRawUnsafe'>;

/**
 * Writes the event; resolves with its id. In SQL of our own: every change of a case writes one,
 * and Prisma's client spent about 0.15 ms of CPU on each (bot/db/sqlReads.ts says why that counts).
 */
export async function appendCaseEvent(db: CaseEventWriter, event: CaseEventInput): Promise<{ id: number }> {
  const provider = providerOfClient(db);
  const p = new SqlParams(provider);
  const [row] = await db.$queryRawUnsafe<{ id: unknown }[]>(
    `INSERT INTO "CaseEvent" ("beneficiaryId", "type", "actorType", "actorId", "payload", "attention", "createdAt")
      VALUES (${p.add(event.beneficiaryId ?? null, 'int')}, ${p.add(event.type)}, ${p.add(event.actor.type)},
        ${p.add(event.actor.id == null ? null : String(event.actor.id))},
        ${p.add(event.payload === undefined ? null : JSON.stringify(event.payload), 'jsonb')},
        ${p.add(provider === 'sqlite' ? Number(event.attention ?? false) : (event.attention ?? false))},
        ${p.add(new Date(), 'timestamp')})
      RETURNING "id"`,
    ...p.values,
  );
  return { id: Number(row!.id) };
}
