// The case timeline: every meaningful step writes a CaseEvent, in the same transaction as the
// change it records (pass the transaction client).
import type { Prisma } from '../db/client';

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

/** Anything that can write a CaseEvent: the client or a transaction client. */
export type CaseEventWriter = Pick<Prisma.TransactionClient, 'caseEvent'>;

export async function appendCaseEvent(db: CaseEventWriter, event: CaseEventInput) {
  return db.caseEvent.create({
    data: {
      beneficiaryId: event.beneficiaryId ?? null,
      type: event.type,
      actorType: event.actor.type,
      actorId: event.actor.id == null ? null : String(event.actor.id),
      payload: event.payload,
      attention: event.attention ?? false,
    },
  });
}
