// What an employer contact can do at any time, for the people placed with them today and nobody
// else: 1 report an absence, 2 report a problem (a few words or a voice note), 3 confirm
// tomorrow's shift. Then the person (skipped when there is only one), then the action. The list
// holds only the contact's structure's people, and every action checks it again (services/contacts).
import { ComponentDialog } from '../sdk';
import type { WaterfallStepContext } from 'botbuilder-dialogs';
import { translator, wordList } from '../../bot/i18n/translator';
import type { LanguageCode } from '../../bot/i18n/languages';
import { turnLocale } from '../../bot/turns/turnState';
import { reportAbsence } from '../../bot/services/attendance';
import { confirmTomorrow, placedPeople, reportEmployerProblem, type PlacedPerson } from '../../bot/services/contacts';
import { formatTimeRange } from '../../cards/format';
import { say } from '../../cards/messages';
import { listPage } from '../../cards/questions';
import type { DialogDeps } from '../deps';
import { CONTACT_MENU_DIALOG } from '../ids';
import { NumberedChoicePrompt, perLanguage, type ChoiceResult } from '../prompts/numberedChoicePrompt';
import { TextPrompt, isNoAnswer, type TextAnswer } from '../prompts/textPrompt';
import { turnContact } from './current';
import { waterfall } from '../waterfall';

const STEPS = 'contactMenuSteps';
const PICK = 'contactPick';
const MENU = 'contactMenuPrompt';
const PERSON = 'contactPersonPrompt';
const DESCRIBE = 'contactProblemPrompt';

export const CONTACT_ACTIONS = ['absence', 'problem', 'confirm'] as const;
type Action = (typeof CONTACT_ACTIONS)[number];

const PAGE_SIZE = 5;

export interface ContactMenuOptions {
  greet?: boolean;
}

/** A person of the list, kept in the prompt's state: placement id and name. */
type PersonRef = [placementId: number, name: string];

interface PersonArgs {
  people: PersonRef[];
  more: boolean;
}

interface Values {
  action?: Action;
  person?: PersonRef;
}

const menuQuestion = perLanguage((locale) => {
  const t = translator(locale);
  return {
    question: t('contacts.menu.question'),
    // Short words people say ("absence", "demain") in their language, French and English.
    options: CONTACT_ACTIONS.map((a) => ({
      value: a,
      label: t(`contacts.menu.${a}`),
      synonyms: [...new Set<LanguageCode>([locale, 'fr', 'en'])].flatMap((l) =>
        wordList(l, `contacts.menu.synonyms.${a}`),
      ),
    })),
    hints: [t('prompt.hint')],
  };
});

const PEOPLE_PAGE = { question: 'contacts.person.question', more: 'contacts.person.more' } as const;

