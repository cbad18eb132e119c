// A Bot Framework adapter that runs turns inside this process: the built-in web chat's Direct Line
// endpoint hands it the activities people post, and it hands the bot's replies to `deliver`.
// Middleware and bot are the same as on every other channel (see botCore.installPipeline).
import type { Activity, ConversationReference, ResourceResponse, TurnContext } from 'botbuilder-core';
import { InProcessTurns, proactiveActivity, type Logic } from '../turnLogic';

export type Deliver = (
  activity: Partial<Activity>,
  context: TurnContext,
) => ResourceResponse | Promise<ResourceResponse>;
export type { Logic };

export class InProcessAdapter extends InProcessTurns {
  constructor(private readonly deliver: Deliver) {
    super('the web chat');
  }

  processActivity(activity: Partial<Activity>, logic: Logic): Promise<void> {
    return this.turn(activity, logic);
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === 'delay') {
        await new Promise((r) => setTimeout(r, typeof activity.value === 'number' ? activity.value : 1000));
        responses.push({ id: '' });
      } else if (activity.type === 'invokeResponse' || activity.type === 'trace') {
        responses.push({ id: '' });
      } else {
        responses.push(await this.deliver(activity, context));
      }
    }
    return responses;
  }

  /** A proactive turn in an existing conversation. */
  async continueConversation(reference: Partial<ConversationReference>, logic: Logic): Promise<void> {
    await this.turn(proactiveActivity(reference), logic);
  }
}
