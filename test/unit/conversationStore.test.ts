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
