// A Bot Framework adapter that runs turns inside this process: the built-in web chat's Direct Line
// endpoint hands it the activities people post, and it hands the bot's replies to `deliver`.
// Middleware and bot are the same as on every other channel (see botCore.installPipeline).
import {
  BotAdapter,
  TurnContext,
  type Activity,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder-core';
import { proactiveActivity, type Logic } from '../turnLogic';

export type Deliver = (
  activity: Partial<Activity>,
  context: TurnContext,
) => ResourceResponse | Promise<ResourceResponse>;
export type { Logic };

export class InProcessAdapter extends BotAdapter {
  constructor(private readonly deliver: Deliver) {
    super();
  }

  processActivity(activity: Partial<Activity>, logic: Logic): Promise<void> {
    return this.runMiddleware(new TurnContext(this, activity), logic);
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

  async updateActivity(): Promise<void> {
    throw new Error('the web chat channel does not update sent activities');
  }

  async deleteActivity(): Promise<void> {
    throw new Error('the web chat channel does not delete sent activities');
  }

  /** A proactive turn in an existing conversation. */
  async continueConversation(reference: Partial<ConversationReference>, logic: Logic): Promise<void> {
    await this.runMiddleware(new TurnContext(this, proactiveActivity(reference)), logic);
  }
}
