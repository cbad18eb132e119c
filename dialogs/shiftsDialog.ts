// TODO(issue 3): not built yet.
import type { DialogDeps } from './deps';
import { SHIFTS_DIALOG } from './ids';
import { StubDialog } from './stubDialog';

export class ShiftsDialog extends StubDialog {
  constructor(_deps: DialogDeps) {
    super(SHIFTS_DIALOG);
  }
}
