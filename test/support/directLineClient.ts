// Microsoft's botframework-directlinejs client, unchanged, pointed at our server with its
// `domain` option; small helpers to send a message and wait for the bot's replies.
import type { Activity, Message } from 'botframework-directlinejs';

// The client uses XMLHttpRequest, which Node lacks; xhr2 provides it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest ??= require('xhr2');
// It also reads the WebSocket global when it is built, even with webSocket: false (Node 20 has none).
(globalThis as { WebSocket?: unknown }).WebSocket ??= class {
  constructor() {
    throw new Error('these tests use polling, not WebSocket');
  }
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DirectLine } = require('botframework-directlinejs') as typeof import('botframework-directlinejs');

export class DirectLineClient {
  private readonly botMessages: Message[] = [];
  private seen = 0;
  private waiters: (() => void)[] = [];
  private readonly subscription: { unsubscribe(): void };

  private constructor(
    private readonly directLine: InstanceType<typeof DirectLine>,
    readonly userId: string,
  ) {
    this.subscription = directLine.activity$.subscribe((a: Activity) => {
      if (a.type === 'message' && a.from.id !== userId && a.from.role !== 'user') {
        this.botMessages.push(a as Message);
        this.waiters.splice(0).forEach((w) => w());
      }
    });
  }

  /**
   * The documented flow of a page: a token bound to the user, then the client with that token.
   * `locale`: what our page sends with the token request (`/?lang=ar`: "ar-SA").
   */
  static async withToken(baseUrl: string, userId: string, locale?: string): Promise<DirectLineClient> {
    const res = await fetch(`${baseUrl}/v3/directline/tokens/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: { id: userId }, ...(locale && { locale }) }),
    });
    const { token } = (await res.json()) as { token: string };
    return new DirectLineClient(
      new DirectLine({ domain: `${baseUrl}/v3/directline`, token, webSocket: false, pollingInterval: 200 }),
      userId,
    );
  }

  static async withSecret(
    baseUrl: string,
    secret: string,
    userId = 'wc_secret_user_0123456789',
  ): Promise<DirectLineClient> {
    return new DirectLineClient(
      new DirectLine({ domain: `${baseUrl}/v3/directline`, secret, webSocket: false, pollingInterval: 200 }),
      userId,
    );
  }

  /** Waits until `count` bot messages arrived since the last wait; returns them. */
  async waitForBotMessages(count: number, timeoutMs = 10000): Promise<Message[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.botMessages.length - this.seen < count) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `expected ${count} bot message(s), got ${this.botMessages.length - this.seen}: ${this.botMessages
            .slice(this.seen)
            .map((m) => m.text)
            .join(' | ')}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    // Let replies of the same turn that are still on their way arrive too.
    await new Promise((r) => setTimeout(r, 50));
    const out = this.botMessages.slice(this.seen, this.seen + count);
    this.seen += count;
    return out;
  }

  /** Waits for a bot message with exactly this text (those before it are read on the way). */
  async waitForText(text: string, timeoutMs = 10000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [next] = await this.waitForBotMessages(1, Math.max(1, deadline - Date.now()));
      if (next.text === text) return next;
    }
  }

  /** Sends a message and waits for `replies` bot messages. */
  async say(text: string, replies = 1, timeoutMs = 10000): Promise<Message[]> {
    await new Promise<void>((resolve, reject) =>
      this.directLine
        .postActivity({ type: 'message', from: { id: this.userId }, text } as Message)
        .subscribe({ next: () => resolve(), error: reject }),
    );
    return this.waitForBotMessages(replies, timeoutMs);
  }

  /**
   * Sends a message and waits until a bot message containing `expected` arrives; returns every
   * bot message that came meanwhile (onboarding, for one, answers with several).
   */
  async sayUntil(text: string, expected: string, timeoutMs = 10000): Promise<Message[]> {
    await new Promise<void>((resolve, reject) =>
      this.directLine
        .postActivity({ type: 'message', from: { id: this.userId }, text } as Message)
        .subscribe({ next: () => resolve(), error: reject }),
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const fresh = this.botMessages.slice(this.seen);
      const at = fresh.findIndex((m) => m.text?.includes(expected));
      if (at >= 0) {
        this.seen += at + 1;
        return fresh.slice(0, at + 1);
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no bot message with "${expected}" after "${text}"; got: ${fresh.map((m) => m.text).join(' | ')}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  end(): void {
    this.subscription.unsubscribe();
    this.directLine.end();
  }
}
