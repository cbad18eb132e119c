// The length of what people send, bounded once for every channel (web chat, WhatsApp,
// /api/messages): a turn reads at most MAX_TEXT characters of a message, and its record keeps no
// more. Where a free answer is expected (a problem, a message to the CIP), the prompt takes the
// whole text back with `wholeText`, up to MAX_FREE_TEXT, and the record keeps it whole.
// (An answer to a question with options is much shorter still: see MAX_ANSWER_CHARS.)
import type { Middleware, TurnContext } from 'botbuilder-core';

/** What a turn reads of a message: WhatsApp's own limit for a text. */
export const MAX_TEXT = 4096;
/**
 * A free answer, kept whole up to this (a letter pasted for the CIP fits): what the WhatsApp
 * webhook keeps of a text (WhatsApp lets people send 65,536). A channel may take less (the web
 * chat refuses longer posts with a 400).
 */
export const MAX_FREE_TEXT = 10_000;

const WHOLE = Symbol('passerelle.wholeText');

/** The first `max` characters, without cutting an emoji (a surrogate pair) in half. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut;
}

export class InboundTextMiddleware implements Middleware {
  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const { activity } = context;
    if (typeof activity.text === 'string' && activity.text.length > MAX_TEXT) {
      context.turnState.set(WHOLE, cutText(activity.text, MAX_FREE_TEXT));
      activity.text = cutText(activity.text, MAX_TEXT);
    }
    await next();
  }
}

/**
 * A free answer: the message's whole text (up to MAX_FREE_TEXT), which the record keeps too (the
 * activity gets it back).
 */
export function wholeText(context: TurnContext): string {
  const whole = context.turnState.get(WHOLE) as string | undefined;
  if (whole !== undefined) context.activity.text = whole;
  return context.activity.text ?? '';
}
