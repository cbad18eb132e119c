// Configuration: read once from the environment, validated, then passed down as a plain object.
// A wrong value stops start-up with a message naming the variable (see ConfigError).
import path from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';
import { isLanguageCode, LANGUAGE_CODES, type LanguageCode } from '../i18n/languages';
import { projectRoot } from './paths';
import { readTemplateRegistry, type TemplateRegistry } from '../channels/whatsapp/templates';
import { parseQuietHours, type QuietHours } from '../services/quietHours';
import { NO_PROXY, parseTrustProxy, type TrustedProxies } from '../http/clientAddress';

/** The four secrets that turn the WhatsApp channel on; all or none. */
export const WHATSAPP_SECRETS = [
  'WHATSAPP_ACCESS_TOKEN',
  'WHATSAPP_APP_SECRET',
  'WHATSAPP_VERIFY_TOKEN',
  'WHATSAPP_PHONE_NUMBER_ID',
] as const;
export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com/v26.0';
export const DEFAULT_TEMPLATES = 'bot/channels/whatsapp/template-registry.json';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  /** 'sqlite' or 'postgresql', from the URL */
  databaseProvider: 'sqlite' | 'postgresql';
  /** PostgreSQL connections an instance opens at most for its queries (DATABASE_POOL_SIZE) */
  databasePoolSize: number;
  defaultLocale: LanguageCode;
  appTimezone: string;
  demoData: boolean;
  /** working days the CIP usually takes to answer a message (told to people) */
  cipAnswerDays: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  microsoftApp: {
    appId: string;
    appPassword: string;
    appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
    tenantId: string;
  };
  directLine: {
    /** optional: a secret that opens every conversation, for server-side Direct Line clients */
    secret: string;
    /** lifetime of a Direct Line token, seconds */
    tokenTtlSeconds: number;
    /** a conversation with no activity for this long is forgotten, seconds */
    conversationIdleSeconds: number;
    /** token requests and posts a client address may make a minute (at most that many at once) */
    tokensPerMinute: number;
    postsPerMinute: number;
    /** bytes of activities kept per conversation and in all (the oldest go first) */
    maxConversationBytes: number;
    maxTotalBytes: number;
  };
  /** where files people send (voice notes, photos) are kept, and the largest accepted */
  media: { dir: string; maxBytes: number };
  /** how long a stop may take in all (SHUTDOWN_GRACE_SECONDS), ms */
  shutdownGraceMs: number;
  /** the WhatsApp channel (Meta's Cloud API), when its four secrets are set */
  whatsapp?: WhatsAppConfig;
  /** an HTTP speech-to-text service for voice notes (POST audio, get text), when set */
  speechToTextUrl?: string;
  /** the speech-to-text service's interface: this project's simple one, or OpenAI's (whisper servers) */
  speechToText: { api: 'simple' | 'openai'; model: string; apiKey?: string };
  /** spoken replies (issue 14's "Voice" section of the README) */
  voice: VoiceConfig;
  /** how long a staff sign-in lasts, hours */
  staffSessionHours: number;
  /** the staff dashboard's sign-in ends after this many minutes without a page (DASHBOARD_IDLE_MINUTES) */
  dashboardIdleMinutes: number;
  /** when nothing proactive is sent (local time of APP_TIMEZONE); undefined: never quiet */
  quietHours?: QuietHours;
  /** when the scheduled jobs run (cron expressions in APP_TIMEZONE) */
  jobs: { checkIns: string; reminders: string; attendance: string };
  /** the reverse proxies whose X-Forwarded-For is believed (TRUST_PROXY) */
  trustProxy: TrustedProxies;
  /** /api/messages without MicrosoftAppId: on only when asked (BOTFRAMEWORK_EMULATOR=on), emulator channel only */
  botFrameworkEmulator: boolean;
  /** archived cases are erased this many days after they were archived; 0: never */
  retentionArchivedDays: number;
  /** who may embed the web chat in a frame (CSP frame-ancestors sources); default 'none' */
  webchatFrameAncestors: string;
}

export interface VoiceConfig {
  /** off: nobody hears the bot (VOICE=off) */
  enabled: boolean;
  /** where synthesised clips are kept, and how much of them (bytes) */
  cacheDir: string;
  cacheMaxBytes: number;
  /** an OpenAI-compatible TTS server (Piper, Kokoro...): POST <url>/v1/audio/speech */
  tts?: { url: string; model: string; voices: Partial<Record<LanguageCode, string>>; apiKey?: string };
}

