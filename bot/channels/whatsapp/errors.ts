// What to do when Meta refuses a send, from its error code (and the HTTP status when there is no
// code). Codes from Meta's Cloud API error reference:
//   retry      throttling and passing faults: 4 (app calls), 80007 (account rate), 130429
//              (number throughput), 131048 (spam rate limit: too many of the number's messages
//              were blocked or reported lately; it lifts with time), 131056 (too many to one
//              person), 131000 (something went wrong), 1, 2, 133004 (service unavailable);
//              HTTP 429, 5xx, no answer (timeout)
//   reengage   131047: more than 24 hours since the person last wrote; send the template instead
//   permanent  100 (bad parameter), 131026 (not deliverable: no WhatsApp, old app...), 131049
//              (Meta holds marketing back for this person), 131050 (they stopped marketing
//              messages), 132000-132001 (template parameters, template missing), 368 (blocked
//              for policy), and any other 4xx
//   stop       190: the access token is invalid or expired; nothing can be sent until an operator
//              sets a good one, so the channel stops sending (messages wait in the outbox)
export type ErrorClass = 'retry' | 'reengage' | 'permanent' | 'stop';

export const SPAM_RATE_CODE = 131048;
const RETRY = new Set([1, 2, 4, 80007, 130429, 131000, SPAM_RATE_CODE, 131056, 133004]);
const PERMANENT = new Set([100, 131026, 131049, 131050, 132000, 132001, 368]);
export const REENGAGE_CODE = 131047;
export const TOKEN_CODE = 190;
export const PAIR_RATE_CODE = 131056;

export function classify(status: number | undefined, code: number | undefined): ErrorClass {
  if (code === REENGAGE_CODE) return 'reengage';
  if (code === TOKEN_CODE) return 'stop';
  if (code !== undefined && RETRY.has(code)) return 'retry';
  if (code !== undefined && PERMANENT.has(code)) return 'permanent';
  if (status === undefined || status === 429 || status >= 500) return 'retry';
  if (status === 401) return 'stop';
  return 'permanent';
}

/**
 * When to try again after `attempt` tries (1, 2...): exponential from 2 s, at most 15 minutes,
 * with full jitter so that many messages throttled together do not come back together.
 */
export function backoffMs(
  attempt: number,
  random: () => number = Math.random,
  baseMs = 2000,
  capMs = 15 * 60_000,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Tries before a message that keeps failing for passing reasons is given up (35 to 45 minutes). */
export const MAX_ATTEMPTS = 12;
