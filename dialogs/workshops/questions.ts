// The questions of the workshop dialogs, and how sessions and bookings read in a list:
// "Papiers et démarches – mardi 3 mars, 9 h 30 – Passerelle, 3 rue des Écoles, Blois – 5 places libres"
// (four lines in a right-to-left language: cards/workshops.ts).
import { translator, wordList } from '../../bot/i18n/translator';
import type { LanguageCode } from '../../bot/i18n/languages';
import type { BookingView, SessionView } from '../../bot/services/workshops';
import { formatDateTime, titleOf } from '../../cards/format';
import { workshopEntry } from '../../cards/workshops';
import type { ChoiceOption, Question } from '../../cards/questions';
import type { ParseKeys } from 'i18next';

/** The value of the "more" option of a paged list. */
export const MORE = 'more';

/** A page of a list: the ids shown (at most 5 when there is more, else 6), and whether there is more. */
export interface PageArgs {
  ids: number[];
  more: boolean;
}

/** The longest page: at most 6 options, "more" included. */
export function pageOf<T>(items: T[], skip: number): { items: T[]; more: boolean; next: number } {
  const rest = items.slice(skip);
  if (rest.length <= 6) return { items: rest, more: false, next: skip };
  return { items: rest.slice(0, 5), more: true, next: skip + 5 };
}

export function sessionLabel(locale: LanguageCode, timeZone: string, s: SessionView): string {
  const t = translator(locale);
  return workshopEntry(locale, 'list', {
    title: titleOf(t, s),
    when: formatDateTime(s.startsAt, locale, timeZone),
    place: s.place,
    tail: s.seatsLeft > 0 ? t('workshops.list.seats', { count: s.seatsLeft }) : t('workshops.list.waitingList'),
  });
}

export function bookingLabel(locale: LanguageCode, timeZone: string, b: BookingView): string {
  const t = translator(locale);
  return workshopEntry(locale, 'mine', {
    title: titleOf(t, b.session),
    when: formatDateTime(b.session.startsAt, locale, timeZone),
    place: b.session.place,
    tail: t(`workshops.mine.${b.status}`),
  });
}

/** How an item of a page reads: its label, and its title (which alone selects it too, when unique on the page). */
type Shown<T> = (item: T) => { label: string; title: string };

/** The options of a page: one per id (a vanished item keeps its number), then "more". */
export function pageOptions<T>(
  locale: LanguageCode,
  args: PageArgs,
  items: Map<number, T>,
  shown: Shown<T>,
): ChoiceOption[] {
  const t = translator(locale);
  const views = args.ids.map((id) => (items.has(id) ? shown(items.get(id)!) : undefined));
  const titles = views.map((v) => v?.title ?? '');
  const options: ChoiceOption[] = args.ids.map((id, i) => {
    // The title alone selects an item too, when no other item of the page has it.
    const unique = titles[i] && titles.indexOf(titles[i]) === titles.lastIndexOf(titles[i]);
    return {
      value: String(id),
      label: views[i]?.label ?? t('workshops.list.gone'),
      ...(unique && { synonyms: [titles[i]] }),
    };
  });
  if (args.more) {
    const synonyms = [...new Set([locale, 'fr', 'en'] as LanguageCode[])].flatMap((l) =>
      wordList(l, 'workshops.list.moreWords'),
    );
    options.push({ value: MORE, label: t('workshops.list.more'), synonyms });
  }
  return options;
}

/**
 * A page of sessions or bookings as a question: the page's options (see pageOptions: each item's
 * label, and its title as a synonym), the hint, "back to the menu".
 */
export function pageQuestion<T>(
  locale: LanguageCode,
  text: { question: ParseKeys; hint: ParseKeys },
  args: PageArgs,
  items: Map<number, T>,
  shown: Shown<T>,
): Question {
  const t = translator(locale);
  return {
    question: t(text.question),
    options: pageOptions(locale, args, items, shown),
    hints: [t(text.hint), t('prompt.backToMenu')],
  };
}
