// What the dialog tests check in the bot's replies to one message.
import type { Activity } from 'botbuilder';

/** The bot said `said` (its whole first message), then showed the main menu again (in French). */
export function expectSaidThenMenu(replies: Partial<Activity>[], said: string) {
  expect(replies[0].text).toBe(said);
  expect(replies[1].text).toContain('Que voulez-vous faire ?');
}
