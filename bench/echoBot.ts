// The baseline: a bare botbuilder bot that echoes each message. No middleware, no state, no database.
import { ActivityHandler } from 'botbuilder';

export class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(context.activity.text);
      await next();
    });
  }
}
