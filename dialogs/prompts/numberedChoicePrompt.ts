// Asks a question with numbered options and waits for an answer it can map to one of them
// (see recognizeChoice). A miss gets a short "I did not understand" and the options again; after
// `maxMisses` misses the prompt ends with NOT_UNDERSTOOD so the caller can offer a way out.
import { Dialog, type DialogContext, type DialogInstance, type DialogTurnResult } from 'botbuilder-dialogs';
import { ActivityTypes, type TurnContext } from 'botbuilder';
import { ask, say } from '../../cards/messages';
import { translator } from '../../bot/i18n';
import { turnLocale } from '../../bot/turn';
import { recognizeChoice, type ChoiceOption } from '../recognizers/choice';

export interface NumberedChoiceOptions {
  question: string;
  options: ChoiceOption[];
  /** lines after the options, e.g. "Send a number." */
  hints?: string[];
  maxMisses?: number;
}

export interface ChoiceResult {
  /** -1 when the person was not understood `maxMisses` times */
  index: number;
  value: string;
}

export const NOT_UNDERSTOOD: ChoiceResult = { index: -1, value: '' };

interface PromptState {
  options: NumberedChoiceOptions;
  misses: number;
}

export class NumberedChoicePrompt extends Dialog<NumberedChoiceOptions> {
  override async beginDialog(dc: DialogContext, options?: NumberedChoiceOptions): Promise<DialogTurnResult> {
    if (!options?.options.length) throw new Error(`${this.id}: no options to choose from`);
    const state: PromptState = { options, misses: 0 };
    dc.activeDialog!.state = state;
    await this.send(dc.context, state, false);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const { activity } = dc.context;
    if (activity.type !== ActivityTypes.Message) return Dialog.EndOfTurn;
    const state = dc.activeDialog!.state as PromptState;
    const found = recognizeChoice(activity.text ?? '', state.options.options, turnLocale(dc.context));
    if (found) return dc.endDialog(found satisfies ChoiceResult);
    state.misses++;
    if (state.misses >= (state.options.maxMisses ?? 3)) return dc.endDialog(NOT_UNDERSTOOD);
    await this.send(dc.context, state, true);
    return Dialog.EndOfTurn;
  }

  override async resumeDialog(dc: DialogContext): Promise<DialogTurnResult> {
    await this.repromptDialog(dc.context, dc.activeDialog!);
    return Dialog.EndOfTurn;
  }

  override async repromptDialog(context: TurnContext, instance: DialogInstance): Promise<void> {
    await this.send(context, instance.state as PromptState, false);
  }

  private async send(context: TurnContext, state: PromptState, isRetry: boolean) {
    const locale = turnLocale(context);
    const { question, options, hints } = state.options;
    if (isRetry) await context.sendActivity(say(locale, translator(locale)('prompt.notUnderstood')));
    await context.sendActivity(ask(locale, question, options, hints));
  }
}
