// TODO(issue 3): not built yet.
import type { DialogDeps } from './deps';
import { ONBOARDING_DIALOG } from './ids';
import { StubDialog } from './stubDialog';

export class OnboardingDialog extends StubDialog {
  constructor(_deps: DialogDeps) {
    super(ONBOARDING_DIALOG);
  }
}
