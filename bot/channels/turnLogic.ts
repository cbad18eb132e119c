// What the channels' adapters share: the logic a turn runs (the bot's middleware and dialogs), the
// activity that starts a proactive turn in an existing conversation, and the base of the adapters
// whose turns run in this process (the web chat's, WhatsApp's).
import {
  ActivityEventNames,
  BotAdapter,
  TurnContext,
  type Activity,
  type ConversationReference,
} from 'botbuilder-core';

export type Logic = (context: TurnContext) => Promise<void>;

/** The event activity of a proactive turn on `reference`. */
export function proactiveActivity(reference: Partial<ConversationReference>): Partial<Activity> {
  return TurnContext.applyConversationReference(
    { type: 'event', name: ActivityEventNames.ContinueConversation },
    reference,
    true,
  );
}

/**
 * An adapter whose turns run in this process, through the same middleware as every other channel. Its
 * channel sends a message once and for all: a sent message is neither changed nor deleted.
 */
export abstract class InProcessTurns extends BotAdapter {
  /** `channel` names the channel in the errors, e.g. "WhatsApp". */
  constructor(private readonly channel: string) {
    super();
  }

  /** Runs the middleware and `logic` on a turn of `activity`, once `prepare` has set its context up. */
  protected turn(activity: Partial<Activity>, logic: Logic, prepare?: (context: TurnContext) => void): Promise<void> {
    const context = new TurnContext(this, activity);
    prepare?.(context);
    return this.runMiddleware(context, logic);
  }

  async updateActivity(): Promise<void> {
    throw new Error(`${this.channel}: a message once sent cannot be changed`);
  }

  async deleteActivity(): Promise<void> {
    throw new Error(`${this.channel}: a message once sent cannot be deleted`);
  }
}
