// Refusals of an address that keeps sending are held; others are answered at once (slowRefusals.ts).
import { SlowRefusals } from '../../bot/http/slowRefusals';

test('an address is held only past `after` refusals in a row, and its count starts again when let in', () => {
  const r = new SlowRefusals({ after: 3, holdMs: 200 });
  const held = (ms: number) => (ms === 0 ? 0 : ms >= 100 && ms <= 300 ? 'held' : ms); // 200 ms, give or take half
  expect([1, 2, 3, 4, 5].map(() => held(r.refused('a')))).toEqual([0, 0, 0, 'held', 'held']);
  expect(r.refused('b')).toBe(0); // another address has its own count
  r.allowed('a'); // a browser that waited its Retry-After
  expect([1, 2, 3, 4].map(() => held(r.refused('a')))).toEqual([0, 0, 0, 'held']);
});

test('at most `maxHeld` refusals are held at once; each is answered after its hold', async () => {
  const r = new SlowRefusals({ after: 0, holdMs: 40, maxHeld: 2 });
  const answered: number[] = [];
  const started = Date.now();
  const done = [1, 2, 3].map(
    (n) =>
      new Promise<void>((resolve) => {
        const hold = r.refused('a');
        const answer = () => {
          answered.push(n);
          resolve();
        };
        if (hold) r.hold(hold, answer);
        else answer();
      }),
  );
  expect(r.held).toBe(2);
  expect(answered).toEqual([3]); // past the cap: at once
  await Promise.all(done);
  expect(answered.slice(0, 1)).toEqual([3]);
  expect(answered.sort()).toEqual([1, 2, 3]);
  expect(Date.now() - started).toBeGreaterThanOrEqual(15); // 40 ms, give or take half
  expect(r.held).toBe(0);
});

test('the addresses remembered are capped: the least recently refused are forgotten', () => {
  const r = new SlowRefusals({ after: 1, holdMs: 10, maxKeys: 2 });
  r.refused('a');
  r.refused('b');
  r.refused('c'); // "a" is forgotten
  expect(r.refused('a')).toBe(0);
  expect(r.refused('c')).toBeGreaterThan(0);
});
