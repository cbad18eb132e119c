// "Stop" (a keyword, for a known person): one question first, "Do you want to stop all messages?",
// so that a word that means something else too (Dari "بس" is "bus") never unsubscribes anyone by
// mistake. Yes: no proactive message any more, until "start", and nothing more is said; no: the
// menu again.
import { translator } from '../bot/i18n/translator';
import { turnLocale } from '../bot/turns/turnState';
import { optOut } from '../bot/services/people';
import { say } from '../cards/messages';
import { ConfirmDialog } from './confirmDialog';
import type { DialogDeps } from './deps';
import { STOP_DIALOG } from './ids';
import { QUIET } from './results';

export const stopDialog = (deps: DialogDeps) =>
  new ConfirmDialog(STOP_DIALOG, deps, 'stop.question', async (context, id, answer) => {
    const locale = turnLocale(context);
    const t = translator(locale);
    if (answer !== 'yes') {
      // "No", or not understood three times: nothing changes.
      await context.sendActivity(say(locale, t('stop.kept')));
      return undefined;
    }
    await optOut(deps.db, id, deps.now());
    await context.sendActivity(say(locale, t('stop.done'), t('stop.howToStart')));
    return QUIET;
  });
