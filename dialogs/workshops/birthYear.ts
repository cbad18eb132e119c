// The year of birth, asked once before the first booking (under-25s have their own sessions).
// Accepted: "1995", "۱۹۹۵", "95", "je suis né en 1995", "mille neuf cent quatre-vingt-quinze",
// "nineteen ninety-five", and in Dari and Pashto the solar year of Afghan papers ("1374" = 1995).
import { Dialog, type DialogContext, type DialogInstance, type DialogTurnResult } from 'botbuilder-dialogs';
import { ActivityTypes, InputHints, type TurnContext } from 'botbuilder';
import { Culture, recognizeNumber } from '@microsoft/recognizers-text-suite';
import { translator } from '../../bot/i18n';
import type { LanguageCode } from '../../bot/languages';
import { turnLocale } from '../../bot/turn';
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
    if (values.length === 2 && values[0] >= 19 && values[0] <= 20 && values[1] >= 0 && values[1] <= 99) return [values[0] * 100 + values[1]];
  }
  return [];
}

/** The year of birth in an answer, or undefined when there is none (or more than one). */
export function parseBirthYear(text: string, locale: LanguageCode, now: Date): number | undefined {
  const digits = words(normalize(text)).filter((w) => /^\d+$/.test(w));
  const candidates = digits.length ? digits : fromWords(text).map(String);
  const years = candidates.flatMap((written): number[] => {
    const n = Number(written);
    if (written.length === 2) return [1900 + n, 2000 + n]; // "95": at most one of them is plausible
    if ((locale === 'fa' || locale === 'ps') && n >= 1300 && n < OLDEST) return [n + SOLAR_HIJRI_OFFSET];
    return [n];
  });
  const found = [...new Set(years.filter((y) => plausible(y, now)))];
  return found.length === 1 ? found[0] : undefined;
}

export interface BirthYearAnswer {
  /** undefined when the person was not understood three times */
  year?: number;
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
    const year = parseBirthYear(dc.context.activity.text ?? '', turnLocale(dc.context), this.now());
    if (year) return dc.endDialog({ year } satisfies BirthYearAnswer);
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
    const lines = [...(isRetry ? [] : [t('workshops.birthYear.why')]), t('workshops.birthYear.question'), t('workshops.birthYear.hint')];
    await context.sendActivity({ ...say(locale, ...lines), inputHint: InputHints.ExpectingInput });
  }
}
