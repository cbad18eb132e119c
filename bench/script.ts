// What each simulated person says, and what the bot may answer. Every person is new to the bot:
// "bonjour" (greeting + menu), 1 (workshops) opens onboarding: a language from the French list
// (French "1", Arabic "٣" in Arabic-Indic digits, Dari "۴" in Persian digits), "read" rather than
// "listen", consent, a first
// name, then the workshops menu. Then rounds of the real tasks, the first in the person's language
// and every other one in a second language (English or French), each ending where the next starts:
//   book a workshop (the year of birth when asked, of either age group; a full session -> the
//   waiting list; a shift at the same time -> book anyway), see the agenda, "my workshops" with
//   "help" then cancel, report a problem (one misunderstood answer, a category, an urgency, a few
//   words), change language, the "menu" keyword, and the workshops menu again.
// A step lists the answers the bot may give (the usual one first); an answer can lead to more
// steps (a question that only comes sometimes). Any other answer is an error.
import { LANGUAGE_CODES, type LanguageCode } from '../bot/i18n/languages';

export interface Expect {
  /** translation key the first reply starts with */
  starts?: string;
  /** translation key one of the replies contains */
  has?: string;
  /** interpolation values of both; { t: key } is that key's text in the reply's language */
  args?: Record<string, string | number | { t: string }>;
  /** steps this answer leads to, sent before the script goes on */
  then?: Step[];
}

export interface Step {
  text: string;
  /** the language every reply must be in */
  reply: LanguageCode;
  /** the answers the bot may give, the usual one first; any other is an error */
  expect: Expect[];
}

type Lang = 'fr' | 'en' | 'ar' | 'fa';

const PHRASES: Record<
  Lang,
  { digits: string; yes: string; help: string; menu: string; lost: string; problem: string }
> = {
  fr: {
    digits: '0123456789',
    yes: 'oui',
    help: 'aide',
    menu: 'menu',
    lost: 'je ne sais pas',
    problem: 'Le bus ne passe plus le matin.',
  },
  en: {
    digits: '0123456789',
    yes: 'yes',
    help: 'help',
    menu: 'menu',
    lost: "I don't know",
    problem: 'There is no bus in the morning.',
  },
  ar: {
    digits: '٠١٢٣٤٥٦٧٨٩',
    yes: 'نعم',
    help: 'مساعدة',
    menu: 'قائمة',
    lost: 'ما فهمت',
    problem: 'لا يوجد باص في الصباح.',
  },
  fa: { digits: '۰۱۲۳۴۵۶۷۸۹', yes: 'بلی', help: 'کمک', menu: 'منو', lost: 'نمی‌دانم', problem: 'صبح بس نیست.' },
};

/** Three kinds of people, in turn: their language, their second language, their first name. */
const PEOPLE: { home: Lang; other: Lang; name: string }[] = [
  { home: 'fr', other: 'en', name: 'Amina' },
  { home: 'ar', other: 'fr', name: 'فاطمة' },
  { home: 'fa', other: 'en', name: 'فرشته' },
];

const CATEGORIES = ['housing', 'childcare', 'health', 'papers', 'transport']; // the first page, in order

/** A number written with the language's digits. */
const num = (l: Lang, n: number) => String(n).replace(/\d/g, (d) => PHRASES[l].digits[Number(d)]);

/** Onboarding: from "bonjour" to the workshops menu. */
function opening(who: number): Step[] {
  const { home, name } = PEOPLE[who % PEOPLE.length];
  return [
    { text: 'bonjour', reply: 'fr', expect: [{ starts: 'greeting', has: 'menu.question' }] },
    { text: '1', reply: 'fr', expect: [{ starts: 'language.question' }] },
    {
      text: num(home, LANGUAGE_CODES.indexOf(home) + 1),
      reply: home,
      expect: [{ starts: 'language.changed', has: 'voice.question' }],
    },
    // "1": they prefer to read (the benchmark measures text turns; bench/voice.ts measures voice)
    {
      text: num(home, 1),
      reply: home,
      expect: [{ starts: 'onboarding.consent.stored', has: 'onboarding.consent.question' }],
    },
    { text: who % 2 ? PHRASES[home].yes : num(home, 1), reply: home, expect: [{ starts: 'onboarding.name.question' }] },
    {
      text: name,
      reply: home,
      expect: [{ starts: 'onboarding.thanks', args: { firstName: name }, has: 'workshops.menu.question' }],
    },
  ];
}