export interface WhatsAppConfig {
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  phoneNumberId: string;
  /** Graph API base with its version, e.g. https://graph.facebook.com/v26.0 */
  graphUrl: string;
  /** messages per second allowed for the number */
  mps: number;
  /** the template registry, read and checked at start-up */
  templates: TemplateRegistry;
  templatesPath: string;
  /** how long a send claimed by an instance stays reserved to it (a crashed one's lapses), ms */
  sendLeaseMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const onOff = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'].includes(v), 'must be on or off')
  .transform((v) => ['on', 'true', '1', 'yes'].includes(v));

const cronExpression = z
  .string()
  .trim()
  .refine((v) => cron.validate(v), 'must be a cron expression such as "0 17 * * 1-5"');

const httpUrl = z
  .string()
  .trim()
  .refine((u) => {
    try {
      return ['http:', 'https:'].includes(new URL(u).protocol);
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL')
  .transform((u) => u.replace(/\/+$/, ''));

const isTimezone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** Every variable we read, with its default. `.env.example` documents the same list. */
const schema = z.object({
  PORT: int(0, 65535).default(3978), // 0: any free port (tests)
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .trim()
    .refine(
      (u) => u.startsWith('file:') || /^postgres(ql)?:\/\//.test(u),
      'must start with file: (SQLite) or postgresql://',
    )
    .default('file:./data/passerelle.db'),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  DEFAULT_LOCALE: z.enum(LANGUAGE_CODES).default('fr'),
  APP_TIMEZONE: z
    .string()
    .trim()
    .refine(isTimezone, 'must be an IANA time zone such as Europe/Paris')
    .default('Europe/Paris'),
  // default: on with the SQLite default database, off with PostgreSQL (see loadConfig)
  DEMO_DATA: onOff.optional(),
  CIP_ANSWER_DAYS: int(1, 30).default(2),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MicrosoftAppId: z.string().trim().default(''),
  MicrosoftAppPassword: z.string().default(''),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MicrosoftAppTenantId: z.string().trim().default(''),
  DIRECTLINE_SECRET: z
    .string()
    .trim()
    .refine((v) => v.length >= 32, 'must be at least 32 characters')
    .optional(),
  DIRECTLINE_TOKEN_TTL: int(60, 86400).default(3600),
  DIRECTLINE_IDLE_TIMEOUT: int(60, 7 * 86400).default(86400),
  DIRECTLINE_TOKENS_PER_MINUTE: int(1, 100000).default(20),
  DIRECTLINE_POSTS_PER_MINUTE: int(1, 100000).default(60),
  DIRECTLINE_MAX_CONVERSATION_BYTES: int(64 * 1024, 64 * 1024 * 1024).default(256 * 1024),
  DIRECTLINE_MAX_TOTAL_BYTES: int(1024 * 1024, 16 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
  SHUTDOWN_GRACE_SECONDS: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a number of seconds')
    .transform(Number)
    .refine((n) => n <= 600, 'must be at most 600')
    .optional(),
  /** the older name, in milliseconds */
  SHUTDOWN_TIMEOUT_MS: int(0, 600000).optional(),
  MEDIA_DIR: z.string().trim().min(1).default('./data/media'),
  MEDIA_MAX_BYTES: int(1024, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  WHATSAPP_ACCESS_TOKEN: z.string().trim().optional(),
  WHATSAPP_APP_SECRET: z.string().trim().optional(),
  WHATSAPP_VERIFY_TOKEN: z.string().trim().optional(),
  WHATSAPP_PHONE_NUMBER_ID: z
    .string()
    .trim()
    .regex(/^\d{1,30}$/, 'must be the number id Meta gives (digits)')
    .optional(),
  WHATSAPP_GRAPH_URL: httpUrl.default(DEFAULT_GRAPH_URL),
  WHATSAPP_MPS: int(1, 10000).default(80),
  WHATSAPP_TEMPLATES: z.string().trim().min(1).default(DEFAULT_TEMPLATES),
  WHATSAPP_SEND_LEASE_SECONDS: int(1, 3600).default(30),
  SPEECH_TO_TEXT_URL: httpUrl.optional(),
  SPEECH_TO_TEXT_API: z.enum(['simple', 'openai']).default('simple'),
  SPEECH_TO_TEXT_MODEL: z.string().trim().min(1).default('whisper-1'),
  SPEECH_TO_TEXT_API_KEY: z.string().trim().optional(),
  VOICE: onOff.default(true),
  VOICE_CACHE_DIR: z.string().trim().min(1).default('./data/voice-cache'),
  VOICE_CACHE_MB: int(1, 100_000).default(200),
  TTS_URL: httpUrl.optional(),
  TTS_MODEL: z.string().trim().min(1).default('tts-1'),
  TTS_VOICES: z
    .string()
    .trim()
    .refine((v) => parseVoices(v) !== undefined, 'must be a list such as fr:siwis,en:alba (language:voice)')
    .default(''),
  TTS_API_KEY: z.string().trim().optional(),
  STAFF_SESSION_HOURS: int(1, 24 * 30).default(12),
  DASHBOARD_IDLE_MINUTES: int(5, 24 * 60).default(30),
  QUIET_HOURS: z
    .string()
    .trim()
    .refine((v) => parseQuietHours(v) !== undefined, 'must be two times such as 21:00-08:00, or off')
    .default('21:00-08:00'),
  CHECKIN_CRON: cronExpression.default('0 17 * * 1-5'),
  REMINDER_CRON: cronExpression.default('0 18 * * *'),
  ATTENDANCE_CRON: cronExpression.default('30 17 * * 1-5'),
  TRUST_PROXY: z
    .string()
    .trim()
    .superRefine((v, ctx) => {
      const parsed = parseTrustProxy(v);
      if (typeof parsed === 'string')
        ctx.addIssue({ code: 'custom', message: `must be a list of addresses or CIDR ranges: ${parsed}` });
    })
    .optional(),
  BOTFRAMEWORK_EMULATOR: onOff.default(false),
  RETENTION_ARCHIVED_DAYS: int(0, 36500).default(365),
  WEBCHAT_FRAME_ANCESTORS: z
    .string()
    .trim()
    // none and self may come without their quotes (a .env file strips them)
    .transform((v) =>
      v
        .split(/\s+/)
        .map((t) => (/^'?(none|self)'?$/.test(t) ? `'${t.replace(/'/g, '')}'` : t))
        .join(' '),
    )
    .refine(
      (v) => v === "'none'" || /^('self'|https?:\/\/[\w.:*-]+)( ('self'|https?:\/\/[\w.:*-]+))*$/.test(v),
      "must be 'none' or a space-separated list of origins such as https://partner.example.org",
    )
    .default("'none'"),
});

/** Resolves a relative SQLite path against the project root, so the database does not depend on the cwd. */
function normaliseSqliteUrl(url: string): string {
  const file = url.slice('file:'.length);
  if (file === ':memory:' || path.isAbsolute(file)) return url;
  return `file:${path.resolve(projectRoot, file)}`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set": take the default.
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        const got =
          typeof env[name] === 'string' && !/PASSWORD|SECRET|TOKEN/i.test(name) ? ` (got "${env[name]}")` : '';
        return `${name} ${issue.message}${got}`;
      }),
    );
  }
  const v = parsed.data;
  const problems: string[] = [];
  if (v.MicrosoftAppId && v.MicrosoftAppType !== 'UserAssignedMSI' && !v.MicrosoftAppPassword) {
    problems.push(
      'MicrosoftAppPassword must be set when MicrosoftAppId is set (or use MicrosoftAppType=UserAssignedMSI)',
    );
  }
  if (v.MicrosoftAppType === 'SingleTenant' && !v.MicrosoftAppTenantId) {
    problems.push('MicrosoftAppTenantId must be set when MicrosoftAppType is SingleTenant');
  }
  const whatsapp = whatsappConfig(v, problems);
  if (problems.length) throw new ConfigError(problems);

  const provider = v.DATABASE_URL.startsWith('file:') ? 'sqlite' : 'postgresql';
  return {
    port: v.PORT,
    host: v.HOST,
    databaseUrl: provider === 'sqlite' ? normaliseSqliteUrl(v.DATABASE_URL) : v.DATABASE_URL,
    databasePoolSize: v.DATABASE_POOL_SIZE,
    databaseProvider: provider,
    defaultLocale: v.DEFAULT_LOCALE,
    appTimezone: v.APP_TIMEZONE,
    demoData: v.DEMO_DATA ?? provider === 'sqlite',
    cipAnswerDays: v.CIP_ANSWER_DAYS,
    logLevel: v.LOG_LEVEL,
    microsoftApp: {
      appId: v.MicrosoftAppId,
      appPassword: v.MicrosoftAppPassword,
      appType: v.MicrosoftAppType,
      tenantId: v.MicrosoftAppTenantId,
    },
    directLine: {
      secret: v.DIRECTLINE_SECRET ?? '',
      tokenTtlSeconds: v.DIRECTLINE_TOKEN_TTL,
      conversationIdleSeconds: v.DIRECTLINE_IDLE_TIMEOUT,
      tokensPerMinute: v.DIRECTLINE_TOKENS_PER_MINUTE,
      postsPerMinute: v.DIRECTLINE_POSTS_PER_MINUTE,
      maxConversationBytes: v.DIRECTLINE_MAX_CONVERSATION_BYTES,
      maxTotalBytes: v.DIRECTLINE_MAX_TOTAL_BYTES,
    },
    media: { dir: path.resolve(projectRoot, v.MEDIA_DIR), maxBytes: v.MEDIA_MAX_BYTES },
    shutdownGraceMs:
      v.SHUTDOWN_GRACE_SECONDS !== undefined
        ? Math.round(v.SHUTDOWN_GRACE_SECONDS * 1000)
        : (v.SHUTDOWN_TIMEOUT_MS ?? 10000),
    ...(whatsapp && { whatsapp }),
    ...(v.SPEECH_TO_TEXT_URL && { speechToTextUrl: v.SPEECH_TO_TEXT_URL }),
    speechToText: { api: v.SPEECH_TO_TEXT_API, model: v.SPEECH_TO_TEXT_MODEL, apiKey: v.SPEECH_TO_TEXT_API_KEY },
    voice: {
      enabled: v.VOICE,
      cacheDir: path.resolve(projectRoot, v.VOICE_CACHE_DIR),
      cacheMaxBytes: v.VOICE_CACHE_MB * 1024 * 1024,
      ...(v.TTS_URL && {
        tts: { url: v.TTS_URL, model: v.TTS_MODEL, voices: parseVoices(v.TTS_VOICES)!, apiKey: v.TTS_API_KEY },
      }),
    },
    staffSessionHours: v.STAFF_SESSION_HOURS,
    dashboardIdleMinutes: v.DASHBOARD_IDLE_MINUTES,
    ...quiet(v.QUIET_HOURS, v.APP_TIMEZONE),
    jobs: { checkIns: v.CHECKIN_CRON, reminders: v.REMINDER_CRON, attendance: v.ATTENDANCE_CRON },
    trustProxy: v.TRUST_PROXY ? (parseTrustProxy(v.TRUST_PROXY) as TrustedProxies) : NO_PROXY,
    botFrameworkEmulator: v.BOTFRAMEWORK_EMULATOR,
    retentionArchivedDays: v.RETENTION_ARCHIVED_DAYS,
    webchatFrameAncestors: v.WEBCHAT_FRAME_ANCESTORS,
  };
}

/** "fr:siwis,en:alba" -> {fr: 'siwis', en: 'alba'}; undefined when a part is not language:voice. */
export function parseVoices(text: string): Partial<Record<LanguageCode, string>> | undefined {
  const voices: Partial<Record<LanguageCode, string>> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [code, voice] = part.split(':').map((p) => p.trim());
    if (!code || !voice || !isLanguageCode(code)) return undefined;
    voices[code] = voice;
  }
  return voices;
}

function quiet(text: string, timeZone: string): { quietHours?: QuietHours } {
  const parsed = parseQuietHours(text);
  return parsed && parsed !== 'off' ? { quietHours: { ...parsed, timeZone } } : {};
}

/**
 * The WhatsApp channel is on when its four secrets are set. Some but not all of them is a
 * mistake that would leave the webhook open to unsigned posts or unable to answer: refused.
 */
function whatsappConfig(v: z.infer<typeof schema>, problems: string[]): WhatsAppConfig | undefined {
  const set = WHATSAPP_SECRETS.filter((name) => v[name]);
  if (set.length === 0) return undefined;
  if (set.length < WHATSAPP_SECRETS.length) {
    const missing = WHATSAPP_SECRETS.filter((name) => !v[name]);
    problems.push(
      `the WhatsApp channel needs all four of ${WHATSAPP_SECRETS.join(', ')}: ${missing.join(', ')} ` +
        `${missing.length > 1 ? 'are' : 'is'} missing`,
    );
    return undefined;
  }
  const templatesPath = path.resolve(projectRoot, v.WHATSAPP_TEMPLATES);
  let templates: TemplateRegistry;
  try {
    templates = readTemplateRegistry(templatesPath);
  } catch (err) {
    problems.push(`WHATSAPP_TEMPLATES (${templatesPath}): ${(err as Error).message}`);
    return undefined;
  }
  return {
    accessToken: v.WHATSAPP_ACCESS_TOKEN!,
    appSecret: v.WHATSAPP_APP_SECRET!,
    verifyToken: v.WHATSAPP_VERIFY_TOKEN!,
    phoneNumberId: v.WHATSAPP_PHONE_NUMBER_ID!,
    graphUrl: v.WHATSAPP_GRAPH_URL,
    mps: v.WHATSAPP_MPS,
    templates,
    templatesPath,
    sendLeaseMs: v.WHATSAPP_SEND_LEASE_SECONDS * 1000,
  };
}
