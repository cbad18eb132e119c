// How a workshop reads in a list ("1. Papiers et démarches – mardi 3 mars, 9 h 30 – Passerelle,
// 3 rue des Écoles, Blois – 5 places libres"). In a right-to-left language, where such a line of
// mixed scripts reorders itself, it is four lines: the title, the day and time, the place, the
// seats left (or the booking's status), each Latin part isolated (see isolateLatin).
import { translator } from '../bot/i18n';
import { language, type LanguageCode } from '../bot/languages';
import { isolateLatin } from './format';

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
  if (language(locale).rtl) return [e.title, e.when, e.place, e.tail].map((line) => isolateLatin(line, locale)).join('\n');
  const t = translator(locale);
  return kind === 'list'
    ? t('workshops.list.option', { title: e.title, when: e.when, place: e.place, seats: e.tail })
    : t('workshops.mine.option', { title: e.title, when: e.when, place: e.place, status: e.tail });
}