/** Round `r` of person `who`: starts and ends at the workshops menu; the language changes on the way. */
function round(who: number, r: number): Step[] {
  const person = PEOPLE[who % PEOPLE.length];
  const [l, next] = r % 2 ? [person.other, person.home] : [person.home, person.other];
  const { yes, help, lost, problem } = PHRASES[l];
  const n = (i: number) => num(l, i);
  const step = (text: string, ...expect: Expect[]): Step => ({ text, reply: l, expect });
  const vary = (k: number) => (who + r) % k; // different people, different choices

  // Half the people are under 25 (the Mission Locale's sessions); Dari speakers give the solar year.
  const year = Math.floor(who / PEOPLE.length) % 2 ? 1995 : 2003;
  const birthYear = step(l === 'fa' ? n(year - 621) : n(year), {
    starts: 'workshops.birthYear.saved',
    // a solar year is echoed as written, with the Gregorian one: "۱۳۸۲ (2003)"
    args: { year: l === 'fa' ? `${n(year - 621)} (${year})` : year },
    has: 'workshops.list.question',
  });
  const booking: Expect[] = [
    { starts: 'workshops.booked.done' },
    // full: the waiting list (or a seat, if one was freed meanwhile)
    {
      starts: 'workshops.full.said',
      then: [step(yes, { starts: 'workshops.waitlisted.done' }, { starts: 'workshops.booked.done' })],
    },
  ];
  const category = CATEGORIES[vary(CATEGORIES.length)];
  return [
    step(n(1), { starts: 'workshops.list.question' }, { starts: 'workshops.birthYear.why', then: [birthYear] }),
    step(n(1 + vary(3)), ...booking, { starts: 'workshops.overlap.warning', then: [step(yes, ...booking)] }),
    step(n(4), { starts: 'agenda.title' }),
    step(n(1), { starts: 'workshops.menu.question' }),
    step(n(2), { starts: 'workshops.mine.question' }),
    step(help, { starts: 'help.numbers', has: 'workshops.mine.question' }),
    step(n(1), { has: 'workshops.cancel.question' }), // starts with the booking
    step(yes, { starts: 'workshops.cancel.done', has: 'menu.question' }),
    step(n(3), { starts: 'problem.start.question', has: 'problem.start.report' }),
    step(n(1), { starts: 'problem.category.question' }),
    step(lost, { starts: 'prompt.notUnderstood', has: 'problem.category.question' }),
    step(n(1 + CATEGORIES.indexOf(category)), {
      starts: 'problem.about',
      args: { category: { t: `problem.category.${category}` } },
    }),
    step(n(1 + vary(3)), { starts: 'problem.describe.question' }),
    step(problem, { starts: 'problem.saved', has: 'menu.question' }),
    step(n(6), { starts: 'language.question' }),
    {
      text: n(LANGUAGE_CODES.indexOf(next) + 1),
      reply: next,
      expect: [{ starts: 'language.changed', has: 'menu.question' }],
    },
    { text: PHRASES[next].menu, reply: next, expect: [{ starts: 'menu.question' }] },
    { text: num(next, 1), reply: next, expect: [{ starts: 'workshops.menu.question' }] },
  ];
}

/** A person's first visit: onboarding, then a round with the year of birth (the usual path: 24 turns). */
export const FIRST_VISIT_TURNS = opening(0).length + round(0, 0).length + 1;

/** One simulated person's script; `next` gives the message to send, `follow` what the bot's answer leads to. */
export class Person {
  private steps: Step[];
  private rounds = 0;

  constructor(private readonly who: number) {
    this.steps = opening(who);
  }

  next(): Step {
    if (!this.steps.length) this.steps = round(this.who, this.rounds++);
    return this.steps.shift()!;
  }

  follow(answer: Expect): void {
    this.steps.unshift(...(answer.then ?? []));
  }
}
