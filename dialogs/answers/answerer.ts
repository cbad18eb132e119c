// A kind of question the platform sends outside a conversation (an invitation, a check-in, a
// reminder...) and the dialog that takes its answer. The main dialog asks the answerer of the
// person's open question whether their message answers it; if so, that dialog runs, with the
// options the answerer made from the message.
import type { Dialog } from 'botbuilder-dialogs';
import type { LanguageCode } from '../../bot/i18n/languages';
import type { OpenQuestion, QuestionKind } from '../../bot/services/questions';
import type { Question } from '../../cards/questions';
import { readRecordingAnswer, UNCLEAR, type Unclear } from './recordingAnswer';

/** What every answer dialog is opened with: the question answered, and whose case it goes on. */
export interface AnswerOptions {
  questionId: number;
  beneficiaryId: number;
}

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

/** What makes the answerer of a question that records something (an invitation, a check-in, a reminder). */
export interface RecordingAnswer {
  kind: QuestionKind;
  dialog: Dialog;
  /** the question as the person was asked it, in their language */
  question: (locale: LanguageCode) => Question;
  /** the options that may be said with a negation ("no", "I can't"): the others may not */
  negative: string[];
  /** the dialog's options made of the value chosen, or undefined when the message answers nothing after all */
  options: (value: string, question: OpenQuestion, beneficiaryId: number) => Promise<object | undefined>;
}

/** The answerer of a question that records something: readRecordingAnswer reads the answer. */
export function recordingAnswerer({ kind, dialog, question, negative, options }: RecordingAnswer): Answerer {
  return {
    kind,
    dialog,
    async recognize(open, text, locale, beneficiaryId) {
      const value = readRecordingAnswer(text, question(locale), locale, negative);
      if (value === undefined || value === UNCLEAR) return value;
      return options(value, open, beneficiaryId);
    },
  };
}
