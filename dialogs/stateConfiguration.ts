// Every dialog context has a state manager (dc.state: the memory scopes "turn", "dialog"... and
// their path resolvers), and botbuilder-dialogs builds its configuration afresh at each turn: a
// component registration, a service collection and its dependency graph, a settings check, and
// fourteen scope and resolver objects. None of it depends on the turn (the scopes keep a turn's
// data in the turn's state; botbuilder's own DialogManager hands one configuration to every turn
// the same way), so it is built once per process and given to each turn before its dialogs run.
//
// Two more things botbuilder-dialogs does again for every dialog context, whatever the configuration
// (about a tenth of the bytes a turn allocates, measured with V8's sampling heap profiler):
//   - its state manager's constructor registers a new DialogsComponentRegistration (a service
//     collection, its factories and dependency graph) in a registry keyed by class name, replacing
//     the same registration made a moment before: the class is made to give its one instance;
//   - `parsePath` splits each memory path ("turn.dialogEvent", "dialog.count"...) a character at a
//     time at every read and write: a path without brackets (so without a nested expression, whose
//     value depends on the state) is split once and a copy of its segments handed out.
// Both are set up by `stateConfiguration()`, once per process; test/unit/stateConfiguration.test.ts
// checks them against botbuilder's own results.
import type { TurnContext } from 'botbuilder-core';
import type { DialogStateManagerConfiguration } from 'botbuilder-dialogs';
import * as registrationModule from 'botbuilder-dialogs/lib/dialogsComponentRegistration';
import { DialogStateManager } from 'botbuilder-dialogs/lib/memory/dialogStateManager';

/** Where a DialogStateManager looks for its configuration first (memory/dialogStateManager.js). */
const CONFIGURATION_KEY = 'DialogStateManagerConfiguration';

let shared: DialogStateManagerConfiguration | undefined;

/** The configuration every turn's state managers share. */
export function stateConfiguration(): DialogStateManagerConfiguration {
  if (!shared) {
    shareComponentRegistration();
    splitPathsOnce();
    const components = new registrationModule.DialogsComponentRegistration();
    shared = { memoryScopes: components.getMemoryScopes(), pathResolvers: components.getPathResolvers() };
  }
  return shared;
}

/** Gives this turn's dialog contexts the shared configuration. */
export function shareStateConfiguration(context: TurnContext): void {
  context.turnState.set(CONFIGURATION_KEY, stateConfiguration());
}

type Segments = (string | number)[];
const SHARED = Symbol('passerelle.sharedOnce');

/**
 * `new DialogsComponentRegistration()` gives one instance (dialogStateManager.js reads the class
 * from its module at each call).
 */
function shareComponentRegistration() {
  type Registration = typeof registrationModule.DialogsComponentRegistration;
  const Registration = registrationModule.DialogsComponentRegistration as Registration & { [SHARED]?: true };
  if (Registration[SHARED]) return;
  const instance = new Registration();
  // (a constructor that returns an object gives that object; instanceof still holds)
  const Shared = function DialogsComponentRegistration() {
    return instance;
  } as unknown as typeof Registration;
  Shared.prototype = Registration.prototype;
  Shared[SHARED] = true;
  Object.assign(registrationModule, { DialogsComponentRegistration: Shared });
}

/** `parsePath` remembers the segments of paths without brackets (a few dozen distinct ones). */
function splitPathsOnce() {
  const proto = DialogStateManager.prototype as unknown as {
    parsePath(path: string, allowNestedPaths?: boolean): Segments;
    [SHARED]?: true;
  };
  if (proto[SHARED]) return;
  const parse = proto.parsePath;
  const known = new Map<string, Segments>();
  proto.parsePath = function (path: string, allowNestedPaths = true) {
    if (path.includes('[')) return parse.call(this, path, allowNestedPaths);
    let segments = known.get(path);
    if (!segments) {
      segments = parse.call(this, path, allowNestedPaths);
      if (known.size < 1000) known.set(path, segments);
    }
    return segments.slice(); // (a copy: a caller may change what it gets)
  };
  proto[SHARED] = true;
}
