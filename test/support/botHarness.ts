// A bot on botbuilder's TestAdapter with the real pipeline (middleware, dialogs, state in a real
// database): send a message, get the bot's replies.
import { TestAdapter, type Activity } from 'botbuilder';
import { createBotCore, type BotCore } from '../../bot/botCore';
import { openDatabase, type Database } from '../../bot/db/client';
import { silentLogger } from '../../bot/logger';
import type { LanguageCode } from '../../bot/languages';

export interface Harness {
  db: Database;
  core: BotCore;
  adapter: TestAdapter;
  /** sends a message from the user, returns the bot's replies */
  send(text: string): Promise<Partial<Activity>[]>;
  /** the text of the replies, one string */
  sendText(text: string): Promise<string>;
  /** a conversationUpdate adding the user (what channels send when a chat opens) */
  join(): Promise<Partial<Activity>[]>;
  close(): Promise<void>;
}

export async function createHarness(
  url: string,
  options: { user?: string; conversation?: string; channelLocale?: string; defaultLocale?: LanguageCode; db?: Database } = {},
): Promise<Harness> {
  const db = options.db ?? (await openDatabase(url));
  const core = createBotCore(db, { defaultLocale: options.defaultLocale ?? 'fr' }, silentLogger);
  const adapter = new TestAdapter((context) => core.bot.run(context), {
    channelId: 'test',
    locale: options.channelLocale ?? '',
    from: { id: options.user ?? 'user-1', name: 'User' },
    recipient: { id: 'bot', name: 'Passerelle' },
    conversation: { id: options.conversation ?? 'conversation-1', isGroup: false, conversationType: 'personal', name: '' },
  } as Partial<Activity>);
  core.installPipeline(adapter);
  const drain = () => adapter.activeQueue.splice(0);
  const harness: Harness = {
    db,
    core,
    adapter,
    async send(text) {
      drain();
      await adapter.receiveActivity(text);
      return drain();
    },
    async sendText(text) {
      return (await harness.send(text)).map((a) => a.text).join('\n');
    },
    async join() {
      drain();
      await adapter.receiveActivity({
        type: 'conversationUpdate',
        membersAdded: [{ id: options.user ?? 'user-1', name: 'User' }],
      });
      return drain();
    },
    async close() {
      if (!options.db) await db.close();
    },
  };
  return harness;
}
