// Turns a turn's replies (channel-neutral activities, see cards/messages.ts) into WhatsApp
// messages, within the Cloud API's limits:
// - statements that follow each other go out as one text (paragraphs), so a person gets one
//   message instead of five; a text over 4,096 characters is split at paragraphs, lines or words;
// - a question with 1-3 options becomes reply buttons (titles of 20 characters at most), with
//   4-10 options a list message (rows: title 24, description 72), beyond that numbered text only;
//   the numbered lines always stay in the body, so an answer by voice or keyboard works too;
// - hero and adaptive cards become text plus the same buttons.
// Text is never rewritten: right-to-left text and its direction marks go out as they came.
import type { Activity, CardAction } from 'botbuilder-core';
import { translator } from '../../i18n/translator';
import type { LanguageCode } from '../../i18n/languages';
import { LIMITS, type ListRow, type OutboundMessage } from './payloads';

export interface Choice {
  /** what comes back when it is tapped: the option's number */
  id: string;
  title: string;
}

export interface RenderedMessage {
  message: OutboundMessage;
  /** what the person reads, for the case record */
  text: string;
  choices?: string[];
}

interface Piece {
  text: string;
  choices: Choice[];
}

export function renderActivities(activities: Partial<Activity>[], locale: LanguageCode): RenderedMessage[] {
  const out: RenderedMessage[] = [];
  let statements: string[] = [];
  for (const activity of activities) {
    if (activity.type !== 'message') continue;
    const piece = pieceOf(activity);
    if (!piece.choices.length) {
      if (piece.text.trim()) statements.push(piece.text);
      continue;
    }
    out.push(...question(statements, piece, locale));
    statements = [];
  }
  out.push(...texts(statements.join('\n\n')));
  return out;
}

/** The text and the options of an activity (its suggested actions, or its card's buttons). */
export function pieceOf(activity: Partial<Activity>): Piece {
  const lines = activity.text ? [activity.text] : [];
  const choices: Choice[] = (activity.suggestedActions?.actions ?? []).flatMap(choiceOf);
  for (const attachment of activity.attachments ?? []) {
    const content = attachment.content as Record<string, unknown> | undefined;
    if (/card\.(hero|thumbnail)$/.test(attachment.contentType) && content) {
      lines.push(
        ...['title', 'subtitle', 'text']
          .map((k) => content[k])
          .filter((v): v is string => typeof v === 'string' && v.length > 0),
      );
      choices.push(...((content.buttons as CardAction[] | undefined) ?? []).flatMap(choiceOf));
    } else if (/card\.adaptive$/.test(attachment.contentType) && content) {
      const found = adaptiveCard(content);
      lines.push(...found.lines);
      choices.push(...found.choices);
    } else if (attachment.contentUrl) {
      lines.push(attachment.name ? `${attachment.name}: ${attachment.contentUrl}` : attachment.contentUrl);
    }
  }
  return { text: lines.join('\n'), choices };
}

/** The option of a button; none for a button with neither a value nor a title. */
function choiceOf(action: CardAction): Choice[] {
  const value = typeof action.value === 'string' || typeof action.value === 'number' ? String(action.value) : '';
  const id = value || action.title || '';
  return id ? [{ id: id.slice(0, LIMITS.rowId), title: action.title || id }] : [];
}

/** The texts (TextBlock) and submit actions of an adaptive card. */
function adaptiveCard(card: Record<string, unknown>): { lines: string[]; choices: Choice[] } {
  const lines: string[] = [];
  const choices: Choice[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === 'TextBlock' && typeof n.text === 'string') lines.push(n.text);
    if (n.type === 'Action.Submit' && typeof n.title === 'string') {
      choices.push({ id: (typeof n.data === 'string' ? n.data : n.title).slice(0, LIMITS.rowId), title: n.title });
    }
    for (const key of ['body', 'items', 'columns', 'actions']) visit(n[key]);
  };
  visit(card);
  return { lines, choices };
}

