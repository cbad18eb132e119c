// Putting a question we sent (an invitation, a check-in, an attendance request...) to the person
// again inside a conversation: its message rendered again in their language, and the question
// noted as asked again, so that their next message answers it. The same for beneficiaries and
// employer contacts.
import type { TurnContext } from 'botbuilder-core';
import { turnLocale } from '../bot/turns/turnState';
import { askedAgain, askedPayload, openQuestion, type OpenQuestion } from '../bot/services/questions';
import { renderNotification } from '../cards/notifications';
import type { DialogDeps } from './deps';

type Who = { beneficiaryId: number } | { contactId: number };

/** Asks the question again (after an unclear answer). */
export async function putQuestionAgain(
  deps: DialogDeps,
  context: TurnContext,
  question: Pick<OpenQuestion, 'id' | 'messageId'>,
): Promise<void> {
  const payload = await askedPayload(deps.db, question);
  if (payload) await context.sendActivity(renderNotification(payload, turnLocale(context), deps.timeZone));
  await askedAgain(deps.db, question.id, deps.now());
}

/**
 * Another question we sent since the person last wrote (a check-in and a reminder the same
 * evening, two people at one SIAE) is put to them again, instead of the menu: true if there was one.
 */
export async function askNextQuestion(
  deps: DialogDeps,
  context: TurnContext,
  who: Who,
  since: Date | undefined,
): Promise<boolean> {
  const next = await openQuestion(deps.db, who, since, deps.now());
  const payload = next && (await askedPayload(deps.db, next));
  if (!next || !payload) return false;
  await context.sendActivity(renderNotification(payload, turnLocale(context), deps.timeZone));
  await askedAgain(deps.db, next.id, deps.now());
  return true;
}
