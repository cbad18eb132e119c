// The year of birth, asked once before the first booking (under-25s have their own sessions).
// Accepted: "1995", "۱۹۹۵", "95", "je suis né en 1995", "mille neuf cent quatre-vingt-quinze",
// "nineteen ninety-five", and in Dari and Pashto the solar year of Afghan papers ("1374" = 1995),
// which is echoed as the person wrote it, with the Gregorian year: "۱۳۷۴ (1995)".
import { Dialog } from '../sdk';
import type { DialogContext, DialogInstance, DialogTurnResult } from 'botbuilder-dialogs';
import { ActivityTypes, InputHints, type TurnContext } from 'botbuilder-core';
import { Culture, recognizeNumber } from '@microsoft/recognizers-text-number';
import { translator } from '../../bot/i18n/translator';
import type { LanguageCode } from '../../bot/i18n/languages';
import { turnLocale } from '../../bot/turns/turnState';
import { say } from '../../cards/messages';
import { normalize, words } from '../recognizers/normalize';

/** Youngest age for the platform's workshops, oldest year of birth we take as plausible. */
const MIN_AGE = 14;
const OLDEST = 1940;
/** Solar hijri year + 621 = the Gregorian year it mostly falls in. */
const SOLAR_HIJRI_OFFSET = 621;

function plausible(year: number, now: Date): boolean {
  return year >= OLDEST && year <= now.getUTCFullYear() - MIN_AGE;
}

/** The numbers said in words, for the languages Microsoft's recognizers know. */
function fromWords(text: string): number[] {
  for (const culture of [Culture.French, Culture.English]) {
    const values = recognizeNumber(text, culture).map((r) => Number((r.resolution as { value?: string }).value));
    if (values.length === 1) return values;
    // "nineteen ninety-five" comes as 19 and 95
    if (values.length === 2 && values[0] >= 19 && values[0] <= 20 && values[1] >= 0 && values[1] <= 99)
      return [values[0] * 100 + values[1]];
  }
  return [];
}

/** The year of birth in an answer, or undefined when there is none (or more than one). */
export function parseBirthYear(text: string, locale: LanguageCode, now: Date): number | undefined {
  return readBirthYear(text, locale, now)?.year;
}

export interface BirthYear {
  /** Gregorian */
  year: number;
  /** a solar hijri year, as the person wrote it ("۱۳۷۰", "1370") */
  solar?: string;
}

/** The year of birth in an answer, and the solar year it was written as, if so. */
export function readBirthYear(text: string, locale: LanguageCode, now: Date): BirthYear | undefined {
  const digits = words(normalize(text)).filter((w) => /^\d+$/.test(w));
  const candidates = digits.length ? digits : fromWords(text).map(String);
  const years = candidates.flatMap((written): { year: number; solar?: number }[] => {
    const n = Number(written);
    if (written.length === 2) return [{ year: 1900 + n }, { year: 2000 + n }]; // "95": at most one of them is plausible
    if ((locale === 'fa' || locale === 'ps') && n >= 1300 && n < OLDEST)
      return [{ year: n + SOLAR_HIJRI_OFFSET, solar: n }];
    return [{ year: n }];
  });
  const found = years.filter((y) => plausible(y.year, now));
  if (new Set(found.map((y) => y.year)).size !== 1) return undefined;
  const { year, solar } = found[0];
  return solar === undefined ? { year } : { year, solar: asWritten(text, solar) };
}

/** The digits of `n` as they are in the text (Persian, Arabic-Indic or Latin). */
function asWritten(text: string, n: number): string {
  const runs = text.match(/[0-9\u0660-\u0669\u06F0-\u06F9]+/g) ?? [];
  return (
    runs.find(
      (run) => Number(run.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (d) => String((d.charCodeAt(0) & 0xf) % 10))) === n,
    ) ?? String(n)
  );
}

export interface BirthYearAnswer {
  /** undefined when the person was not understood three times */
  year?: number;
  /** the solar year as written, when it was one */
  solar?: string;
}

interface State {
  misses: number;
}

export class BirthYearPrompt extends Dialog {
  constructor(
    id: string,
    private readonly now: () => Date,
  ) {
    super(id);
  }

  override async beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    dc.activeDialog!.state = { misses: 0 } satisfies State;
    await this.send(dc.context, false);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    if (dc.context.activity.type !== ActivityTypes.Message) return Dialog.EndOfTurn;
    const state = dc.activeDialog!.state as State;
    const read = readBirthYear(dc.context.activity.text ?? '', turnLocale(dc.context), this.now());
    if (read) return dc.endDialog(read satisfies BirthYearAnswer);
    if (++state.misses >= 3) return dc.endDialog({} satisfies BirthYearAnswer);
    await this.send(dc.context, true);
    return Dialog.EndOfTurn;
  }

  override async resumeDialog(dc: DialogContext): Promise<DialogTurnResult> {
    await this.send(dc.context, false);
    return Dialog.EndOfTurn;
  }

  override async repromptDialog(context: TurnContext, _instance: DialogInstance): Promise<void> {
    await this.send(context, false);
  }

  private async send(context: TurnContext, isRetry: boolean) {
    const locale = turnLocale(context);
    const t = translator(locale);
    if (isRetry) await context.sendActivity(say(locale, t('prompt.notUnderstood')));
    const lines = [
      ...(isRetry ? [] : [t('workshops.birthYear.why')]),
      t('workshops.birthYear.question'),
      t('workshops.birthYear.hint'),
    ];
    await context.sendActivity({ ...say(locale, ...lines), inputHint: InputHints.ExpectingInput });
  }
}
