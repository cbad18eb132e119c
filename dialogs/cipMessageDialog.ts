// TODO(issue 3): not built yet.
import type { DialogDeps } from './deps';
import { CIP_MESSAGE_DIALOG } from './ids';
import { StubDialog } from './stubDialog';

export class CipMessageDialog extends StubDialog {
  constructor(_deps: DialogDeps) {
    super(CIP_MESSAGE_DIALOG);
  }
}
