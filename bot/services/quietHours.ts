// Quiet hours (QUIET_HOURS, default 21:00-08:00, in APP_TIMEZONE): nothing proactive reaches
// people then. A message due in the quiet hours waits in the outbox until they end. Replies to a
// person who writes at night are not proactive: they go at once.
import { addLocalDays, localParts, zonedTime } from './time';

export interface QuietHours {
  /** minutes after midnight when they start, and end (the end may be the next morning) */
  from: number;
  to: number;
  timeZone: string;
}

/** "21:00-08:00" -> minutes; undefined when it is not two HH:MM times (or "off"). */
export function parseQuietHours(text: string): { from: number; to: number } | 'off' | undefined {
  if (text.trim().toLowerCase() === 'off') return 'off';
  const m = /^([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!m) return undefined;
  const from = Number(m[1]) * 60 + Number(m[2]);
  const to = Number(m[3]) * 60 + Number(m[4]);
  return from === to ? undefined : { from, to };
}

function minutesOf(date: Date, timeZone: string): number {
  const p = localParts(date, timeZone);
  return p.hour * 60 + p.minute;
}

export function isQuiet(date: Date, quiet: QuietHours | undefined): boolean {
  if (!quiet) return false;
  const m = minutesOf(date, quiet.timeZone);
  return quiet.from < quiet.to ? m >= quiet.from && m < quiet.to : m >= quiet.from || m < quiet.to;
}

/** The first moment at or after `date` outside the quiet hours. */
export function nextAllowed(date: Date, quiet: QuietHours | undefined): Date {
  if (!isQuiet(date, quiet)) return date;
  const { timeZone, to } = quiet!;
  // The end of this quiet period: today at `to` if that is still ahead, else tomorrow.
  const today = addLocalDays(date, 0, timeZone);
  const end = zonedTime(today.year, today.month, today.day, Math.floor(to / 60), to % 60, timeZone);
  if (end > date) return end;
  const tomorrow = addLocalDays(date, 1, timeZone);
  return zonedTime(tomorrow.year, tomorrow.month, tomorrow.day, Math.floor(to / 60), to % 60, timeZone);
}
