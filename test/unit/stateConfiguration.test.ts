// The dialog state managers' configuration is built once and shared by every turn
// (dialogs/stateConfiguration.ts); the memory scopes still hold each turn's and each dialog's own values.
import { ConversationState, MemoryStorage, TestAdapter, type TurnContext } from 'botbuilder-core';
import type { DialogContext, DialogState } from 'botbuilder-dialogs';
import { Dialog, DialogSet, WaterfallDialog } from '../../dialogs/sdk';
import { shareStateConfiguration, stateConfiguration } from '../../dialogs/stateConfiguration';

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
