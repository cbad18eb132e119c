// Pacing of sends, on an injected clock (no real waiting). TokenBucket (the number's throughput):
// it holds 20 ms worth of sends (at least one), refills at `rate` per second, so that no second
// sees more than the rate and a few; take() serves callers in the order they asked. PairPacer (one
// person, generic cell rate): up to `burst` messages at once, then one per interval; a penalty
// after Meta's 131056 holds them.
import { PairPacer, TokenBucket } from '../../bot/channels/whatsapp/rateLimiter';

/** A clock that only moves when the code under test sleeps (or the test says so). */
function fakeTime(start = 1000) {
  const clock = { t: start, sleeps: [] as number[] };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
}

/** How many sends go at once from a full bucket. */
function burstOf(bucket: TokenBucket): number {
  let n = 0;
  while (bucket.tryTake() === 0) n++;
  return n;
}

// ---- TokenBucket ----

test('a full bucket holds 20 ms of sends, at least one', () => {
  for (const [rate, burst] of [
    [5, 1],
    [50, 1],
    [80, 2],
    [250, 5],
    [1000, 20],
  ]) {
    const time = fakeTime();
    expect(burstOf(new TokenBucket(rate, time.now, time.sleep))).toBe(burst);
  }
});

test('an empty bucket asks to wait 1/rate second, and asking does not take', () => {
  const time = fakeTime();
  const bucket = new TokenBucket(5, time.now, time.sleep);
  expect(bucket.tryTake()).toBe(0);
  expect(bucket.tryTake()).toBeCloseTo(200, 6);
  expect(bucket.tryTake()).toBeCloseTo(200, 6);
  time.clock.t += 150;
  expect(bucket.tryTake()).toBeCloseTo(50, 6);
  time.clock.t += 50;
  expect(bucket.tryTake()).toBe(0);
  expect(bucket.tryTake()).toBeCloseTo(200, 6);
});

test('the bucket refills at `rate` per second, and an idle minute saves up no more than it holds', () => {
  const time = fakeTime();
  const bucket = new TokenBucket(250, time.now, time.sleep); // holds 5
  expect(burstOf(bucket)).toBe(5);
  time.clock.t += 8; // 8 ms at 250/s: two tokens
  expect([bucket.tryTake(), bucket.tryTake()]).toEqual([0, 0]);
  expect(bucket.tryTake()).toBeCloseTo(4, 6);
  time.clock.t += 60_000;
  expect(burstOf(bucket)).toBe(5);
});

test('take(): one send every 1/rate second once the bucket is empty', async () => {
  const time = fakeTime(0);
  const bucket = new TokenBucket(10, time.now, time.sleep); // holds 1
  const at: number[] = [];
  await Promise.all(Array.from({ length: 25 }, () => bucket.take().then(() => at.push(time.clock.t))));
  expect(at).toEqual(Array.from({ length: 25 }, (_, i) => i * 100));
});

test('take(): what the bucket holds goes at once, then the rate; no second sees more than rate + burst', async () => {
  const time = fakeTime(0);
  const bucket = new TokenBucket(200, time.now, time.sleep); // holds 4, one every 5 ms
  const at: number[] = [];
  await Promise.all(Array.from({ length: 600 }, () => bucket.take().then(() => at.push(time.clock.t))));
  expect(at.slice(0, 4)).toEqual([0, 0, 0, 0]);
  expect(at.slice(4, 8)).toEqual([5, 10, 15, 20]);
  for (const start of at) expect(at.filter((x) => x >= start && x < start + 1000).length).toBeLessThanOrEqual(200 + 4);
  expect(at[at.length - 1]).toBe((600 - 4) * 5);
});

test('take(): callers are served in the order they asked', async () => {
  const time = fakeTime(0);
  const bucket = new TokenBucket(2, time.now, time.sleep);
  const order: number[] = [];
  const all = Array.from({ length: 8 }, (_, i) => bucket.take().then(() => order.push(i)));
  await Promise.all(all);
  expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(time.clock.t).toBe(3500); // one at once, then 7 at 500 ms each
});

test('take(): a caller that comes later waits behind those already waiting', async () => {
  const time = fakeTime(0);
  const bucket = new TokenBucket(1, time.now, time.sleep);
  const order: string[] = [];
  const first = bucket.take().then(() => order.push('a'));
  const second = bucket.take().then(() => order.push('b'));
  await first;
  const third = bucket.take().then(() => order.push('c'));
  await Promise.all([second, third]);
  expect(order).toEqual(['a', 'b', 'c']);
  expect(time.clock.t).toBe(2000);
});

