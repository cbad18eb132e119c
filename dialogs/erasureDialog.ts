// TODO(issue 3): not built yet.
import type { DialogDeps } from './deps';
import { ERASURE_DIALOG } from './ids';
import { StubDialog } from './stubDialog';

export class ErasureDialog extends StubDialog {
  constructor(_deps: DialogDeps) {
    super(ERASURE_DIALOG);
  }
}
