// Bot state that tells whether it changed by its JSON text. botbuilder's BotState tells it by a
// SHA-256 of the state written by its own stringify, which calls a replacer for every value
// (to survive circular objects), three times a turn for each state: on load, to decide whether
// to save, and after the save. That was 3-4 % of a turn's CPU, for two states a turn. A bot
// state is plain JSON (our storage writes it as JSON, and could not write a circular one), so
// the text JSON.stringify makes of it, eTag aside, is all a comparison needs: same text, no
// change. Everything else (the turn's cache of the state, clear, delete, properties) is
// botbuilder's own: the cache keeps the shape it expects, the text standing in for the hash.
import type { BotState, Storage, TurnContext } from 'botbuilder-core';

type State = Record<string, unknown>;

/** What BotState keeps in the turn's state under its own key (CachedBotState in botbuilder-core). */
interface Cached {
  state: State;
  hash: string;
}

/** The state's text, eTag left out (a new eTag is no change). */
export function stateText(state: State): string {
  return JSON.stringify({ ...state, eTag: undefined });
}

// The text of a state is made once a turn where it can be: a storage that parsed a state from its
// text hands it over (it is the text stateText would make, JSON.parse and JSON.stringify giving
// back the same text), and the text compared at the save is the one the storage writes. Each text
// is taken once, right where it is made: the state object changes during the turn.
const textsRead = new WeakMap<object, string>();
const textsToWrite = new WeakMap<object, string>();

function take(texts: WeakMap<object, string>, state: object): string | undefined {
  const text = texts.get(state);
  if (text !== undefined) texts.delete(state);
  return text;
}

/** A storage's read: the stored text of the state it returns (eTag apart). */
export function readFromText(state: object, text: string): void {
  textsRead.set(state, text);
}

/** A storage's write: the text of this state, when the save just made it (else undefined). */
export function textToWrite(state: object): string | undefined {
  return take(textsToWrite, state);
}

/** What the two functions below need of a BotState (its storage and keys are protected). */
interface Parts {
  /** BotState's key in the turn's state (private in its types, set by its constructor) */
  cacheKey: symbol;
  storage: Storage;
  storageKey(context: TurnContext): Promise<string> | string;
}

async function load(parts: Parts, context: TurnContext, force: boolean): Promise<State> {
  const cached = context.turnState.get(parts.cacheKey) as Cached | undefined;
  if (!force && cached?.state) return cached.state;
  const key = await parts.storageKey(context);
  const items = await parts.storage.read([key]);
  const state = (items[key] as State | undefined) ?? {};
  context.turnState.set(parts.cacheKey, { state, hash: take(textsRead, state) ?? stateText(state) } satisfies Cached);
  return state;
}

async function saveChanges(parts: Parts, context: TurnContext, force: boolean): Promise<void> {
  const cached = context.turnState.get(parts.cacheKey) as Cached | undefined;
  const text = cached ? stateText(cached.state) : undefined;
  if (!force && (!cached || cached.hash === text)) return;
  const saved: Cached = cached ?? { state: {}, hash: '' };
  saved.state.eTag = '*';
  const key = await parts.storageKey(context);
  if (text !== undefined) textsToWrite.set(saved.state, text);
  await parts.storage.write({ [key]: saved.state });
  // (the storage does not change the state it writes: the text before the write is its text)
  saved.hash = text ?? stateText(saved.state);
  context.turnState.set(parts.cacheKey, saved);
}

/** Makes a ConversationState or UserState tell its changes by text: its load and saveChanges are ours. */
export function checkedByText<S extends BotState>(state: S): S {
  // (storage and storageKey are protected, stateKey private: read once, here)
  const inner = state as unknown as { stateKey: symbol; storage: Storage; storageKey: Parts['storageKey'] };
  const parts: Parts = {
    cacheKey: inner.stateKey,
    storage: inner.storage,
    storageKey: (context) => inner.storageKey(context),
  };
  state.load = (context: TurnContext, force = false) => load(parts, context, force);
  state.saveChanges = (context: TurnContext, force = false) => saveChanges(parts, context, force);
  return state;
}
