// What the dialog tests check in the bot's replies to one message.
import type { Activity } from 'botbuilder';

/** The bot said `said` (its whole first message), then showed the main menu again (in French). */
export function expectSaidThenMenu(replies: Partial<Activity>[], said: string) {
  expect(replies[0].text).toBe(said);
  expect(replies[1].text).toContain('Que voulez-vous faire ?');
}

/** The message asks a question in these lines, and waits for the answer. */
export function expectQuestion(message: Partial<Activity>, lines: string[]) {
  expect(message.text).toBe(lines.join('\n'));
  expect(message.inputHint).toBe('expectingInput');
}

/** The bot did not understand (in French): it says so, then asks again, with `line` among the question's lines. */
export function expectAskedAgain(replies: Partial<Activity>[], line: string) {
  expect(replies[0].text).toBe("Je n'ai pas compris.");
  expect(replies[1].text).toContain(line);
}
