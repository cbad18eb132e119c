import { TokenBuckets } from '../../bot/http/tokenBuckets';

test('a key gets its burst, then one request per refill interval, with the seconds to wait', () => {
  let now = 0;
  const b = new TokenBuckets({ burst: 3, perMinute: 6, now: () => now }); // one every 10 s
  expect([b.take('a'), b.take('a'), b.take('a')]).toEqual([0, 0, 0]);
  expect(b.take('a')).toBe(10);
  expect(b.take('b')).toBe(0); // another client is not concerned
  now += 4_000;
  expect(b.take('a')).toBe(6);
  now += 6_000;
  expect(b.take('a')).toBe(0);
  expect(b.take('a')).toBe(10);
});

test('memory stays bounded: full buckets are forgotten, and at most maxKeys are kept', () => {
  let now = 0;
  const b = new TokenBuckets({ burst: 2, perMinute: 60, maxKeys: 100, now: () => now });
  for (let i = 0; i < 1000; i++) b.take(`k${i}`);
  expect(b.size).toBeLessThanOrEqual(101);
  now += 10_000; // everyone's bucket is full again
  b.take('late');
  for (let i = 0; i < 100; i++) b.take(`again${i}`);
  expect(b.size).toBeLessThanOrEqual(101);
  // a recent, emptied bucket is still remembered
  b.take('hot');
  b.take('hot');
  expect(b.take('hot')).toBeGreaterThan(0);
});
