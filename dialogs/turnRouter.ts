// One turn, for every audience: identify the person -> sync their conversation -> a global keyword
// ("menu", "help", "stop"...) -> the answer to an open question we sent them -> the active dialog
// (or the menu when none is active, or when it ended). Beneficiaries (dialogs/beneficiaryTurns.ts)
// and employer contacts (dialogs/contacts/contactRoot.ts) each give their own steps.
import { ActivityTypes } from 'botbuilder';
import { DialogTurnStatus, type DialogContext } from 'botbuilder-dialogs';
import { globalCommand, type GlobalCommand } from './recognizers/keywords';

export interface TurnStart {
  /** when the person wrote before this message (a question sent after it is theirs to answer); undefined: never */
  previous?: Date;
  /** whether an open question may be answered in this turn (a known person's message) */
  mayAnswer: boolean;
}

export interface TurnAudience {
  /** Identifies and syncs: undefined when the turn is not this audience's. */
  begin(dc: DialogContext): Promise<TurnStart | undefined>;
  /** A keyword that works at any time. */
  command(dc: DialogContext, command: GlobalCommand): Promise<unknown>;
  /** The message answered the open question we sent (and it was handled): true. */
  answer(dc: DialogContext, previous: Date | undefined): Promise<boolean>;
  /** The audience's menu, with the greeting on a first turn. */
  menu(dc: DialogContext, greet: boolean): Promise<unknown>;
}

/** Runs the turn for `audience`; false when it is not theirs (the next audience may take it). */
export async function routeTurn(dc: DialogContext, audience: TurnAudience): Promise<boolean> {
  const start = await audience.begin(dc);
  if (!start) return false;
  const isMessage = dc.context.activity.type === ActivityTypes.Message;
  const command = isMessage ? globalCommand(dc.context.activity.text) : undefined;
  if (command) {
    await audience.command(dc, command);
    return true;
  }
  if (isMessage && start.mayAnswer && (await audience.answer(dc, start.previous))) return true;
  const result = isMessage
    ? await dc.continueDialog()
    : { status: dc.activeDialog ? DialogTurnStatus.waiting : DialogTurnStatus.empty };
  if (result.status === DialogTurnStatus.empty) await audience.menu(dc, true);
  else if (result.status === DialogTurnStatus.complete) await audience.menu(dc, false);
  return true;
}
