// POST /api/messages: the Bot Framework protocol, for Azure Bot Service (Teams, the Emulator,
// Direct Line in Azure...). CloudAdapter authenticates requests with the standard MicrosoftApp*
// settings, and only the channel ids Azure Bot Service sends are accepted (an activity "from
// WhatsApp" would otherwise speak for a WhatsApp person: people's state is keyed by channel).
// Without MicrosoftAppId the SDK checks nothing, so the route is off (403), unless
// BOTFRAMEWORK_EMULATOR=on, for the Bot Framework Emulator on a developer's machine: then it
// answers loopback clients (behind TRUST_PROXY, the real client's address counts) on the
// "emulator" channel only.
// (botbuilder itself, with its HTTP client and Azure authentication, about 10 MB, is loaded only
// when the route is on: most installations use the web chat and WhatsApp alone.)
import type { CloudAdapter } from 'botbuilder';
import { Channels, type ConversationReference } from 'botbuilder-core';
import restify, { type Request, type Response, type Server } from 'restify';
import type { BotCore } from '../../turns/botCore';
import type { Config } from '../../runtime/config';
import type { ProactiveChannel } from '../notifier';
import { clientAddress, NO_PROXY, type TrustedProxies } from '../../http/clientAddress';
import { sendError } from '../../http/errorResponse';

const LOOPBACK = new Set(['127.0.0.1', '::1']);
const MAX_BODY_BYTES = 256 * 1024;

/** What Azure Bot Service sends: the SDK's channel list, less its local and retired ones. */
export const AZURE_CHANNELS: ReadonlySet<string> = new Set(
  Object.values(Channels as Record<string, string>).filter(
    (c) => !['console', 'test', 'kik', 'skypeforbusiness', 'twilio-sms'].includes(c),
  ),
);

/** azure: MicrosoftAppId set; emulator: none, BOTFRAMEWORK_EMULATOR=on; off: none */
export type BotFrameworkMode = 'azure' | 'emulator' | 'off';

export interface BotFrameworkOptions {
  /** BOTFRAMEWORK_EMULATOR */
  emulator?: boolean;
  /** TRUST_PROXY */
  trustProxy?: TrustedProxies;
}

export class BotFrameworkChannel {
  /** The route's mode, and the SDK's adapter when the route is on. */
  static async create(
    app: Config['microsoftApp'],
    core: BotCore,
    options: BotFrameworkOptions = {},
  ): Promise<BotFrameworkChannel> {
    const mode: BotFrameworkMode = app.appId ? 'azure' : options.emulator ? 'emulator' : 'off';
    if (mode === 'off') return new BotFrameworkChannel(mode, app, core, options);
    const { CloudAdapter, ConfigurationBotFrameworkAuthentication } = await import('botbuilder');
    const auth = new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: app.appId,
      MicrosoftAppPassword: app.appPassword,
      MicrosoftAppType: app.appType,
      MicrosoftAppTenantId: app.tenantId,
    });
    const channel = new BotFrameworkChannel(mode, app, core, options, new CloudAdapter(auth));
    core.installPipeline(channel.adapter!);
    core.notifier.registerBotFramework(channel.proactive(channel.adapter!));
    return channel;
  }

  private constructor(
    readonly mode: BotFrameworkMode,
    private readonly app: Config['microsoftApp'],
    private readonly core: BotCore,
    private readonly options: BotFrameworkOptions,
    /** undefined when the route is off */
    readonly adapter?: CloudAdapter,
  ) {}

  /**
   * Proactive messages to conversations of Azure Bot Service channels: a turn continued on the
   * stored reference (continueConversationAsync), so any instance can send them. The person's
   * turns and these run in order, one conversation at a time.
   */
  private proactive(adapter: CloudAdapter): ProactiveChannel {
    return {
      send: async (target, activities, _id, personIsHere) => {
        const reference = target.reference as ConversationReference;
        if (!reference.serviceUrl || !reference.conversation?.id) return false;
        const send = () =>
          adapter.continueConversationAsync(this.app.appId ?? '', reference, async (context) => {
            await context.sendActivities(activities);
          });
        // In the person's own turn already: queueing behind it would wait for ourselves. Sent from
        // another person's turn, which holds a place of the queue already: this takes none.
        await (personIsHere ? send() : this.core.turns.run(target.conversationId, send, { unbounded: true }));
        return true;
      },
    };
  }

  register(server: Server): void {
    const body = restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, mapFiles: false });
    // Who may call at all, before the body is read.
    const gate = (req: Request, res: Response, next: restify.Next) => {
      const refusal = this.refusal(req);
      if (!refusal) return next();
      sendError(res, 403, 'Forbidden', refusal);
      return next(false);
    };
    server.post('/api/messages', gate, body, async (req: Request, res: Response) => {
      const problem = bodyProblem(req.body);
      if (problem) return sendError(res, 400, 'BadArgument', problem);
      const channelId = (req.body as { channelId?: unknown }).channelId;
      const allowed = this.mode === 'azure' ? AZURE_CHANNELS.has(channelId as string) : channelId === 'emulator';
      if (!allowed) {
        return sendError(
          res,
          403,
          'Forbidden',
          this.mode === 'azure'
            ? 'This channel is not one of Azure Bot Service.'
            : 'Without MicrosoftAppId only the "emulator" channel is accepted.',
        );
      }
      const conversationId = (req.body as { conversation: { id: string } }).conversation.id;
      // One conversation's turns run in order.
      await this.core.turns.run(conversationId, () =>
        this.adapter!.process(req, res, (context) => this.core.bot.run(context)),
      );
    });
  }

  /** Why a request may not use the route at all, or undefined. */
  private refusal(req: Request): string | undefined {
    if (this.mode === 'azure') return undefined; // CloudAdapter checks the caller's token
    if (this.mode === 'off')
      return (
        '/api/messages is off: set MicrosoftAppId (Azure Bot Service), ' +
        'or BOTFRAMEWORK_EMULATOR=on for the Bot Framework Emulator on this machine.'
      );
    const address = clientAddress(req, this.options.trustProxy ?? NO_PROXY);
    return LOOPBACK.has(address) ? undefined : 'Set MicrosoftAppId to accept Bot Framework requests from other hosts.';
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
