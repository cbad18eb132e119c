import type { Activity } from 'botbuilder';
import { ConversationStore } from '../../bot/channels/webchat/conversations';

let now = 1_000_000;
const store = () => new ConversationStore({ tokenTtlSeconds: 60, idleSeconds: 600, maxActivities: 3, now: () => now });
const activity = (text: string) => ({ type: 'message', text }) as Activity;

test('tokens are random, scoped to one conversation, and expire', () => {
  const s = store();
  const a = s.create();
  const b = s.create();
  expect(a.token).not.toBe(b.token);
  expect(a.token.length).toBeGreaterThanOrEqual(40);
  expect(s.conversationOfToken(a.token)).toBe(a.conversation);
  expect(s.conversationOfToken(b.token)).toBe(b.conversation);
  now += 61_000;
  expect(s.conversationOfToken(a.token)).toBeUndefined();
});

test('activities are read by watermark; old ones beyond the limit drop but watermarks stay right', () => {
  const s = store();
  const { conversation } = s.create();
  for (const t of ['a', 'b', 'c', 'd', 'e']) s.append(conversation, activity(t));
  expect(s.since(conversation).activities.map((a) => a.text)).toEqual(['c', 'd', 'e']);
  expect(s.since(conversation, '3').activities.map((a) => a.text)).toEqual(['d', 'e']);
  expect(s.since(conversation, '5')).toEqual({ activities: [], watermark: '5' });
  expect(conversation.activities[0].id).toBe(`${conversation.id}|0000003`);
});

test('a waiting reader wakes when an activity arrives, or at its timeout', async () => {
  const s = store();
  const { conversation } = s.create();
  const waiting = s.waitForActivity(conversation, '0', 5000);
  setTimeout(() => s.append(conversation, activity('hi')), 10);
  await waiting;
  expect(s.since(conversation, '0').activities).toHaveLength(1);
  const started = Date.now();
  await s.waitForActivity(conversation, '1', 50);
  expect(Date.now() - started).toBeGreaterThanOrEqual(45);
});

test('idle conversations and their tokens are forgotten by sweep()', () => {
  const s = store();
  const { conversation, token } = s.create();
  now += 601_000;
  expect(s.sweep()).toBe(1);
  expect(s.get(conversation.id)).toBeUndefined();
  expect(s.conversationOfToken(token)).toBeUndefined();
});

describe('memory bounds', () => {
  const big = (text: string, kb: number) => ({ type: 'message', text: text + 'x'.repeat(kb * 1024) }) as Activity;
  const sized = (extra: Partial<ConstructorParameters<typeof ConversationStore>[0]> = {}) =>
    new ConversationStore({
      tokenTtlSeconds: 60,
      idleSeconds: 600,
      maxConversationBytes: 64 * 1024,
      maxTotalBytes: 256 * 1024,
      now: () => now,
      ...extra,
    });

  test('a conversation keeps its newest activities within its byte cap; watermarks stay right', () => {
    const s = sized();
    const { conversation } = s.create();
    for (let i = 0; i < 20; i++) s.append(conversation, big(`m${i} `, 10));
    const kept = s.since(conversation).activities.map((a) => a.text!.split(' ')[0]);
    expect(conversation.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(kept.length).toBeGreaterThanOrEqual(5);
    expect(kept[kept.length - 1]).toBe('m19');
    expect(kept).not.toContain('m0');
    expect(s.since(conversation).watermark).toBe('20');
    expect(s.since(conversation, '19').activities.map((a) => a.text!.split(' ')[0])).toEqual(['m19']);
    expect(s.bytes).toBe(conversation.bytes);
  });

  test('past the total, the conversations idle the longest lose their activities first', () => {
    const s = sized();
    const convs = Array.from({ length: 8 }, () => s.create().conversation);
    for (const c of convs) for (let i = 0; i < 4; i++) s.append(c, big('', 12)); // ~49 KB each, ~390 KB in all
    expect(s.bytes).toBeLessThanOrEqual(256 * 1024);
    expect(convs[0].activities).toHaveLength(0);
    expect(convs[7].activities).toHaveLength(4);
    // The oldest one speaks again: it is the newest now, another one makes room.
    s.append(convs[0], big('again ', 1));
    expect(convs[0].activities).toHaveLength(1);
    expect(s.bytes).toBeLessThanOrEqual(256 * 1024);
    expect(s.bytes).toBe(convs.reduce((sum, c) => sum + c.bytes, 0));
  });

  test('at the conversation cap, one nobody reads makes room; when all are read, a new visitor is refused', () => {
    const s = sized({ maxConversations: 3 });
    const [a, b, c] = [s.create(), s.create(), s.create()];
    s.polled(b.conversation);
    s.polled(c.conversation);
    const d = s.create(); // a was never read: it goes
    expect(s.get(a.conversation.id)).toBeUndefined();
    expect(s.conversationOfToken(a.token)).toBeUndefined();
    s.polled(d.conversation);
    expect(() => s.create()).toThrow('');
    now += 31_000; // nobody has read them for 30 s
    expect(() => s.create()).not.toThrow();
  });

  test('a refreshed token replaces the old one, which stops working', () => {
    const s = sized();
    const { conversation, token } = s.create();
    const fresh = s.refreshToken(conversation, token);
    expect(s.conversationOfToken(fresh)).toBe(conversation);
    expect(s.conversationOfToken(token)).toBeUndefined();
    expect([...conversation.tokens]).toEqual([fresh]);
  });

  test('forget() drops the conversation, its tokens and bytes, and wakes its readers', async () => {
    const s = sized();
    const { conversation, token } = s.create();
    s.append(conversation, big('', 2));
    const waiting = s.waitForActivity(conversation, '1', 10_000);
    s.forget(conversation);
    await waiting;
    expect(s.get(conversation.id)).toBeUndefined();
    expect(s.conversationOfToken(token)).toBeUndefined();
    expect(s.bytes).toBe(0);
    expect(conversation.waiters.size).toBe(0);
  });
});
