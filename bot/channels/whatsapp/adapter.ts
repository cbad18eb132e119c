// The botbuilder adapter of the WhatsApp channel. A turn runs in this process like any other
// (same middleware, same dialogs), but nothing is sent while it runs: its replies are collected,
// and the channel commits them to the outbox together with the turn's state and the message's
// "handled" mark, in one transaction (see channel.ts). A crash before that commit leaves the
// message to be handled again, from the same state; after it, the replies go out from the outbox.
// Typing becomes WhatsApp's "read, typing..." mark on the person's message.
import type { Activity, ConversationReference, ResourceResponse, TurnContext } from 'botbuilder-core';
import { RECORDED_BY_CHANNEL } from '../../turns/middleware/messageRecorder';
import { InProcessTurns, proactiveActivity, type Logic } from '../turnLogic';

export type { Logic };

/** What one turn produced, for the channel to commit. */
export class TurnOutput {
  readonly replies: Partial<Activity>[] = [];
  private counter = 0;

  constructor(readonly id: string) {}

  nextId(): string {
    return `${this.id}.${++this.counter}`;
  }
}

const OUTPUT = Symbol('passerelle.whatsapp.output');

export interface AdapterHooks {
  /** the bot is typing in this turn (mark the person's message read, show "typing...") */
  typing(context: TurnContext): void;
  /** runs a proactive turn (continueConversation) the way the channel commits turns */
  proactive(reference: Partial<ConversationReference>, logic: Logic): Promise<void>;
}

export class WhatsAppAdapter extends InProcessTurns {
  constructor(private readonly hooks: AdapterHooks) {
    super('WhatsApp');
  }

  /** Runs a turn whose replies go to `output`. */
  run(
    activity: Partial<Activity>,
    output: TurnOutput,
    prepare: (context: TurnContext) => void,
    logic: Logic,
  ): Promise<void> {
    return this.turn(activity, logic, (context) => {
      context.turnState.set(OUTPUT, output);
      // The channel records its messages itself: inbound when stored, outbound in the outbox.
      context.turnState.set(RECORDED_BY_CHANNEL, true);
      prepare(context);
    });
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const output = context.turnState.get(OUTPUT) as TurnOutput | undefined;
    if (!output) throw new Error('WhatsApp: a reply outside a turn of the channel');
    return activities.map((activity) => {
      if (activity.type === 'typing') this.hooks.typing(context);
      else if (activity.type === 'message') output.replies.push(activity);
      // delay, trace, invokeResponse...: nothing to send on WhatsApp
      return { id: output.nextId() };
    });
  }

  /** A proactive turn in an existing conversation; its replies go through the outbox too. */
  override async continueConversation(reference: Partial<ConversationReference>, logic: Logic): Promise<void> {
    await this.hooks.proactive(reference, logic);
  }

  /** The same, as CloudAdapter names it (the bot id and audience play no part here). */
  override async continueConversationAsync(
    _botAppIdOrClaims: unknown,
    reference: Partial<ConversationReference>,
    logicOrAudience: Logic | string,
    maybeLogic?: Logic,
  ): Promise<void> {
    const logic = typeof logicOrAudience === 'function' ? logicOrAudience : maybeLogic;
    if (!logic) throw new Error('continueConversationAsync needs the turn logic');
    await this.hooks.proactive(reference, logic);
  }

  /** The event activity of a proactive turn on `reference`. */
  static proactiveActivity(reference: Partial<ConversationReference>): Partial<Activity> {
    return proactiveActivity(reference);
  }
}
