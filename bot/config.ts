// Configuration: read once from the environment, validated, then passed down as a plain object.
// A wrong value stops start-up with a message naming the variable (see ConfigError).
import path from 'node:path';
import { z } from 'zod';
import { LANGUAGE_CODES, type LanguageCode } from './languages';
import { projectRoot } from './paths';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  /** 'sqlite' or 'postgresql', from the URL */
  databaseProvider: 'sqlite' | 'postgresql';
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
  };
  /** where files people send (voice notes, photos) are kept, and the largest accepted */
  media: { dir: string; maxBytes: number };
  shutdownTimeoutMs: number;
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
    .refine((u) => u.startsWith('file:') || /^postgres(ql)?:\/\//.test(u), 'must start with file: (SQLite) or postgresql://')
    .default('file:./data/passerelle.db'),
  DEFAULT_LOCALE: z.enum(LANGUAGE_CODES).default('fr'),
  APP_TIMEZONE: z.string().trim().refine(isTimezone, 'must be an IANA time zone such as Europe/Paris').default('Europe/Paris'),
  DEMO_DATA: onOff.default(true),
  CIP_ANSWER_DAYS: int(1, 30).default(2),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MicrosoftAppId: z.string().trim().default(''),
  MicrosoftAppPassword: z.string().default(''),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MicrosoftAppTenantId: z.string().trim().default(''),
  DIRECTLINE_SECRET: z.string().trim().refine((v) => v.length >= 32, 'must be at least 32 characters').optional(),
  DIRECTLINE_TOKEN_TTL: int(60, 86400).default(3600),
  DIRECTLINE_IDLE_TIMEOUT: int(60, 7 * 86400).default(86400),
  SHUTDOWN_TIMEOUT_MS: int(0, 600000).default(10000),
  MEDIA_DIR: z.string().trim().min(1).default('./data/media'),
  MEDIA_MAX_BYTES: int(1024, 100 * 1024 * 1024).default(10 * 1024 * 1024),
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
        const got = typeof env[name] === 'string' && !/PASSWORD|SECRET|TOKEN/i.test(name) ? ` (got "${env[name]}")` : '';
        return `${name} ${issue.message}${got}`;
      }),
    );
  }
  const v = parsed.data;
  const problems: string[] = [];
  if (v.MicrosoftAppId && v.MicrosoftAppType !== 'UserAssignedMSI' && !v.MicrosoftAppPassword) {
    problems.push('MicrosoftAppPassword must be set when MicrosoftAppId is set (or use MicrosoftAppType=UserAssignedMSI)');
  }
  if (v.MicrosoftAppType === 'SingleTenant' && !v.MicrosoftAppTenantId) {
    problems.push('MicrosoftAppTenantId must be set when MicrosoftAppType is SingleTenant');
  }
  if (problems.length) throw new ConfigError(problems);

  const provider = v.DATABASE_URL.startsWith('file:') ? 'sqlite' : 'postgresql';
  return {
    port: v.PORT,
    host: v.HOST,
    databaseUrl: provider === 'sqlite' ? normaliseSqliteUrl(v.DATABASE_URL) : v.DATABASE_URL,
    databaseProvider: provider,
    defaultLocale: v.DEFAULT_LOCALE,
    appTimezone: v.APP_TIMEZONE,
    demoData: v.DEMO_DATA,
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
    },
    media: { dir: path.resolve(projectRoot, v.MEDIA_DIR), maxBytes: v.MEDIA_MAX_BYTES },
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
  };
}
