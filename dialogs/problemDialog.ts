// TODO(issue 3): not built yet.
import type { DialogDeps } from './deps';
import { PROBLEM_DIALOG } from './ids';
import { StubDialog } from './stubDialog';

export class ProblemDialog extends StubDialog {
  constructor(_deps: DialogDeps) {
    super(PROBLEM_DIALOG);
  }
}