export class ContactMenuDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(CONTACT_MENU_DIALOG);
    this.addDialog(new NumberedChoicePrompt(MENU, menuQuestion));
    this.addDialog(
      new NumberedChoicePrompt<PersonArgs>(PERSON, (locale, { people, more }) =>
        listPage(
          locale,
          PEOPLE_PAGE,
          people.map(([id, name]) => ({ value: String(id), label: name })),
          more,
        ),
      ),
    );
    this.addDialog(
      new TextPrompt<string>(DESCRIBE, (locale, name) => {
        const t = translator(locale);
        return { question: t('contacts.problem.question', { name }), hints: [t('problem.describe.voice')] };
      }),
    );
    this.addDialog(waterfall(STEPS, this, [this.showMenu, this.pickPerson, this.act, this.saveProblem]));
    // Choosing the person, a page of five at a time; ends with the PersonRef (or nothing).
    this.addDialog(waterfall(PICK, this, [this.showPeople, this.afterPerson]));
    this.initialDialogId = STEPS;
  }

  private people(step: WaterfallStepContext): Promise<PlacedPerson[]> {
    return placedPeople(this.deps.db, turnContact(step.context), this.deps.now(), this.deps.timeZone);
  }

  private values(step: WaterfallStepContext): Values {
    return step.values as Values;
  }

  private async showMenu(step: WaterfallStepContext) {
    const locale = turnLocale(step.context);
    const t = translator(locale);
    const contact = turnContact(step.context);
    const lines = (step.options as ContactMenuOptions | undefined)?.greet
      ? [t('contacts.hello', { name: contact.firstName })]
      : [];
    if (!(await this.people(step)).length) {
      await step.context.sendActivity(say(locale, ...lines, t('contacts.nobody')));
      return step.endDialog();
    }
    if (lines.length) await step.context.sendActivity(say(locale, ...lines));
    return step.beginDialog(MENU);
  }

  private async pickPerson(step: WaterfallStepContext) {
    const choice = step.result as ChoiceResult;
    if (choice.index < 0) return step.endDialog();
    this.values(step).action = choice.value as Action;
    return step.beginDialog(PICK, { page: 0 });
  }

  private async showPeople(step: WaterfallStepContext) {
    const people = await this.people(step);
    if (people.length === 1) return step.endDialog(ref(people[0]));
    let page = (step.options as { page?: number } | undefined)?.page ?? 0;
    if (page * PAGE_SIZE >= people.length) page = 0;
    (step.values as { page?: number }).page = page;
    // Six fit in one question; more: five a page, then "more".
    const paged = people.length > PAGE_SIZE + 1;
    const shown = paged ? people.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE) : people;
    return step.beginDialog(PERSON, { args: { people: shown.map(ref), more: paged } satisfies PersonArgs });
  }

  private async afterPerson(step: WaterfallStepContext) {
    const choice = step.result as ChoiceResult;
    if (choice.index < 0) return step.endDialog();
    if (choice.value === 'more')
      return step.replaceDialog(PICK, { page: ((step.values as { page?: number }).page ?? 0) + 1 });
    const person = (await this.people(step)).find((p) => p.placementId === Number(choice.value));
    return step.endDialog(person ? ref(person) : undefined);
  }

  private async act(step: WaterfallStepContext) {
    const person = step.result as PersonRef | undefined;
    const locale = turnLocale(step.context);
    const t = translator(locale);
    if (!person) return step.endDialog();
    const values = this.values(step);
    values.person = person;
    const contact = turnContact(step.context);
    const [placementId, name] = person;
    const { db, timeZone } = this.deps;
    const now = this.deps.now();
    switch (values.action) {
      case 'absence': {
        const done = await reportAbsence(db, contact, placementId, now, timeZone);
        await step.context.sendActivity(
          done
            ? say(locale, t('contacts.absence.done', { name }), t('attendance.alerted'))
            : say(locale, t('contacts.gone', { name })),
        );
        return step.endDialog();
      }
      case 'confirm': {
        const done = await confirmTomorrow(db, contact, placementId, now, timeZone);
        await step.context.sendActivity(
          say(locale, done ? confirmedText(locale, timeZone, name, done.shifts) : t('contacts.gone', { name })),
        );
        return step.endDialog();
      }
      default:
        return step.beginDialog(DESCRIBE, { args: name, attachments: true, maxLength: 500 });
    }
  }

  private async saveProblem(step: WaterfallStepContext) {
    const answer = step.result as TextAnswer;
    const locale = turnLocale(step.context);
    const t = translator(locale);
    if (isNoAnswer(answer)) return step.endDialog();
    const [placementId, name] = this.values(step).person!;
    const saved = await reportEmployerProblem(
      this.deps.db,
      turnContact(step.context),
      placementId,
      answer,
      this.deps.now(),
      this.deps.timeZone,
    );
    await step.context.sendActivity(say(locale, saved ? t('contacts.problem.done') : t('contacts.gone', { name })));
    return step.endDialog();
  }
}

const ref = (p: PlacedPerson): PersonRef => [p.placementId, p.name];

function confirmedText(
  locale: LanguageCode,
  timeZone: string,
  name: string,
  shifts: { startsAt: Date; endsAt: Date }[],
): string {
  const t = translator(locale);
  if (!shifts.length) return t('contacts.confirm.none', { name });
  const time = shifts.map((s) => formatTimeRange(s.startsAt, s.endsAt, locale, timeZone)).join(', ');
  return t('contacts.confirm.done', { name, time });
}
