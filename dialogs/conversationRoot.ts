// The root of every conversation: the dialogs a turn may continue or open (the main menu, the
// language, erasure, the answers to our questions, the employer contacts' menu), and the turn
// itself: an employer contact's (recognised by their phone number) or else a beneficiary's, each
// run by the turn router.
import type { StatePropertyAccessor, TurnContext } from 'botbuilder-core';
import { DialogSet } from './sdk';
import type { Dialog, DialogState } from 'botbuilder-dialogs';
import type { Answerer } from './answers/answerer';
import { BeneficiaryTurns } from './beneficiaryTurns';
import type { ContactRoot } from './contacts/contactRoot';
import type { DialogDeps } from './deps';
import type { MainDialog } from './mainDialog';
import { routeTurn } from './turnRouter';
import { shareStateConfiguration } from './stateConfiguration';

export interface RootParts {
  main: MainDialog;
  /** opened by the "language" keyword */
  language: Dialog;
  /** opened by the "delete" keyword */
  erasure: Dialog;
  /** opened by the "stop" keyword (a known person confirms) */
  stop: Dialog;
  /** the answers to the questions we send (an invitation, a check-in...) */
  answers: Answerer[];
  /** employer contacts' turns (dialogs/contacts) */
  contacts: ContactRoot;
}

export class ConversationRoot {
  private readonly root: DialogSet;
  private readonly beneficiaries: BeneficiaryTurns;
  private readonly contacts: ContactRoot;

  constructor(deps: DialogDeps, dialogState: StatePropertyAccessor<DialogState>, parts: RootParts) {
    this.root = new DialogSet(dialogState);
    for (const d of [
      parts.main,
      parts.language,
      parts.erasure,
      parts.stop,
      ...parts.answers.map((a) => a.dialog),
      ...parts.contacts.dialogs,
    ])
      this.root.add(d);
    this.beneficiaries = new BeneficiaryTurns(deps, parts.answers);
    this.contacts = parts.contacts;
  }

  /** Runs one turn of the conversation. */
  async run(context: TurnContext): Promise<void> {
    const known = await this.beneficiaries.identify(context);
    shareStateConfiguration(context);
    const dc = await this.root.createContext(context);
    // An employer contact (known by their phone number) gets their own menu, never a beneficiary's.
    if (!known && (await routeTurn(dc, this.contacts))) return;
    await routeTurn(dc, this.beneficiaries);
  }
}
