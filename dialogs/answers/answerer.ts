// A kind of question the platform sends outside a conversation (an invitation, a check-in, a
// reminder...) and the dialog that takes its answer. The main dialog asks the answerer of the
// person's open question whether their message answers it; if so, that dialog runs, with the
// options the answerer made from the message.
import type { Dialog } from 'botbuilder-dialogs';
import type { LanguageCode } from '../../bot/i18n/languages';
import type { OpenQuestion, QuestionKind } from '../../bot/services/questions';
import type { Unclear } from './recordingAnswer';

export interface Answerer {
  kind: QuestionKind;
  dialog: Dialog;
  /**
   * The dialog's options when `text` answers the question, undefined when it does not, UNCLEAR
   * when it seems to but must be asked again (a negation around the positive option).
   */
  recognize(
    question: OpenQuestion,
    text: string,
    locale: LanguageCode,
    beneficiaryId: number,
  ): Promise<object | Unclear | undefined>;
}
