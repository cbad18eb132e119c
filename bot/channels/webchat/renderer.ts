// Turns the bot's channel-neutral replies (cards/messages.ts) into what the web chat page shows:
// - a question's options are buttons only: their numbered lines leave the text (ask() marks them
//   in channelData.optionLines); each button keeps its number ("1 · Ateliers") and sends it, so
//   that typing a digit or speaking still works, and the person's bubble shows the label they
//   tapped (messageBack displayText, which Web Chat shows instead of the text it sends; the value
//   is the number too, as before, for the record of the choices);
// - the hint "0 = menu" becomes a "0 · menu" button;
// - emergency numbers (cards/emergency.ts) become tel: links: the text goes out as Markdown, each
//   line a paragraph, everything but the links escaped.
// `speak` is left as it is (the options are still read out), and so is every other channel.
import type { Activity, CardAction } from 'botbuilder-core';
import { emergencyNumbers } from '../../../cards/emergency';
import { translator } from '../../i18n/translator';
import { languageFromLocaleTag } from '../../i18n/languages';

/** Set on a reply whose text is Markdown of ours (lines as paragraphs): the page marks each line's direction. */
export const LINES_AS_PARAGRAPHS = 'passerelleLines';

interface OptionLines {
  from: number;
  count: number;
}

export function renderForWebChat(activity: Partial<Activity>): Partial<Activity> {
  if (activity.type !== 'message') return activity;
  const { optionLines, ...channelData } = (activity.channelData ?? {}) as { optionLines?: OptionLines } & Record<
    string,
    unknown
  >;
  let out: Partial<Activity> = { ...activity, channelData: Object.keys(channelData).length ? channelData : undefined };
  if (!out.channelData) delete out.channelData;
  if (isOptionLines(optionLines) && out.suggestedActions?.actions?.length && typeof out.text === 'string')
    out = asButtons(out, optionLines);
  if (typeof out.text === 'string' && emergencyNumbers(out.text).length) out = withPhoneLinks(out);
  return out;
}

function isOptionLines(value: unknown): value is OptionLines {
  const v = value as OptionLines | undefined;
  return !!v && Number.isInteger(v.from) && Number.isInteger(v.count) && v.from >= 0 && v.count > 0;
}

/** "1. Ateliers" → "1 · Ateliers" (the number stays: it is what a person may type or say). */
const buttonTitle = (title: string) => title.replace(/^(\d+)\.\s+/, '$1 · ');

function asButtons(activity: Partial<Activity>, { from, count }: OptionLines): Partial<Activity> {
  const lines = activity.text!.split('\n');
  const rest = [...lines.slice(0, from), ...lines.slice(from + count)];
  const actions: CardAction[] = activity.suggestedActions!.actions.map((action) => {
    if (action.type !== 'imBack' || typeof action.value !== 'string') return action;
    const title = buttonTitle(action.title ?? action.value);
    return { type: 'messageBack', title, text: action.value, displayText: title, value: action.value } as CardAction;
  });
  // "0 = menu" among the hints: a button too.
  const code = languageFromLocaleTag(activity.locale);
  const menuHint = code ? translator(code)('prompt.backToMenu') : undefined;
  const at = menuHint ? rest.findIndex((line) => line.trim() === menuHint) : -1;
  if (at >= 0) {
    rest.splice(at, 1);
    const title = menuHint!.replace(/^\s*0\s*=\s*/, '0 · ');
    actions.push({ type: 'messageBack', title, text: '0', displayText: title, value: '0' } as CardAction);
  }
  return { ...activity, text: rest.join('\n'), suggestedActions: { ...activity.suggestedActions!, actions } };
}

// Markdown's punctuation, escaped so that a line shows as written (no list, emphasis, link or HTML).
const escapeMarkdown = (text: string) => text.replace(/[\\`*_{}[\]()#+\-.!<>|~&"]/g, '\\$&');

function withPhoneLinks(activity: Partial<Activity>): Partial<Activity> {
  const paragraphs = activity.text!.split('\n').map((line) => {
    let out = '';
    let last = 0;
    for (const found of emergencyNumbers(line)) {
      out += escapeMarkdown(line.slice(last, found.start)) + `[${line.slice(found.start, found.end)}](${found.href})`;
      last = found.end;
    }
    return out + escapeMarkdown(line.slice(last));
  });
  return {
    ...activity,
    text: paragraphs.filter((p) => p.trim()).join('\n\n'),
    textFormat: 'markdown',
    channelData: { ...(activity.channelData ?? {}), [LINES_AS_PARAGRAPHS]: true },
  };
}
