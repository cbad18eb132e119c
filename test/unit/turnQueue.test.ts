// The turn queue (bot/turns/turnQueue.ts): a conversation's turns in order, at most N turns at
// once, the others waiting their turn first come first served; a message sent from within a turn
// to someone else takes no place, so it never waits for the place its own turn holds.
import { TurnQueue, TURNS_AT_ONCE, turnsAtOnce } from '../../bot/turns/turnQueue';

/** A task that runs until `finish()`; `started` tells whether it began. */
function gate() {
  let finish!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const g = {
    started: false,
    task: () => {
      g.started = true;
      return done;
    },
    finish: () => finish(),
    fail: (e: Error) => fail(e),
  };
  return g;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('at most maxRunning turns run at once; the next one starts when one ends, in arrival order', async () => {
  const queue = new TurnQueue(2);
  const gates = [gate(), gate(), gate(), gate()];
  const runs = gates.map((g, i) => queue.run(`conversation-${i}`, g.task));
  await settle();
  expect(gates.map((g) => g.started)).toEqual([true, true, false, false]);
  expect(queue.size).toBe(4);
  gates[1].finish();
  await settle();
  expect(gates.map((g) => g.started)).toEqual([true, true, true, false]);
  gates[0].fail(new Error('the turn failed'));
  await expect(runs[0]).rejects.toThrow('the turn failed');
  await settle();
  // a failed turn gives its place back too
  expect(gates[3].started).toBe(true);
  gates[2].finish();
  gates[3].finish();
  await Promise.all(runs.slice(1));
  await queue.idle();
  expect(queue.size).toBe(0);
});

test("a conversation's turns keep their order, also when they waited for a place", async () => {
  const queue = new TurnQueue(1);
  const order: string[] = [];
  const turn = (name: string) => async () => {
    order.push(`${name} begins`);
    await settle();
    order.push(`${name} ends`);
  };
  await Promise.all([
    queue.run('amina', turn('amina 1')),
    queue.run('bashir', turn('bashir 1')),
    queue.run('amina', turn('amina 2')),
    queue.run('amina', turn('amina 3')),
  ]);
  expect(order).toEqual([
    'amina 1 begins',
    'amina 1 ends',
    'bashir 1 begins',
    'bashir 1 ends',
    'amina 2 begins',
    'amina 2 ends',
    'amina 3 begins',
    'amina 3 ends',
  ]);
});

test('a message sent from within a turn takes no place: it runs even when every place is held', async () => {
  const queue = new TurnQueue(1);
  let delivered = false;
  // Amina's turn holds the only place and waits for a message to Bashir (whose own turn waits).
  const bashir = gate();
  const aminaTurn = queue.run('amina', async () => {
    await queue.run(
      'bashir-notification',
      async () => {
        delivered = true;
      },
      { unbounded: true },
    );
  });
  const bashirTurn = queue.run('bashir', bashir.task);
  await aminaTurn;
  expect(delivered).toBe(true);
  await settle();
  expect(bashir.started).toBe(true);
  bashir.finish();
  await bashirTurn;
});

test('a message from within a turn waits for the turns its conversation has running', async () => {
  const queue = new TurnQueue(2);
  const order: string[] = [];
  const bashir = gate();
  const bashirTurn = queue.run('bashir', async () => {
    await bashir.task();
    order.push('bashir turn');
  });
  const aminaTurn = queue.run('amina', () =>
    queue.run('bashir', async () => void order.push('notification to bashir'), { unbounded: true }),
  );
  await settle();
  expect(order).toEqual([]);
  bashir.finish();
  await Promise.all([bashirTurn, aminaTurn]);
  expect(order).toEqual(['bashir turn', 'notification to bashir']);
});

test('idle() waits for the turns still waiting for a place; the default bound is TURNS_AT_ONCE', async () => {
  const queue = new TurnQueue();
  let ran = 0;
  const gates = Array.from({ length: TURNS_AT_ONCE + 3 }, () => gate());
  gates.forEach((g, i) => void queue.run(`c${i}`, () => g.task().then(() => void ran++)));
  await settle();
  expect(gates.filter((g) => g.started)).toHaveLength(TURNS_AT_ONCE);
  let idle = false;
  void queue.idle().then(() => (idle = true));
  gates.forEach((g) => g.finish());
  await settle();
  await settle();
  expect(idle).toBe(true);
  expect(ran).toBe(TURNS_AT_ONCE + 3);
  expect(() => new TurnQueue(0)).toThrow(RangeError);
});

test('on PostgreSQL there is no bound: every conversation runs its turn at once', async () => {
  expect(turnsAtOnce('sqlite')).toBe(TURNS_AT_ONCE);
  const queue = new TurnQueue(turnsAtOnce('postgresql'));
  const gates = Array.from({ length: 200 }, () => gate());
  const runs = gates.map((g, i) => queue.run(`c${i}`, g.task));
  await settle();
  expect(gates.every((g) => g.started)).toBe(true);
  gates.forEach((g) => g.finish());
  await Promise.all(runs);
});
