// A new bot over the database of a running harness, as after a restart: the same person comes back
// in a new conversation, and what was stored about them must still hold.
import { createHarness, type Harness } from './botHarness';

export function restartedBot(
  running: Harness,
  url: string,
  person: { user: string; conversation: string; channelLocale: string },
): Promise<Harness> {
  return createHarness(url, { ...person, db: running.db });
}
