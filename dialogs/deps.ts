// What dialogs need from the rest of the application: the case database, the clock, the time
// zone, the user profile, and a way to tell people about queued notifications. Dialogs reach the
// domain through bot/services only.
import type { TurnContext } from 'botbuilder-core';
import type { Db } from '../bot/db/client';
import type { ProfileAccessor } from '../bot/turns/turnState';

export interface DialogDeps {
  db: Db;
  profile: ProfileAccessor;
  /** the platform's time zone, for dates shown to people */
  timeZone: string;
  now: () => Date;
  /** how many working days the CIP usually takes to answer (told to the person) */
  cipAnswerDays: number;
  /**
   * Delivers the notifications queued for a person, where they can be reached now
   * (`personIsHere`: they are in a conversation with us, so even "stop" does not hold them back).
   */
  notify: (beneficiaryId: number, options?: { personIsHere?: boolean }) => Promise<void>;
}

/** The person's case id, once they consented (undefined before). */
export async function beneficiaryIdOf(deps: DialogDeps, context: TurnContext): Promise<number | undefined> {
  return (await deps.profile.get(context, {})).beneficiaryId;
}
