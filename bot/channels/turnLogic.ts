// What the channels' adapters share: the logic a turn runs (the bot's middleware and dialogs), and the
// activity that starts a proactive turn in an existing conversation.
import { ActivityEventNames, TurnContext, type Activity, type ConversationReference } from 'botbuilder-core';

export type Logic = (context: TurnContext) => Promise<void>;

/** The event activity of a proactive turn on `reference`. */
export function proactiveActivity(reference: Partial<ConversationReference>): Partial<Activity> {
  return TurnContext.applyConversationReference(
    { type: 'event', name: ActivityEventNames.ContinueConversation },
    reference,
    true,
  );
}
