import { localDay, localParts, zonedTime } from '../../bot/services/time';

test('zonedTime gives the instant of a Paris wall-clock time, summer and winter', () => {
  expect(zonedTime(2026, 7, 1, 9, 30, 'Europe/Paris').toISOString()).toBe('2026-07-01T07:30:00.000Z');
  expect(zonedTime(2026, 12, 1, 9, 30, 'Europe/Paris').toISOString()).toBe('2026-12-01T08:30:00.000Z');
  // the day clocks go forward: 03:30 exists, in summer time
  expect(zonedTime(2026, 3, 29, 3, 30, 'Europe/Paris').toISOString()).toBe('2026-03-29T01:30:00.000Z');
});

test('localParts and localDay read an instant in a time zone', () => {
  const d = new Date('2026-11-22T23:30:00Z');
  expect(localDay(d, 'Europe/Paris')).toBe('2026-11-23');
  expect(localParts(d, 'Europe/Paris')).toMatchObject({ hour: 0, minute: 30, weekday: 1 });
});
