// What to do when Meta refuses a send, from its error code and HTTP status (Meta's Cloud API error
// reference): retry throttling and passing faults, re-engage with a template after 131047, give up
// on permanent refusals, stop sending on a bad token (190). backoffMs: exponential from 2 s, capped
// at 15 minutes, with a jitter that keeps it between half the ceiling and the ceiling.
import {
  backoffMs,
  classify,
  MAX_ATTEMPTS,
  PAIR_RATE_CODE,
  REENGAGE_CODE,
  TOKEN_CODE,
} from '../../bot/channels/whatsapp/errors';

// Meta's codes by what to do: try again later, or give up.
test.each([
  [400, 4, 'app call limit', 'retry'],
  [400, 80007, 'account rate limit', 'retry'],
  [429, 130429, 'number throughput', 'retry'],
  [400, 131048, 'spam rate limit (it lifts with time)', 'retry'],
  [400, 131056, 'pair rate (too many to one person)', 'retry'],
  [500, 131000, 'something went wrong', 'retry'],
  [500, 1, 'unknown error', 'retry'],
  [503, 2, 'service temporarily unavailable', 'retry'],
  [503, 133004, 'server temporarily unavailable', 'retry'],
  [400, 100, 'invalid parameter', 'permanent'],
  [400, 131026, 'message undeliverable', 'permanent'],
  [400, 131049, 'held back for this person', 'permanent'],
  [400, 131050, 'stopped marketing messages', 'permanent'],
  [400, 132000, 'template parameter count', 'permanent'],
  [404, 132001, 'template does not exist', 'permanent'],
  [403, 368, 'blocked for policy', 'permanent'],
])('HTTP %i with code %i (%s): %s', (status, code, _, verdict) => {
  expect(classify(status, code)).toBe(verdict);
});

test('a passing code is retried whatever the HTTP status says', () => {
  for (const status of [200, 400, 403, 404, undefined]) expect(classify(status, 130429)).toBe('retry');
});

test.each([
  ['a timeout (no answer)', undefined, undefined],
  ['429 without a code', 429, undefined],
  ['500 without a code', 500, undefined],
  ['502', 502, undefined],
  ['503', 503, undefined],
  ['504', 504, undefined],
  ['599', 599, undefined],
  ['500 with an unknown code', 500, 999999],
  ['no answer with an unknown code', undefined, 12345],
])('%s: retry', (_, status, code) => {
  expect(classify(status, code)).toBe('retry');
});

test('131047 (more than 24 hours since the person wrote): re-engage with a template', () => {
  expect(REENGAGE_CODE).toBe(131047);
  expect(classify(400, 131047)).toBe('reengage');
  expect(classify(undefined, 131047)).toBe('reengage');
  expect(classify(500, 131047)).toBe('reengage');
});

test('a permanent code is permanent even with a 5xx status', () => {
  expect(classify(500, 131026)).toBe('permanent');
  expect(classify(undefined, 100)).toBe('permanent');
});

test.each([
  ['400 without a code', 400, undefined],
  ['403 without a code', 403, undefined],
  ['404 without a code', 404, undefined],
  ['413 without a code', 413, undefined],
  ['400 with an unknown code', 400, 131009],
])('any other 4xx (%s): permanent', (_, status, code) => {
  expect(classify(status, code)).toBe('permanent');
});

test('190 (invalid or expired token): stop sending, whatever the status', () => {
  expect(TOKEN_CODE).toBe(190);
  expect(classify(401, 190)).toBe('stop');
  expect(classify(400, 190)).toBe('stop');
  expect(classify(undefined, 190)).toBe('stop');
  expect(classify(401, undefined)).toBe('stop');
});

test('the pair rate code is the one the pacer is told about', () => {
  expect(PAIR_RATE_CODE).toBe(131056);
  expect(classify(400, PAIR_RATE_CODE)).toBe('retry');
});

// ---- backoff ----

const ceiling = (attempt: number) => Math.min(15 * 60_000, 2000 * 2 ** Math.max(0, attempt - 1));

test('backoff doubles from 2 s at each attempt (at the top of the jitter)', () => {
  const top = () => 1 - Number.EPSILON;
  expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, top))).toEqual([2000, 4000, 8000, 16000, 32000, 64000]);
});

test('backoff is capped at 15 minutes', () => {
  const top = () => 1 - Number.EPSILON;
  expect(backoffMs(10, top)).toBe(15 * 60_000);
  expect(backoffMs(MAX_ATTEMPTS, top)).toBe(15 * 60_000);
  expect(backoffMs(1000, top)).toBe(15 * 60_000);
  expect(backoffMs(1000, () => 0)).toBe(7.5 * 60_000);
});

test('backoff jitter stays within [ceiling/2, ceiling] and uses the whole range', () => {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const c = ceiling(attempt);
    expect(backoffMs(attempt, () => 0)).toBe(c / 2);
    expect(backoffMs(attempt, () => 0.5)).toBe(Math.round(c * 0.75));
    expect(backoffMs(attempt, () => 0.999999)).toBeLessThanOrEqual(c);
  }
  // With Math.random: never outside the range, and not always the same.
  const seen = new Set<number>();
  for (let i = 0; i < 500; i++) {
    const ms = backoffMs(3);
    expect(ms).toBeGreaterThanOrEqual(4000);
    expect(ms).toBeLessThanOrEqual(8000);
    seen.add(ms);
  }
  expect(seen.size).toBeGreaterThan(50);
});

test('backoff of attempt 0 or less is the first one; base and cap can be given', () => {
  expect(backoffMs(0, () => 0)).toBe(1000);
  expect(backoffMs(-3, () => 0)).toBe(1000);
  expect(backoffMs(4, () => 0, 100, 500)).toBe(250); // 100 * 8 = 800, capped at 500
  expect(backoffMs(2, () => 0, 100, 500)).toBe(100);
});
