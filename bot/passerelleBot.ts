// The bot: hands messages and new members to the dialogs, then saves the conversation's and the
// user's state (both in the case database) at the end of every turn.
import { ActivityHandler, type ConversationState, type TurnContext, type UserState } from 'botbuilder';
import type { MainDialog } from '../dialogs/mainDialog';

export class PasserelleBot extends ActivityHandler {
  constructor(
    private readonly conversationState: ConversationState,
    private readonly userState: UserState,
    main: MainDialog,
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
    await Promise.all([this.conversationState.saveChanges(context), this.userState.saveChanges(context)]);
  }
}