test('take(): sleeps whole milliseconds, at least 1', async () => {
  const time = fakeTime(0);
  const bucket = new TokenBucket(3, time.now, time.sleep);
  for (let i = 0; i < 5; i++) await bucket.take();
  expect(time.clock.sleeps.length).toBeGreaterThan(0);
  for (const ms of time.clock.sleeps) {
    expect(Number.isInteger(ms)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(1);
  }
  expect(time.clock.sleeps[0]).toBe(334); // 1/3 s, rounded up
});

test('a rate under one per second still lets one send go, then waits its interval', async () => {
  const time = fakeTime(0);
  const bucket = new TokenBucket(0.5, time.now, time.sleep);
  await bucket.take();
  expect(time.clock.t).toBe(0);
  await bucket.take();
  expect(time.clock.t).toBe(2000);
});

test('take() after an idle period does not wait', async () => {
  const time = fakeTime(0);
  const bucket = new TokenBucket(1, time.now, time.sleep);
  await bucket.take();
  time.clock.t += 5000;
  await bucket.take();
  expect(time.clock.sleeps).toEqual([]);
});

// ---- PairPacer ----

/** A pair pacer on a fake clock that starts at 0. */
function pacerOnFakeClock(intervalMs: number, burst: number) {
  const time = fakeTime(0);
  return { time, pacer: new PairPacer(intervalMs, burst, time.now) };
}

/** `n` messages to `who` go at once: each may go now (no delay), and is sent. */
function sentAtOnce(pacer: PairPacer, who: string, n: number) {
  for (let i = 0; i < n; i++) {
    expect(pacer.delay(who)).toBe(0);
    pacer.sent(who);
  }
}

test('a person can get `burst` messages at once, then one per interval', () => {
  const { time, pacer } = pacerOnFakeClock(6000, 6);
  sentAtOnce(pacer, '33600000001', 6);
  expect(pacer.delay('33600000001')).toBe(6000);
  time.clock.t += 4000;
  expect(pacer.delay('33600000001')).toBe(2000);
  time.clock.t += 2000;
  expect(pacer.delay('33600000001')).toBe(0);
  pacer.sent('33600000001');
  expect(pacer.delay('33600000001')).toBe(6000);
});

test('delay() does not reserve: asking twice gives the same answer', () => {
  const { pacer } = pacerOnFakeClock(1000, 1);
  pacer.sent('a');
  expect(pacer.delay('a')).toBe(1000);
  expect(pacer.delay('a')).toBe(1000);
});

test('with a burst of 1 the pacer spaces every message by the interval', () => {
  const { time, pacer } = pacerOnFakeClock(500, 1);
  expect(pacer.delay('a')).toBe(0);
  pacer.sent('a');
  expect(pacer.delay('a')).toBe(500);
  time.clock.t += 500;
  expect(pacer.delay('a')).toBe(0);
});

test('after a quiet while the full burst is available again, not more', () => {
  const { time, pacer } = pacerOnFakeClock(6000, 3);
  for (let i = 0; i < 3; i++) pacer.sent('a');
  time.clock.t += 10 * 60_000;
  sentAtOnce(pacer, 'a', 3);
  expect(pacer.delay('a')).toBe(6000);
});

test('people are paced separately', () => {
  const { pacer } = pacerOnFakeClock(6000, 2);
  pacer.sent('a');
  pacer.sent('a');
  expect(pacer.delay('a')).toBe(6000);
  expect(pacer.delay('b')).toBe(0);
});

test('penalize holds a person for the penalty (default: a whole burst of intervals), then lets one go', () => {
  const { time, pacer } = pacerOnFakeClock(6000, 6);
  pacer.penalize('a');
  expect(pacer.delay('a')).toBe(36000);
  time.clock.t += 36000;
  expect(pacer.delay('a')).toBe(0);
  pacer.sent('a');
  expect(pacer.delay('a')).toBeGreaterThan(0); // the burst is used up by the penalty
  expect(pacer.delay('b')).toBe(0);
});

test('penalize with its own duration; a shorter penalty never shortens a longer wait', () => {
  const { time, pacer } = pacerOnFakeClock(1000, 2);
  pacer.penalize('a', 60_000);
  expect(pacer.delay('a')).toBe(60_000);
  pacer.penalize('a', 5000);
  expect(pacer.delay('a')).toBe(60_000);
  time.clock.t += 30_000;
  expect(pacer.delay('a')).toBe(30_000);
});

test('people whose turn is long past are forgotten once many are tracked', () => {
  const { time, pacer } = pacerOnFakeClock(1000, 1);
  const due = (pacer as unknown as { due: Map<string, number> }).due;
  for (let i = 0; i < 10_000; i++) pacer.sent(`p${i}`);
  expect(due.size).toBe(10_000);
  time.clock.t += 5000;
  pacer.sent('late');
  expect(due.size).toBe(1);
  expect(pacer.delay('p1')).toBe(0);
  expect(pacer.delay('late')).toBe(1000);
});
