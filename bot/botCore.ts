// Builds what every channel shares: state over the case database, the dialogs, the bot, the
// middleware (message record, language) and the turn error handler. Adapters of every channel
// install the same pipeline with `installPipeline`, so all channels run the same bot.
import { ConversationState, UserState, type BotAdapter, type TurnContext } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import type { Config } from './config';
import type { Database } from './db/client';
import type { Logger } from './logger';
import { translator } from './i18n';
import { LocaleMiddleware } from './middleware/locale';
import { MessageRecorderMiddleware } from './middleware/messageRecorder';
import { PasserelleBot } from './passerelleBot';
import { MessageLog } from './services/messageLog';
import { PrismaStorage } from './storage/prismaStorage';
import { TurnQueue } from './turnQueue';
import type { UserProfile } from './turn';
import { say } from '../cards/messages';
import { MainDialog } from '../dialogs/mainDialog';

export interface BotCore {
  bot: PasserelleBot;
  storage: PrismaStorage;
  conversationState: ConversationState;
  userState: UserState;
  messageLog: MessageLog;
  /** serialises the turns of each conversation; tells when all turns are done */
  turns: TurnQueue;
  installPipeline(adapter: BotAdapter): void;
}

export function createBotCore(db: Database, config: Pick<Config, 'defaultLocale'>, log: Logger): BotCore {
  const storage = new PrismaStorage(db);
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const dialogState = conversationState.createProperty<DialogState>('dialogState');
  const profile = userState.createProperty<UserProfile>('profile');
  const main = new MainDialog(dialogState, profile);
  const bot = new PasserelleBot(conversationState, userState, main);
  const messageLog = new MessageLog(db);
  const recorder = new MessageRecorderMiddleware(messageLog);
  const locale = new LocaleMiddleware(profile, config.defaultLocale);

  const onTurnError = async (context: TurnContext, error: Error) => {
    // No message text in the log: the activity's type and channel say enough to find the turn.
    log.error(
      { err: { name: error.name, message: error.message, stack: error.stack }, channel: context.activity.channelId, activityType: context.activity.type },
      'turn failed',
    );
    try {
      const code = (await profile.get(context, {})).language ?? config.defaultLocale;
      await context.sendActivity(say(code, translator(code)('error.generic')));
      // Start the conversation afresh rather than fail again on the same dialog state.
      await conversationState.delete(context);
    } catch (err) {
      log.error({ err: { message: (err as Error).message } }, 'could not recover from a failed turn');
    }
  };

  return {
    bot,
    storage,
    conversationState,
    userState,
    messageLog,
    turns: new TurnQueue(),
    installPipeline(adapter) {
      adapter.use(recorder, locale);
      adapter.onTurnError = onTurnError;
    },
  };
}
