// My agenda: the next 14 days (workshops, shifts, days in a company), in time order, grouped by
// day: a line with the day, then one line per item. One message, then back to the menu.
import { ComponentDialog } from './sdk';
import type { WaterfallStepContext } from 'botbuilder-dialogs';
import { translator } from '../bot/i18n/translator';
import type { LanguageCode } from '../bot/i18n/languages';
import { turnLocale } from '../bot/turns/turnState';
import { agenda, type AgendaItem } from '../bot/services/agenda';
import { say, ssml } from '../cards/messages';
import { formatDay, formatTimeRange, titleOf } from '../cards/format';
import { beneficiaryIdOf, type DialogDeps } from './deps';
import { AGENDA_DIALOG } from './ids';
import { waterfall } from './waterfall';

const STEPS = 'agendaSteps';
const DAYS = 14;
const BULLET = '• ';

function itemLine(item: AgendaItem, locale: LanguageCode, timeZone: string): string {
  const t = translator(locale);
  switch (item.kind) {
    case 'workshop':
      return t(item.status === 'waitlisted' ? 'agenda.waitlisted' : 'agenda.workshop', {
        time: formatTimeRange(item.startsAt, item.endsAt, locale, timeZone),
        title: titleOf(t, item),
        place: item.place,
      });
    case 'shift':
      return t('agenda.shift', {
        time: formatTimeRange(item.startsAt, item.endsAt, locale, timeZone),
        place: item.structure,
        status: t(`shifts.status.${item.confirmation}`),
      });
    case 'immersion':
      return t('agenda.immersion', { place: item.structure });
  }
}

/** "Mardi 3 mars": the day, with a capital where the script has one. */
function dayLine(date: Date, locale: LanguageCode, timeZone: string): string {
  const day = formatDay(date, locale, timeZone);
  return day.charAt(0).toLocaleUpperCase(locale) + day.slice(1);
}

export class AgendaDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(AGENDA_DIALOG);
    this.addDialog(waterfall(STEPS, this, [this.show]));
    this.initialDialogId = STEPS;
  }

  private async show(step: WaterfallStepContext) {
    const locale = turnLocale(step.context);
    const t = translator(locale);
    const { timeZone } = this.deps;
    const id = await beneficiaryIdOf(this.deps, step.context);
    const items = id === undefined ? [] : await agenda(this.deps.db, id, this.deps.now(), timeZone, DAYS);
    if (!items.length) {
      await step.context.sendActivity(say(locale, t('agenda.none')));
      return step.endDialog();
    }
    const text = [t('agenda.title')];
    const spoken = [t('agenda.title')];
    let day = '';
    for (const item of items) {
      const header = dayLine(item.startsAt, locale, timeZone);
      if (header !== day) {
        text.push(header);
        spoken.push(header);
        day = header;
      }
      const line = itemLine(item, locale, timeZone);
      text.push(BULLET + line);
      spoken.push(line);
    }
    // The bullets help the eye; speech reads the lines without them.
    await step.context.sendActivity({ ...say(locale, ...text), speak: ssml(locale, spoken) });
    return step.endDialog();
  }
}
