// Every dialog context has a state manager (dc.state: the memory scopes "turn", "dialog"... and
// their path resolvers), and botbuilder-dialogs builds its configuration afresh at each turn: a
// component registration, a service collection and its dependency graph, a settings check, and
// fourteen scope and resolver objects. None of it depends on the turn (the scopes keep a turn's
// data in the turn's state; botbuilder's own DialogManager hands one configuration to every turn
// the same way), so it is built once per process and given to each turn before its dialogs run.
import type { TurnContext } from 'botbuilder-core';
import type { DialogStateManagerConfiguration } from 'botbuilder-dialogs';
import { DialogsComponentRegistration } from 'botbuilder-dialogs/lib/dialogsComponentRegistration';

/** Where a DialogStateManager looks for its configuration first (memory/dialogStateManager.js). */
const CONFIGURATION_KEY = 'DialogStateManagerConfiguration';

let shared: DialogStateManagerConfiguration | undefined;

/** The configuration every turn's state managers share. */
export function stateConfiguration(): DialogStateManagerConfiguration {
  if (!shared) {
    const components = new DialogsComponentRegistration();
    shared = { memoryScopes: components.getMemoryScopes(), pathResolvers: components.getPathResolvers() };
  }
  return shared;
}

/** Gives this turn's dialog contexts the shared configuration. */
export function shareStateConfiguration(context: TurnContext): void {
  context.turnState.set(CONFIGURATION_KEY, stateConfiguration());
}
