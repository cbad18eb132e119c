// The dialog state managers' configuration is built once and shared by every turn
// (dialogs/stateConfiguration.ts); the memory scopes still hold each turn's and each dialog's own
// values. A state manager no longer registers botbuilder's components anew, and memory paths are
// split once: the same segments as botbuilder's own parsePath.
import {
  ComponentRegistration,
  ConversationState,
  MemoryStorage,
  TestAdapter,
  TurnContext,
  type Activity,
} from 'botbuilder-core';
import type { DialogContext, DialogState } from 'botbuilder-dialogs';
import { ServiceCollection } from 'botbuilder-dialogs-adaptive-runtime-core';
import { DialogsComponentRegistration } from 'botbuilder-dialogs/lib/dialogsComponentRegistration';
import { DialogStateManager } from 'botbuilder-dialogs/lib/memory/dialogStateManager';
import { Dialog, DialogSet, WaterfallDialog } from '../../dialogs/sdk';
import { shareStateConfiguration, stateConfiguration } from '../../dialogs/stateConfiguration';

// botbuilder's own, taken before stateConfiguration() first runs (it sets up the shared ones)
type Parse = (path: string, allowNestedPaths?: boolean) => (string | number)[];
const botbuilderParsePath = (DialogStateManager.prototype as unknown as { parsePath: Parse }).parsePath;

async function conversation(share: boolean) {
  const conversationState = new ConversationState(new MemoryStorage());
  const dialogs = new DialogSet(conversationState.createProperty<DialogState>('dialogState'));
  const seen: { configuration: unknown; text: unknown; counted: unknown }[] = [];
  const note = (dc: DialogContext) =>
    seen.push({
      configuration: dc.state.configuration,
      text: dc.state.getValue('turn.activity.text'),
      counted: dc.state.getValue('dialog.count'),
    });
  dialogs.add(
    new WaterfallDialog('count', [
      async (step) => {
        step.state.setValue('dialog.count', 1);
        note(step);
        return Dialog.EndOfTurn;
      },
      async (step) => {
        step.state.setValue('dialog.count', Number(step.state.getValue('dialog.count')) + 1);
        note(step);
        return step.endDialog();
      },
    ]),
  );
  const adapter = new TestAdapter(async (context: TurnContext) => {
    if (share) shareStateConfiguration(context);
    const dc = await dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === 'empty') await dc.beginDialog('count');
    await conversationState.saveChanges(context);
  });
  await adapter.send('un');
  await adapter.send('deux');
  return seen;
}

test('every turn gets the one configuration; turn and dialog scopes keep their own values', async () => {
  const seen = await conversation(true);
  expect(seen.map((s) => [s.text, s.counted])).toEqual([
    ['un', 1],
    ['deux', 2],
  ]);
  expect(seen.every((s) => s.configuration === stateConfiguration())).toBe(true);
});

test('botbuilder alone builds a configuration at each turn (what sharing saves), with the same scopes', async () => {
  const seen = await conversation(false);
  expect(seen.map((s) => [s.text, s.counted])).toEqual([
    ['un', 1],
    ['deux', 2],
  ]);
  expect(seen[0]!.configuration).not.toBe(seen[1]!.configuration);
  const names = (c: unknown) => (c as ReturnType<typeof stateConfiguration>).memoryScopes.map((m) => m.name).join(',');
  expect(names(seen[0]!.configuration)).toBe(names(stateConfiguration()));
});

/** A state manager on a new turn's dialog context (its state holds `dialog.key` = "count"). */
async function stateManager(): Promise<DialogStateManager> {
  const adapter = new TestAdapter(async () => undefined);
  const context = new TurnContext(adapter, {
    type: 'message',
    text: 'un',
    channelId: 'test',
    conversation: { id: 'c' },
    from: { id: 'u' },
    recipient: { id: 'b' },
  } as Activity);
  shareStateConfiguration(context);
  const conversationState = new ConversationState(new MemoryStorage());
  const dialogs = new DialogSet(conversationState.createProperty<DialogState>('dialogState'));
  dialogs.add(new WaterfallDialog('w', [async () => Dialog.EndOfTurn]));
  const dc = await dialogs.createContext(context);
  await dc.beginDialog('w');
  dc.state.setValue('dialog.key', 'count');
  dc.state.setValue('dialog.count', 7);
  return dc.state;
}

test('a state manager registers no new components: the one registration is handed out', async () => {
  stateConfiguration();
  const factories = jest.spyOn(ServiceCollection.prototype, 'addFactory');
  try {
    const first = new DialogsComponentRegistration();
    expect(new DialogsComponentRegistration()).toBe(first);
    expect(first).toBeInstanceOf(DialogsComponentRegistration);
    await stateManager();
    await stateManager();
    expect(factories).not.toHaveBeenCalled(); // botbuilder alone: a service collection each time
    const registered = ComponentRegistration.components.filter((c) => c instanceof DialogsComponentRegistration);
    expect(registered).toEqual([first]);
    expect(first.getMemoryScopes().map((m) => m.name)).toContain('turn');
  } finally {
    factories.mockRestore();
  }
});

test("memory paths are split once, into botbuilder's own segments; bracketed paths as before", async () => {
  stateConfiguration();
  const state = await stateManager();
  const parse = (state as unknown as { parsePath: Parse }).parsePath.bind(state);
  const paths = ['turn.dialogEvent', 'dialog.count', 'dialog._tracker.paths', 'a..b', '.x', 'x.$foo', 'user.name'];
  for (const path of paths) {
    for (const nested of [true, false]) {
      const expected = botbuilderParsePath.call(state, path, nested);
      expect(parse(path, nested)).toEqual(expected);
      expect(parse(path, nested)).toEqual(expected); // (the second time from memory)
    }
  }
  // A caller that changes what it got does not change what the next one gets.
  parse('dialog.count').push('extra');
  expect(parse('dialog.count')).toEqual(['dialog', 'count']);
  // A nested expression depends on the state: not remembered.
  expect(parse('dialog[dialog.key]')).toEqual(['dialog', 'count']);
  state.setValue('dialog.key', 'other');
  expect(parse('dialog[dialog.key]')).toEqual(['dialog', 'other']);
  expect(parse("dialog['quoted']")).toEqual(botbuilderParsePath.call(state, "dialog['quoted']"));
  expect(state.getValue('dialog.count')).toBe(7);
  expect(() => parse('dialog.bad path')).toThrow(/Invalid path/);
});
