// TODO(issue 3): not built yet.
import type { DialogDeps } from './deps';
import { AGENDA_DIALOG } from './ids';
import { StubDialog } from './stubDialog';

export class AgendaDialog extends StubDialog {
  constructor(_deps: DialogDeps) {
    super(AGENDA_DIALOG);
  }
}
