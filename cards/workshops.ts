// How a workshop reads in a list ("1. Papiers et démarches – mardi 3 mars, 9 h 30 – Passerelle,
// 3 rue des Écoles, Blois – 5 places libres"). In a right-to-left language, where such a line of
// mixed scripts reorders itself, it is four lines: the title, the day and time, the place, the
// seats left (or the booking's status), each Latin part isolated (see isolateLatin).
import { translator } from '../bot/i18n/translator';
import { language, type LanguageCode } from '../bot/i18n/languages';
import type { SessionView } from '../bot/services/workshops';
import { formatDay, formatTimeRange, isolateLatin, titleOf } from './format';
import { say } from './messages';

export interface WorkshopEntry {
  title: string;
  /** day and time, "mardi 3 mars, 9 h 30" */
  when: string;
  place: string;
  /** seats left, "full: waiting list", or the booking's status */
  tail: string;
}

/** A session of the list (key workshops.list.option) or a booking of "my workshops" (workshops.mine.option). */
export function workshopEntry(locale: LanguageCode, kind: 'list' | 'mine', e: WorkshopEntry): string {
  if (language(locale).rtl)
    return [e.title, e.when, e.place, e.tail].map((line) => isolateLatin(line, locale)).join('\n');
  const t = translator(locale);
  return kind === 'list'
    ? t('workshops.list.option', { title: e.title, when: e.when, place: e.place, seats: e.tail })
    : t('workshops.mine.option', { title: e.title, when: e.when, place: e.place, status: e.tail });
}

/** "Done, your seat is booked", with the workshop, its day, time and place. */
export function bookedMessage(locale: LanguageCode, timeZone: string, s: SessionView) {
  const t = translator(locale);
  const lines = [
    t('workshops.booked.done'),
    t('workshops.booked.title', { title: titleOf(t, s) }),
    t('workshops.booked.day', { day: formatDay(s.startsAt, locale, timeZone) }),
    t('workshops.booked.time', { time: formatTimeRange(s.startsAt, s.endsAt, locale, timeZone) }),
    t('workshops.booked.place', { place: s.place }),
  ];
  return say(locale, ...lines.map((line) => isolateLatin(line, locale)));
}

export function waitlistedMessage(locale: LanguageCode, position: number) {
  const t = translator(locale);
  return say(
    locale,
    t('workshops.waitlisted.done'),
    t('workshops.waitlisted.position', { position }),
    t('workshops.waitlisted.promise'),
  );
}

/** "Careful: you work at that time", with the shift. */
export function overlapMessage(
  locale: LanguageCode,
  timeZone: string,
  shift: { structure: string; startsAt: Date; endsAt: Date },
) {
  const t = translator(locale);
  return say(
    locale,
    t('workshops.overlap.warning'),
    t('workshops.overlap.shift', {
      structure: shift.structure,
      day: formatDay(shift.startsAt, locale, timeZone),
      time: formatTimeRange(shift.startsAt, shift.endsAt, locale, timeZone),
    }),
  );
}
