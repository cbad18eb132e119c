// The bot: hands messages and new members to the dialogs, then saves the conversation's and the
// user's state (both in the case database) at the end of every turn; or hands them to the
// channel, when it commits the turn's state with the rest of the turn (see deferStateWrites).
import {
  ActivityHandler,
  type ConversationState,
  type StoreItems,
  type TurnContext,
  type UserState,
} from 'botbuilder-core';
import type { ConversationRoot } from '../../dialogs/conversationRoot';
import { deferredStateWrites, type PrismaStorage } from './prismaStorage';

export class PasserelleBot extends ActivityHandler {
  constructor(
    private readonly conversationState: ConversationState,
    private readonly userState: UserState,
    main: ConversationRoot,
    private readonly storage: PrismaStorage,
  ) {
    super();
    this.onMessage(async (context, next) => {
      await main.run(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const { membersAdded, recipient } = context.activity;
      // Greet when the person joins (not when the bot itself is added).
      if (membersAdded?.some((m) => m.id !== recipient.id)) await main.run(context);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    const deferred = deferredStateWrites(context);
    if (!deferred) {
      await Promise.all([this.conversationState.saveChanges(context), this.userState.saveChanges(context)]);
      return;
    }
    const changes: StoreItems = {};
    for (const state of [this.conversationState, this.userState]) {
      const key = state.getStorageKey(context);
      const value = state.get(context);
      if (key && value) changes[key] = value;
    }
    deferred.push(...this.storage.prepare(changes));
  }
}