/** A question, with the statements before it in the same body when they fit. */
function question(statements: string[], asked: Piece, locale: LanguageCode): RenderedMessage[] {
  // Options with no words around them (a card of buttons only): their titles are the body.
  const piece = asked.text.trim() ? asked : { ...asked, text: asked.choices.map((c) => c.title).join('\n') };
  const n = piece.choices.length;
  if (n > LIMITS.listRows) return texts([...statements, piece.text].join('\n\n'));
  const limit = n <= LIMITS.buttons ? LIMITS.buttonsBody : LIMITS.listBody;
  const together = [...statements, piece.text].join('\n\n');
  const before: RenderedMessage[] = [];
  let body = together;
  if (together.length > limit) {
    before.push(...texts(statements.join('\n\n')));
    const parts = splitKeepingEnd(piece.text, limit);
    before.push(...texts(parts.head));
    body = parts.tail;
  }
  const choices = piece.choices.map((c) => c.id);
  if (n <= LIMITS.buttons) {
    const buttons = piece.choices.map((c) => ({
      type: 'reply' as const,
      reply: { id: c.id, title: truncate(c.title, LIMITS.buttonTitle) },
    }));
    return [
      ...before,
      {
        message: { type: 'interactive', interactive: { type: 'button', body: { text: body }, action: { buttons } } },
        text: body,
        choices,
      },
    ];
  }
  const rows: ListRow[] = piece.choices.map((c) =>
    c.title.length <= LIMITS.rowTitle
      ? { id: c.id, title: c.title }
      : { id: c.id, title: truncate(c.title, LIMITS.rowTitle), description: truncate(c.title, LIMITS.rowDescription) },
  );
  const button = truncate(translator(locale)('whatsapp.choose'), LIMITS.listButton);
  return [
    ...before,
    {
      message: {
        type: 'interactive',
        interactive: { type: 'list', body: { text: body }, action: { button, sections: [{ rows }] } },
      },
      text: body,
      choices,
    },
  ];
}

/** Plain text messages of at most 4,096 characters each. */
function texts(text: string): RenderedMessage[] {
  if (!text.trim()) return [];
  return splitText(text, LIMITS.text).map((body) => ({
    message: { type: 'text', text: { body, preview_url: false } },
    text: body,
  }));
}

// Lengths and cuts are counted in UTF-16 units (what Meta counts), and a cut never falls inside a
// character made of several (emoji, letters with marks).
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** At most `max` characters, with "…" when it was cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    if (out.length + segment.length + 1 > max) break;
    out += segment;
  }
  return `${out.trimEnd()}…`;
}

/** Cuts a text into parts of at most `max`, at a paragraph, else a line, else a space. */
export function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const cut = cutPoint(rest, max);
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) parts.push(rest);
  return parts;
}

function cutPoint(text: string, max: number): number {
  const window = text.slice(0, max + 1);
  for (const separator of ['\n\n', '\n', ' ']) {
    const at = window.lastIndexOf(separator);
    if (at > max / 3) return at;
  }
  // No separator far enough: cut at the last whole character that fits.
  let cut = 0;
  for (const { index, segment } of graphemes.segment(text)) {
    if (index + segment.length > max) break;
    cut = index + segment.length;
  }
  return cut || max;
}

/** A question too long for a body: its last lines (the options) fit in `max`, the rest goes before. */
function splitKeepingEnd(text: string, max: number): { head: string; tail: string } {
  const lines = text.split('\n');
  let tail = '';
  let i = lines.length;
  while (i > 0) {
    const candidate = tail ? `${lines[i - 1]}\n${tail}` : lines[i - 1];
    if (candidate.length > max) break;
    tail = candidate;
    i--;
  }
  if (!tail) {
    // A single line longer than the body: keep its end.
    const parts = splitText(text, max);
    return { head: parts.slice(0, -1).join('\n'), tail: parts[parts.length - 1] };
  }
  return { head: lines.slice(0, i).join('\n'), tail };
}
