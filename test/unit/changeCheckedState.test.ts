// Bot state told changed by its JSON text (bot/turns/changeCheckedState.ts) writes exactly when
// botbuilder's own BotState (its SHA-256 of the state) writes, and the same thing: each script
// below runs on both, over storages that record their writes.
import {
  ConversationState,
  MemoryStorage,
  TestAdapter,
  TurnContext,
  UserState,
  type StoreItems,
} from 'botbuilder-core';
import crypto from 'node:crypto';
import { checkedByText } from '../../bot/turns/changeCheckedState';

class RecordingStorage extends MemoryStorage {
  readonly writes: StoreItems[] = [];

  override write(changes: StoreItems): Promise<void> {
    this.writes.push(JSON.parse(JSON.stringify(changes)) as StoreItems);
    return super.write(changes);
  }
}

type AnyState = ConversationState | UserState;
type Step = (state: AnyState, context: TurnContext) => Promise<void>;

const activity = {
  type: 'message',
  channelId: 'test',
  from: { id: 'person-1', name: 'Person' },
  recipient: { id: 'bot', name: 'Passerelle' },
  conversation: { id: 'conversation-1', name: '', isGroup: false, conversationType: 'personal' },
  text: 'bonjour',
};

/** Runs the turns (lists of steps) on a state and says what its storage was asked to write. */
async function writesOf(make: (storage: RecordingStorage) => AnyState, turns: Step[][]) {
  const storage = new RecordingStorage();
  const state = make(storage);
  for (const steps of turns) {
    const context = new TurnContext(new TestAdapter(), { ...activity });
    for (const step of steps) await step(state, context);
  }
  // (eTags differ from one storage to the other: they are not compared)
  return storage.writes.map((w) => JSON.stringify(w, (k, v: unknown) => (k === 'eTag' ? undefined : v)));
}

const set =
  (name: string, value: unknown): Step =>
  async (state, context) => {
    await state.createProperty(name).set(context, value);
  };
const update =
  (name: string, change: (value: { items: number[] }) => void): Step =>
  async (state, context) => {
    const value = await state.createProperty<{ items: number[] }>(name).get(context, { items: [] });
    change(value);
  };
const load: Step = async (state, context) => {
  await state.load(context);
};
const save: Step = (state, context) => state.saveChanges(context);
const forceSave: Step = (state, context) => state.saveChanges(context, true);
const clear: Step = (state, context) => state.clear(context);
const changeETag: Step = async (state, context) => {
  (await state.load(context)).eTag = 'another';
};

const scripts: [string, Step[][]][] = [
  ['nothing read, nothing changed', [[save]]],
  ['read and not changed', [[load, save]]],
  [
    'a value set, then the same value set again',
    [
      [set('a', 1), save],
      [set('a', 1), save],
    ],
  ],
  ['a nested change, saved twice in the turn', [[update('list', (v) => v.items.push(1)), save, save]]],
  [
    'a nested change after a save in the same turn',
    [[set('a', 1), save, update('list', (v) => v.items.push(2)), save]],
  ],
  [
    'only the eTag changed',
    [
      [set('a', 1), save],
      [changeETag, save],
    ],
  ],
  ['a forced save without change', [[set('a', 1), save], [forceSave]]],
  ['a forced save of a state never read', [[forceSave]]],
  [
    'cleared, then saved',
    [
      [set('a', 1), save],
      [clear, save],
    ],
  ],
  [
    'a value removed',
    [
      [set('a', 1), set('b', 2), save],
      [async (s, c) => s.createProperty('a').delete(c), save],
    ],
  ],
];

describe.each([
  [
    'conversation',
    (s: RecordingStorage) => new ConversationState(s),
    (s: RecordingStorage) => checkedByText(new ConversationState(s)),
  ],
  ['user', (s: RecordingStorage) => new UserState(s), (s: RecordingStorage) => checkedByText(new UserState(s))],
] as const)('%s state told changed by its text', (_kind, botbuilders, ours) => {
  test.each(scripts)('%s: the same writes as botbuilder', async (_name, turns) => {
    const expected = await writesOf(botbuilders, turns);
    const actual = await writesOf(ours, turns);
    expect(actual).toEqual(expected);
  });

  test('writes a change, then nothing until the next change', async () => {
    const writes = await writesOf(ours, [
      [set('a', 1), save],
      [load, save],
      [set('a', 2), save],
    ]);
    expect(writes.map((w) => JSON.parse(w) as StoreItems).map((w) => Object.values(w)[0])).toEqual([
      { a: 1 },
      { a: 2 },
    ]);
  });

  test('hashes nothing (botbuilder hashes the state at each load and save)', async () => {
    const hashes = jest.spyOn(crypto, 'createHash');
    try {
      const script = [
        [set('a', 1), save],
        [load, save],
      ];
      await writesOf(ours, script);
      expect(hashes).not.toHaveBeenCalled();
      await writesOf(botbuilders, script);
      expect(hashes.mock.calls.length).toBeGreaterThanOrEqual(4);
    } finally {
      hashes.mockRestore();
    }
  });
});
