// The WhatsApp channel's rows in the case database, all in the Message table, in three parts:
// - inboundStore.ts: the messages people send (stored, claimed, handled with their turn's commit),
//   and where to reach people;
// - outboxStore.ts: the messages we send (queued, claimed, settled; parked until the person writes);
// - statusStore.ts: Meta's statuses of what we sent (and those that come before their send is recorded).
// WhatsAppStore puts them together for the channel, its sender and the jobs.
// Hot statements are hand-written SQL with the rows as one JSON parameter (see db/jsonRows.ts):
// Prisma's per-query cost would otherwise dominate at hundreds of messages a second.
import type { Database } from '../../db/client';
import type { PrismaStorage } from '../../turns/prismaStorage';
import type { InboundEvent, StatusEvent } from './webhook';
import { InboundStore, type ClaimedInbound, type QueuedInbound, type TurnCommit } from './inboundStore';
import { OutboxStore, type ClaimedOutbound, type NewOutbound, type Settlement } from './outboxStore';
import { StatusStore, type AppliedStatus } from './statusStore';
import type { Tx } from './storeSql';

export type { ClaimedInbound, QueuedInbound, TurnCommit } from './inboundStore';
export type { ClaimedOutbound, NewOutbound, Settlement } from './outboxStore';
export type { AppliedStatus } from './statusStore';
export { providerIdOf } from './storeSql';

export class WhatsAppStore {
  readonly inbound: InboundStore;
  readonly outbox: OutboxStore;
  readonly statuses: StatusStore;

  constructor(
    db: Database,
    storage: PrismaStorage,
    /** how long a claim of an inbound message holds, ms */
    leaseMs: number,
    now: () => Date = () => new Date(),
  ) {
    this.statuses = new StatusStore(db, now);
    this.outbox = new OutboxStore(db, this.statuses, now);
    this.inbound = new InboundStore(db, storage, this.outbox, leaseMs, now);
  }

  /** told of statuses that had come before their message's send was recorded, once applied */
  get onLateStatuses(): ((applied: AppliedStatus[]) => void) | undefined {
    return this.outbox.onLateStatuses;
  }

  set onLateStatuses(listener: ((applied: AppliedStatus[]) => void) | undefined) {
    this.outbox.onLateStatuses = listener;
  }

  /** told when the people's pace after some sends could not be shared with the other instances */
  set onPaceNotRecorded(listener: (err: Error) => void) {
    this.outbox.onPaceNotRecorded = listener;
  }

  /** Waits until everything the group commits hold has been written. */
  drain(): Promise<void> {
    return Promise.all([this.inbound.drain(), this.outbox.drain()]).then(() => undefined);
  }

  // ---- inbound (inboundStore.ts) ----

  storeInbound(events: InboundEvent[]): Promise<QueuedInbound[]> {
    return this.inbound.storeInbound(events);
  }

  claimInbound(id: number): Promise<ClaimedInbound | undefined> {
    return this.inbound.claimInbound(id);
  }

  holdInbound(id: number): Promise<void> {
    return this.inbound.holdInbound(id);
  }

  inboundStatus(id: number): Promise<string | undefined> {
    return this.inbound.inboundStatus(id);
  }

  unhandledInbound(olderThanMs: number, limit?: number): Promise<{ id: number; userKey: string }[]> {
    return this.inbound.unhandledInbound(olderThanMs, limit);
  }

  failInbound(id: number, reason: string): Promise<void> {
    return this.inbound.failInbound(id, reason);
  }

  commit(turn: TurnCommit): Promise<boolean> {
    return this.inbound.commit(turn);
  }

  forgetStrangers(days?: number): Promise<{ people: number; messages: number; states: number }> {
    return this.inbound.forgetStrangers(days);
  }

  keyOfAltId(bsuid: string): Promise<string | undefined> {
    return this.inbound.keyOfAltId(bsuid);
  }

  // ---- outbound (outboxStore.ts) ----

  enqueue(tx: Tx | undefined, rows: NewOutbound[]): Promise<void> {
    return this.outbox.enqueue(tx, rows);
  }

  markWindowClosed(id: number, at: Date): Promise<void> {
    return this.outbox.markWindowClosed(id, at);
  }

  requeueWindowClosed(id: number, at: Date): Promise<boolean> {
    return this.outbox.requeueWindowClosed(id, at);
  }

  claimOutbound(limit: number, leaseMs: number): Promise<ClaimedOutbound[]> {
    return this.outbox.claimOutbound(limit, leaseMs);
  }

  settle(s: Settlement): Promise<null> {
    return this.outbox.settle(s);
  }

  adoptNotification(id: number, to: string): Promise<boolean> {
    return this.outbox.adoptNotification(id, to);
  }

  // ---- statuses (statusStore.ts) ----

  applyStatuses(statuses: StatusEvent[]): Promise<AppliedStatus[]> {
    return this.statuses.applyStatuses(statuses);
  }

  applyOrphans(wamids: string[]): Promise<AppliedStatus[]> {
    return this.statuses.applyOrphans(wamids);
  }

  purgeOrphans(olderThanMs?: number): Promise<number> {
    return this.statuses.purgeOrphans(olderThanMs);
  }
}
