// Words that work at any point of a conversation, in every language: "menu" (or 0), "help",
// "language", "stop", "start", "delete" (my data), "forget" (me on this device: the web chat on a
// shared computer), "listen" and "read" (hear the bot, or read it only). A message is a command only
// when it is the keyword alone.
import { LANGUAGE_CODES } from '../../bot/i18n/languages';
import { wordList } from '../../bot/i18n/translator';
import { normalize, words } from './normalize';

export type GlobalCommand = 'menu' | 'help' | 'language' | 'stop' | 'start' | 'delete' | 'forget' | 'listen' | 'read';

const COMMANDS: GlobalCommand[] = ['menu', 'help', 'language', 'stop', 'start', 'delete', 'forget', 'listen', 'read'];

const table = new Map<string, GlobalCommand>([['0', 'menu']]);
for (const command of COMMANDS) {
  for (const code of LANGUAGE_CODES) {
    for (const word of wordList(code, `keywords.${command}`)) {
      const key = words(normalize(word)).join(' ');
      if (!key) continue;
      const other = table.get(key);
      if (other && other !== command) throw new Error(`keyword "${word}" (${code}) means both ${other} and ${command}`);
      table.set(key, command);
    }
  }
}

export function globalCommand(text: string | undefined): GlobalCommand | undefined {
  if (!text) return undefined;
  const trimmed = text.trim();
  if (trimmed === '?' || trimmed === '؟') return 'help';
  return table.get(words(normalize(trimmed)).join(' '));
}
