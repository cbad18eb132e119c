// locales/reviews.json records, for every language, whether a native speaker reviewed it: by whom
// (a role, never a name) and when; a review by anyone else is recorded apart.
import reviews from '../../locales/reviews.json';
import { LANGUAGES } from './glossaryCheck';

interface Review {
  nativeSpeakerReview: boolean;
  reviewer: string | null;
  date: string | null;
  otherChecks: { date: string; by: string; what: string }[];
}
const languages = reviews.languages as Record<string, Review>;

test('every language has a record, and only those', () => {
  expect(Object.keys(languages).sort()).toEqual([...LANGUAGES].sort());
});

test.each(LANGUAGES)('%s: a native speaker review names a role and a date; none leaves both empty', (lang) => {
  const r = languages[lang];
  if (r.nativeSpeakerReview) {
    expect(r.reviewer).toMatch(/\S/);
    expect(r.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Number.isNaN(Date.parse(r.date!))).toBe(false);
  } else {
    expect({ reviewer: r.reviewer, date: r.date }).toEqual({ reviewer: null, date: null });
  }
  for (const c of r.otherChecks) {
    expect(c.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(c.by).toMatch(/\S/);
  }
});
