// TODO(issue 3): not built yet.
import type { DialogDeps } from './deps';
import { WORKSHOPS_DIALOG } from './ids';
import { StubDialog } from './stubDialog';

export class WorkshopsDialog extends StubDialog {
  constructor(_deps: DialogDeps) {
    super(WORKSHOPS_DIALOG);
  }
}
