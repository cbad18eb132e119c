// POST /api/messages: the Bot Framework protocol, for Azure Bot Service (Teams, the Emulator,
// Direct Line in Azure...). CloudAdapter authenticates requests with the standard MicrosoftApp*
// settings. Without MicrosoftAppId the SDK checks nothing, so then only loopback requests (the
// Emulator on this machine) are answered: a request from elsewhere gets 403.
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConversationReference } from 'botbuilder';
import restify, { type Request, type Response, type Server } from 'restify';
import type { BotCore } from '../../botCore';
import type { Config } from '../../config';
import type { ProactiveChannel } from '../../notifier';
import { sendError } from '../webchat/directLine';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const MAX_BODY_BYTES = 256 * 1024;

export class BotFrameworkChannel {
  readonly adapter: CloudAdapter;
  /** no MicrosoftAppId: unauthenticated, loopback only */
  readonly anonymous: boolean;

  constructor(
    private readonly app: Config['microsoftApp'],
    private readonly core: BotCore,
  ) {
    this.anonymous = !app.appId;
    const auth = new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: app.appId,
      MicrosoftAppPassword: app.appPassword,
      MicrosoftAppType: app.appType,
      MicrosoftAppTenantId: app.tenantId,
    });
    this.adapter = new CloudAdapter(auth);
    core.installPipeline(this.adapter);
    core.notifier.registerBotFramework(this.proactive());
  }

  /**
   * Proactive messages to conversations of Azure Bot Service channels: a turn continued on the
   * stored reference (continueConversationAsync), so any instance can send them. The person's
   * turns and these run in order, one conversation at a time.
   */
  proactive(): ProactiveChannel {
    return {
      send: async (target, activities, _id, personIsHere) => {
        const reference = target.reference as ConversationReference;
        if (!reference.serviceUrl || !reference.conversation?.id) return false;
        const send = () =>
          this.adapter.continueConversationAsync(this.app.appId ?? '', reference, async (context) => {
            await context.sendActivities(activities);
          });
        // In the person's own turn already: queueing behind it would wait for ourselves.
        await (personIsHere ? send() : this.core.turns.run(target.conversationId, send));
        return true;
      },
    };
  }

  register(server: Server): void {
    const body = restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, mapFiles: false });
    server.post('/api/messages', body, async (req: Request, res: Response) => {
      if (this.anonymous && !LOOPBACK.has(req.socket.remoteAddress ?? '')) {
        return sendError(res, 403, 'Forbidden', 'Set MicrosoftAppId to accept Bot Framework requests from other hosts.');
      }
      const problem = bodyProblem(req.body);
      if (problem) return sendError(res, 400, 'BadArgument', problem);
      const conversationId = (req.body as { conversation: { id: string } }).conversation.id;
      // One conversation's turns run in order.
      await this.core.turns.run(conversationId, () => this.adapter.process(req, res, (context) => this.core.bot.run(context)));
    });
  }
}

/** Why a body is not a Bot Framework activity (CloudAdapter would answer 500), or undefined. */
function bodyProblem(body: unknown): string | undefined {
  const a = body as { type?: unknown; conversation?: { id?: unknown }; serviceUrl?: unknown } | undefined;
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return 'The body must be a JSON activity object.';
  if (typeof a.type !== 'string' || !a.type) return 'The activity needs a "type".';
  if (typeof a.conversation?.id !== 'string' || !a.conversation.id) return 'The activity needs a "conversation.id".';
  if (typeof a.serviceUrl !== 'string' || !a.serviceUrl) return 'The activity needs a "serviceUrl".';
  return undefined;
}
