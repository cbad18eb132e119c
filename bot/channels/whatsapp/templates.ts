// The template registry (WHATSAPP_TEMPLATES): outside the 24-hour window WhatsApp only carries
// templates that Meta approved beforehand. For each kind of proactive message the registry names
// the template, the template language to use for each of our languages, how the body parameters
// are filled from the message, and the payloads of its quick-reply buttons.
//
// Meta has no Tigrinya template language: the bundled registry sends Tigrinya speakers the
// English template (English is the language of secondary school in Eritrea). Their answer opens
// the 24-hour window, and everything after it comes in Tigrinya again.
import fs from 'node:fs';
import { z } from 'zod';
import { LANGUAGE_CODES, languageFromLocaleTag, type LanguageCode } from '../../i18n/languages';
import { textOf, translator } from '../../i18n/translator';
import { formatDateTime, formatDay, formatTime, formatTimeRange, titleOf } from '../../../cards/format';
import type { TemplateMessage } from './payloads';

/** The kinds of proactive messages, each sent as its own template outside the window. */
export const TEMPLATE_KINDS = [
  'workshop_invitation',
  'reminder',
  'shift_confirmation',
  'checkin',
  'attendance_request',
  'waitlist_promoted',
  'message_waiting',
] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

/**
 * The payload of message_waiting's button: the person asks for the messages that waited for them.
 * Our own, so the channel recognises it; never shown to people.
 */
export const SHOW_WAITING_PAYLOAD = 'passerelle:show';

// "path.to.value" or "path.to.value:format"; formats: day, time, dateTime (an ISO date), timeRange
// (an object with startsAt and endsAt), title (a workshop session: its title in the language).
const PARAMETER = /^[A-Za-z]\w*(\.[A-Za-z]\w*)*(:(day|time|dateTime|timeRange|title))?$/;
// Meta's template language codes: fr, en_GB, prs_AF...
const META_LANGUAGE = /^[a-z]{2,3}(_[A-Z]{2})?$/;

const entrySchema = z.object({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'a template name is lower case letters, digits and _'),
  languages: z.object(
    Object.fromEntries(
      LANGUAGE_CODES.map((c) => [
        c,
        z.string().regex(META_LANGUAGE, 'must be a Meta language code such as fr or prs_AF'),
      ]),
    ) as Record<LanguageCode, z.ZodString>,
  ),
  parameters: z
    .array(
      z
        .string()
        .regex(
          PARAMETER,
          'must be a path such as session.place, maybe with :day, :time, :dateTime, :timeRange or :title',
        ),
    )
    .max(10)
    .default([]),
  buttons: z.array(z.string().min(1).max(128)).max(10).default([]),
});

const registrySchema = z.record(z.string(), z.unknown());

export type TemplateEntry = z.infer<typeof entrySchema>;
export type TemplateRegistry = Partial<Record<TemplateKind, TemplateEntry>>;

/** Reads and checks the registry file; throws with a readable message. */
export function readTemplateRegistry(file: string): TemplateRegistry {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(err as Error).message})`,
      { cause: err },
    );
  }
  return parseTemplateRegistry(raw);
}

export function parseTemplateRegistry(raw: unknown): TemplateRegistry {
  const top = registrySchema.safeParse(raw);
  if (!top.success) throw new Error('must be a JSON object mapping each kind of message to its template');
  const registry: TemplateRegistry = {};
  const problems: string[] = [];
  for (const [kind, value] of Object.entries(top.data)) {
    if (kind.startsWith('$')) continue; // "$comment" and the like
    if (!(TEMPLATE_KINDS as readonly string[]).includes(kind)) {
      problems.push(`unknown kind "${kind}" (known: ${TEMPLATE_KINDS.join(', ')})`);
      continue;
    }
    const entry = entrySchema.safeParse(value);
    if (!entry.success) {
      problems.push(...entry.error.issues.map((i) => `${kind}.${i.path.join('.')}: ${i.message}`));
      continue;
    }
    registry[kind as TemplateKind] = entry.data;
  }
  if (problems.length) throw new Error(problems.join('; '));
  return registry;
}

/** Kinds the registry has no template for: their messages wait for the person to write. */
export function missingKinds(registry: TemplateRegistry): TemplateKind[] {
  return TEMPLATE_KINDS.filter((k) => !registry[k]);
}

export interface BuiltTemplate {
  message: TemplateMessage;
  /** what the person reads, for the case record (the approved text, filled in) */
  text: string;
  /** the language the template is in (Tigrinya speakers get English) */
  language: LanguageCode;
}

/**
 * The template message of `kind` for a person speaking `locale`, its parameters filled from
 * `values` (the message's own values, plus `person`), formatted in the template's language.
 */
export function buildTemplate(
  entry: TemplateEntry,
  kind: TemplateKind,
  locale: LanguageCode,
  values: Record<string, unknown>,
  timeZone: string,
): BuiltTemplate {
  const code = entry.languages[locale];
  const language = languageFromLocaleTag(code) ?? 'en';
  const parameters = entry.parameters.map((p) => parameterText(p, values, language, timeZone));
  const components: TemplateMessage['template']['components'] = [];
  if (parameters.length)
    components.push({ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) });
  entry.buttons.forEach((payload, index) =>
    components.push({
      type: 'button',
      sub_type: 'quick_reply',
      index: String(index),
      parameters: [{ type: 'payload', payload }],
    }),
  );
  const text = textOf(
    language,
    `whatsapp.templates.${kind}`,
    Object.fromEntries(parameters.map((p, i) => [String(i + 1), p])),
  );
  return {
    message: {
      type: 'template',
      template: { name: entry.name, language: { code }, ...(components.length && { components }) },
    },
    text,
    language,
  };
}

/** One body parameter: the value at the path, formatted; Meta refuses empty ones and line breaks. */
export function parameterText(
  parameter: string,
  values: Record<string, unknown>,
  locale: LanguageCode,
  timeZone: string,
): string {
  const [pathText, format] = parameter.split(':');
  const value = pathText
    .split('.')
    .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), values);
  let text: string | undefined;
  const date = (x: unknown) => {
    const d = x instanceof Date ? x : typeof x === 'string' || typeof x === 'number' ? new Date(x) : undefined;
    return d && !Number.isNaN(d.getTime()) ? d : undefined;
  };
  if (value !== undefined && value !== null) {
    const obj = value as Record<string, unknown>;
    switch (format) {
      case 'day':
        text = date(value) && formatDay(date(value)!, locale, timeZone);
        break;
      case 'time':
        text = date(value) && formatTime(date(value)!, locale, timeZone);
        break;
      case 'dateTime':
        text = date(value) && formatDateTime(date(value)!, locale, timeZone);
        break;
      case 'timeRange':
        text =
          date(obj.startsAt) &&
          date(obj.endsAt) &&
          formatTimeRange(date(obj.startsAt)!, date(obj.endsAt)!, locale, timeZone);
        break;
      case 'title':
        // A workshop's title in the language; anything else (a structure) as it is.
        text =
          typeof obj.workshopCode === 'string'
            ? titleOf(translator(locale), obj as { workshopCode: string; title?: string })
            : typeof obj.title === 'string'
              ? obj.title
              : undefined;
        break;
      default:
        text = typeof value === 'object' ? undefined : String(value);
    }
  }
  const clean = (text ?? '').replace(/\s+/g, ' ').trim().slice(0, 1000);
  return clean || '-';
}
