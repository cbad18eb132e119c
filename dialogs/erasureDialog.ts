// "Delete my data" (a keyword, for a known person): asks to confirm, then records the request for
// the CIP, who deletes the data and tells the person. Ends; the main dialog shows the menu again.
import { translator } from '../bot/i18n/translator';
import { turnLocale } from '../bot/turns/turnState';
import { requestErasure } from '../bot/services/people';
import { say } from '../cards/messages';
import { ConfirmDialog } from './confirmDialog';
import type { DialogDeps } from './deps';
import { ERASURE_DIALOG } from './ids';

export const erasureDialog = (deps: DialogDeps) =>
  new ConfirmDialog(ERASURE_DIALOG, deps, 'erasure.question', async (context, id, answer) => {
    const locale = turnLocale(context);
    const t = translator(locale);
    if (answer === 'unclear') {
      // Not understood three times: nothing is requested (this dialog is opened by a keyword,
      // outside the menu's way out).
      await context.sendActivity(say(locale, t('prompt.notUnderstood'), t('erasure.unchanged')));
    } else if (answer === 'no') {
      await context.sendActivity(say(locale, t('erasure.kept')));
    } else {
      await requestErasure(deps.db, id);
      await context.sendActivities([say(locale, t('erasure.requested')), say(locale, t('erasure.willTell'))]);
    }
  });
