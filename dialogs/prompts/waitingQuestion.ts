// What the prompts (numbered choice, free text) share: a dialog that asks its question when it
// begins, reads only the person's messages, and asks again when a dialog it started ends or when
// it is told to reprompt. Each prompt says what its state is, how it asks and how it reads an answer;
// `build` makes its question in the turn's language.
import { Dialog } from '../sdk';
import type { DialogContext, DialogInstance, DialogTurnResult } from 'botbuilder-dialogs';
import { ActivityTypes, type TurnContext } from 'botbuilder-core';

export abstract class WaitingQuestion<O extends object, S, B> extends Dialog<O> {
  constructor(
    id: string,
    protected readonly build: B,
  ) {
    super(id);
  }

  /** The dialog state at the start (kept small: it is saved every turn). */
  protected abstract start(options: Partial<O>): S;
  /** Asks the question. */
  protected abstract ask(context: TurnContext, state: S): Promise<void>;
  /** Reads a message: ends the dialog with the answer, or asks again. */
  protected abstract read(dc: DialogContext, state: S): Promise<DialogTurnResult>;

  override async beginDialog(dc: DialogContext, options: Partial<O> = {}): Promise<DialogTurnResult> {
    const state = this.start(options);
    dc.activeDialog!.state = state;
    await this.ask(dc.context, state);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    if (dc.context.activity.type !== ActivityTypes.Message) return Dialog.EndOfTurn;
    return this.read(dc, dc.activeDialog!.state as S);
  }

  override async resumeDialog(dc: DialogContext): Promise<DialogTurnResult> {
    await this.repromptDialog(dc.context, dc.activeDialog!);
    return Dialog.EndOfTurn;
  }

  override async repromptDialog(context: TurnContext, instance: DialogInstance): Promise<void> {
    await this.ask(context, instance.state as S);
  }
}
