// Builds what every channel shares: state over the case database, the dialogs, the bot, the
// middleware (message record, language) and the turn error handler. Adapters of every channel
// install the same pipeline with `installPipeline`, so all channels run the same bot.
import { ConversationState, UserState, type BotAdapter, type Middleware, type TurnContext } from 'botbuilder-core';
import { checkedByText } from './changeCheckedState';
import type { DialogState } from 'botbuilder-dialogs';
import type { Config } from '../runtime/config';
import { Notifier } from '../channels/notifier';
import type { Database } from '../db/client';
import type { Logger } from '../runtime/logger';
import { translator } from '../i18n/translator';
import { LocaleMiddleware } from './middleware/locale';
import { MessageRecorderMiddleware } from './middleware/messageRecorder';
import { InboundTextMiddleware } from './middleware/inboundText';
import { PasserelleBot } from './passerelleBot';
import { MessageLog } from '../services/messageLog';
import type { MediaStore } from '../media/store';
import { SpeechMiddleware, type SpeechToText } from '../voice/speechToText';
import type { Voice } from '../voice/voice';
import { VoiceMiddleware } from '../voice/voiceMiddleware';
import { PrismaStorage } from './prismaStorage';
import { TurnQueue, turnsAtOnce } from './turnQueue';
import type { ProfileAccessor, UserProfile } from './turnState';
import { say } from '../../cards/messages';
import { createConversationRoot, type DialogDeps } from '../../dialogs';
import { safeError } from '../runtime/safeError';

export interface BotCore {
  bot: PasserelleBot;
  /** delivers queued notifications; channels that can send outside a turn register with it */
  notifier: Notifier;
  storage: PrismaStorage;
  conversationState: ConversationState;
  userState: UserState;
  messageLog: MessageLog;
  /** the person's profile (language, case id) in UserState */
  profile: ProfileAccessor;
  /** spoken replies for those who listen (undefined: nobody hears the bot) */
  voice?: Voice;
  /** serialises the turns of each conversation; tells when all turns are done */
  turns: TurnQueue;
  installPipeline(adapter: BotAdapter): void;
}

export type BotCoreConfig = Pick<Config, 'defaultLocale'> &
  Partial<Pick<Config, 'appTimezone' | 'cipAnswerDays' | 'quietHours'>>;

export interface BotCoreOptions {
  now?: () => Date;
  /** voice notes into words (SPEECH_TO_TEXT_URL), for the files kept in `media` */
  speech?: { stt: SpeechToText; media: MediaStore };
  /** spoken replies (VOICE) */
  voice?: Voice;
}

export function createBotCore(db: Database, config: BotCoreConfig, log: Logger, options: BotCoreOptions = {}): BotCore {
  const now = options.now ?? (() => new Date());
  const timeZone = config.appTimezone ?? 'Europe/Paris';
  const storage = new PrismaStorage(db);
  const conversationState = checkedByText(new ConversationState(storage));
  const userState = checkedByText(new UserState(storage));
  const dialogState = conversationState.createProperty<DialogState>('dialogState');
  const profile = userState.createProperty<UserProfile>('profile');
  const notifier = new Notifier(db, timeZone, log, now, config.quietHours);
  const deps: DialogDeps = {
    db: db.prisma,
    profile,
    timeZone,
    now,
    cipAnswerDays: config.cipAnswerDays ?? 2,
    notify: async (beneficiaryId, o) => {
      await notifier.deliver(beneficiaryId, o);
    },
  };
  const main = createConversationRoot(deps, dialogState);
  const bot = new PasserelleBot(conversationState, userState, main, storage);
  const messageLog = new MessageLog(db);
  const recorder = new MessageRecorderMiddleware(messageLog, profile);
  const locale = new LocaleMiddleware(profile, config.defaultLocale);
  // After the locale: a voice note is transcribed in the person's language.
  const middleware: Middleware[] = [recorder, locale];
  if (options.speech) middleware.push(new SpeechMiddleware(options.speech.stt, options.speech.media, log));
  // Who hears this turn's replies (a voice note counts, transcribed or not).
  if (options.voice) middleware.push(new VoiceMiddleware(db, profile, now));
  // Last: the text any channel brings (a transcript too) is bounded before the dialogs read it.
  middleware.push(new InboundTextMiddleware());

  const onTurnError = async (context: TurnContext, error: Error) => {
    // No message text in the log: the activity's type and channel say enough to find the turn.
    log.error(
      { err: safeError(error), channel: context.activity.channelId, activityType: context.activity.type },
      'turn failed',
    );
    try {
      const code = (await profile.get(context, {})).language ?? config.defaultLocale;
      await context.sendActivity(say(code, translator(code)('error.generic')));
      // Start the conversation afresh rather than fail again on the same dialog state.
      await conversationState.delete(context);
    } catch (err) {
      log.error({ err: safeError(err) }, 'could not recover from a failed turn');
    }
  };

  return {
    bot,
    notifier,
    storage,
    conversationState,
    userState,
    messageLog,
    profile,
    voice: options.voice,
    turns: new TurnQueue(turnsAtOnce(db.provider)),
    installPipeline(adapter) {
      adapter.use(...middleware);
      adapter.onTurnError = onTurnError;
    },
  };
}
