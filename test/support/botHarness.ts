// A bot on botbuilder's TestAdapter with the real pipeline (middleware, dialogs, state in a real
// database): send a message, get the bot's replies.
import { ActivityTypes, TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { createBotCore, type BotCore } from '../../bot/turns/botCore';
import { openDatabase, type Database } from '../../bot/db/client';
import { silentLogger } from '../../bot/runtime/logger';
import type { LanguageCode } from '../../bot/i18n/languages';
import type { Prisma } from '../../bot/db/client';
import { setChannelIdentity, type ChannelIdentity, type UserProfile } from '../../bot/turns/turnState';
import { createTempSqlite } from './databases';

/** What a channel like WhatsApp tells about the person: their phone number and profile name. */
export type { ChannelIdentity };

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
  /**
   * Makes the test user a known person without going through onboarding: an active, consenting
   * beneficiary linked to this chat user. Returns the beneficiary.
   */
  onboard(person?: Partial<Prisma.BeneficiaryUncheckedCreateInput>): Promise<{ id: number }>;
  /** the clock the bot sees (tests may move it) */
  clock: { now: Date };
  /** what the simulated channel gives on every turn (tests may change it) */
  identity: ChannelIdentity;
  /** the user's profile as stored (UserState) */
  profile(): Promise<UserProfile | undefined>;
  /** replaces the user's stored profile (e.g. a language chosen in an earlier conversation) */
  setProfile(profile: UserProfile): Promise<void>;
  close(): Promise<void>;
}

export async function createHarness(
  url: string,
  options: {
    user?: string;
    conversation?: string;
    channelLocale?: string;
    defaultLocale?: LanguageCode;
    db?: Database;
    now?: Date;
    /** simulate a channel that knows the person's phone number and profile name */
    identity?: ChannelIdentity;
  } = {},
): Promise<Harness> {
  const db = options.db ?? (await openDatabase(url));
  const clock = { now: options.now ?? new Date() };
  const user = options.user ?? 'user-1';
  const core = createBotCore(
    db,
    { defaultLocale: options.defaultLocale ?? 'fr', appTimezone: 'Europe/Paris', cipAnswerDays: 2 },
    silentLogger,
    {
      now: () => clock.now,
    },
  );
  const adapter = new TestAdapter((context) => core.bot.run(context), {
    channelId: 'test',
    locale: options.channelLocale ?? '',
    from: { id: user, name: 'User' },
    recipient: { id: 'bot', name: 'Passerelle' },
    conversation: {
      id: options.conversation ?? 'conversation-1',
      isGroup: false,
      conversationType: 'personal',
      name: '',
    },
  } as Partial<Activity>);
  core.installPipeline(adapter);
  const identity: ChannelIdentity = { ...options.identity };
  adapter.use({
    onTurn: async (context, next) => {
      setChannelIdentity(context, identity);
      await next();
    },
  });
  // Proactive messages (notifications) land in the same queue as replies.
  core.notifier.register('test', {
    // (TestAdapter has no continueConversation: a context on the reference does the same here.)
    send: async (target, activities) => {
      const event = TurnContext.applyConversationReference({ type: ActivityTypes.Event }, target.reference, true);
      await new TurnContext(adapter, event).sendActivities(activities);
      return true;
    },
  });
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
        membersAdded: [{ id: user, name: 'User' }],
      });
      return drain();
    },
    clock,
    identity,
    async profile() {
      const key = `test/users/${user}/`;
      return ((await core.storage.read([key]))[key] as { profile?: UserProfile } | undefined)?.profile;
    },
    async setProfile(profile) {
      await core.storage.write({ [`test/users/${user}/`]: { profile, eTag: '*' } });
    },
    async onboard(person = {}) {
      const b = await db.prisma.beneficiary.create({
        data: {
          firstName: 'Amina',
          status: 'active',
          consentAt: clock.now,
          language: 'fr',
          birthYear: 1990,
          ...person,
        },
      });
      const language = person.language as LanguageCode | undefined;
      await core.storage.write({
        [`test/users/${user}/`]: { profile: { beneficiaryId: b.id, ...(language && { language }) }, eTag: '*' },
      });
      return b;
    },
    async close() {
      if (!options.db) await db.close();
    },
  };
  return harness;
}

/**
 * A fresh harness on a fresh SQLite file for every test of the file (created before each, closed
 * and dropped after each). The returned object always speaks for the current test's harness.
 */
export function useHarness(options: Parameters<typeof createHarness>[1] = {}): Harness {
  let current: Harness | undefined;
  let tmp: { drop(): Promise<void> } | undefined;
  beforeEach(async () => {
    const db = await createTempSqlite();
    tmp = db;
    current = await createHarness(db.url, options);
  });
  afterEach(async () => {
    await current?.close();
    await tmp?.drop();
  });
  return new Proxy({} as Harness, {
    get(_target, prop) {
      if (!current) throw new Error('the harness exists inside tests only');
      const value = Reflect.get(current, prop);
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
}
