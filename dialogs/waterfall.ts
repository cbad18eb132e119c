// A component dialog's steps are its own methods: `waterfall(STEPS, this, [this.ask, this.save])`
// lists them in the order they run, each called on the dialog (`owner`).
import { WaterfallDialog } from './sdk';
import type { WaterfallStep } from 'botbuilder-dialogs';

export function waterfall(id: string, owner: object, steps: WaterfallStep[]): WaterfallDialog {
  const bound = steps.map((step) => step.bind(owner));
  return new WaterfallDialog(id, bound);
}
