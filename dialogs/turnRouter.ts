// One turn, for every audience: identify the person -> sync their conversation -> a global keyword
// ("menu", "language" and "help" alike for all; "stop", "start"... the audience's own) -> the
// answer to an open question we sent them -> the active dialog
// (or the menu when none is active, or when it ended). Beneficiaries (dialogs/beneficiaryTurns.ts)
// and employer contacts (dialogs/contacts/contactRoot.ts) each give their own steps.
import { ActivityTypes } from 'botbuilder-core';
import { DialogTurnStatus } from './sdk';
import type { DialogContext } from 'botbuilder-dialogs';
import { translator, wordList } from '../bot/i18n/translator';
import type { LanguageCode } from '../bot/i18n/languages';
import { turnLocale } from '../bot/turns/turnState';
import { say } from '../cards/messages';
import { LANGUAGE_DIALOG } from './ids';
import { globalCommand, type GlobalCommand } from './recognizers/keywords';
import { isQuiet } from './results';

/** The keywords every audience answers alike; the others are the audience's. */
type SharedCommand = 'menu' | 'language' | 'help';
export type OwnCommand = Exclude<GlobalCommand, SharedCommand>;

export interface TurnStart {
  /** when the person wrote before this message (a question sent after it is theirs to answer); undefined: never */
  previous?: Date;
  /** whether an open question may be answered in this turn (a known person's message) */
  mayAnswer: boolean;
}

export interface TurnAudience {
  /** Identifies and syncs: undefined when the turn is not this audience's. */
  begin(dc: DialogContext): Promise<TurnStart | undefined>;
  /** A keyword of the audience's own that works at any time ("stop", "start", "delete"...). */
  command(dc: DialogContext, command: OwnCommand): Promise<unknown>;
  /** The message answered the open question we sent (and it was handled): true. */
  answer(dc: DialogContext, previous: Date | undefined): Promise<boolean>;
  /** The audience's menu, with the greeting on a first turn. */
  menu(dc: DialogContext, greet: boolean): Promise<unknown>;
}

/** Runs the turn for `audience`; false when it is not theirs (the next audience may take it). */
export async function routeTurn(dc: DialogContext, audience: TurnAudience): Promise<boolean> {
  const start = await audience.begin(dc);
  if (!start) return false;
  const isMessage = dc.context.activity.type === ActivityTypes.Message;
  const command = isMessage ? globalCommand(dc.context.activity.text) : undefined;
  if (command) {
    if (!(await sharedCommand(dc, audience, command))) await audience.command(dc, command as OwnCommand);
    return true;
  }
  if (isMessage && start.mayAnswer && (await audience.answer(dc, start.previous))) return true;
  const result = isMessage
    ? await dc.continueDialog()
    : { status: dc.activeDialog ? DialogTurnStatus.waiting : DialogTurnStatus.empty };
  if (result.status === DialogTurnStatus.empty) await audience.menu(dc, true);
  else if (result.status === DialogTurnStatus.complete && !isQuiet(result.result)) await audience.menu(dc, false);
  return true;
}

/** "Send stop to..." in the person's language: the help's last line. */
export function stopLine(locale: LanguageCode): string {
  return translator(locale)('help.stop', { word: wordList(locale, 'keywords.stop')[0] });
}

/** "menu" (or 0), "language" and "help", the same for everyone: false for another keyword. */
async function sharedCommand(dc: DialogContext, audience: TurnAudience, command: GlobalCommand): Promise<boolean> {
  switch (command) {
    case 'menu':
      await dc.cancelAllDialogs();
      await audience.menu(dc, false);
      return true;
    case 'language':
      await dc.cancelAllDialogs();
      await dc.beginDialog(LANGUAGE_DIALOG);
      return true;
    case 'help': {
      const locale = turnLocale(dc.context);
      const t = translator(locale);
      await dc.context.sendActivity(
        say(locale, t('help.numbers'), t('help.keywords'), t('help.voice'), stopLine(locale)),
      );
      if (dc.activeDialog) await dc.repromptDialog();
      else await audience.menu(dc, false);
      return true;
    }
    default:
      return false;
  }
}
