import { loadConfig, ConfigError } from '../../bot/runtime/config';

test('defaults: port 3978, SQLite file in data/, French, Paris, demo data on', () => {
  const c = loadConfig({});
  expect(c.port).toBe(3978);
  expect(c.databaseProvider).toBe('sqlite');
  expect(c.databaseUrl).toMatch(/^file:\/.*\/data\/passerelle\.db$/);
  expect(c.defaultLocale).toBe('fr');
  expect(c.appTimezone).toBe('Europe/Paris');
  expect(c.demoData).toBe(true);
  expect(c.microsoftApp.appId).toBe('');
  expect(c.directLine.secret).toBe('');
});

test('a postgresql:// URL selects PostgreSQL; empty variables mean "use the default"', () => {
  const c = loadConfig({ DATABASE_URL: 'postgresql://u:p@db:5432/passerelle', PORT: '', DEMO_DATA: 'off' });
  expect(c.databaseProvider).toBe('postgresql');
  expect(c.port).toBe(3978);
  expect(c.demoData).toBe(false);
});

test('DATABASE_POOL_SIZE: 10 connections an instance by default; 0 or a word is refused with its name', () => {
  expect(loadConfig({}).databasePoolSize).toBe(10);
  expect(loadConfig({ DATABASE_POOL_SIZE: '4' }).databasePoolSize).toBe(4);
  for (const bad of ['0', 'many']) expect(() => loadConfig({ DATABASE_POOL_SIZE: bad })).toThrow(/DATABASE_POOL_SIZE/);
});

test('demo data: on by default with the SQLite default only; PostgreSQL gets it only when asked', () => {
  const pg = 'postgresql://u:p@db:5432/passerelle';
  expect(loadConfig({ DATABASE_URL: pg }).demoData).toBe(false);
  expect(loadConfig({ DATABASE_URL: pg, DEMO_DATA: 'on' }).demoData).toBe(true);
  expect(loadConfig({ DATABASE_URL: 'file:./data/other.db' }).demoData).toBe(true);
});

test('security settings: TRUST_PROXY, the emulator switch, retention, frame ancestors', () => {
  const c = loadConfig({});
  expect(c.trustProxy.has('127.0.0.1')).toBe(false);
  expect(c.botFrameworkEmulator).toBe(false);
  expect(c.retentionArchivedDays).toBe(365);
  expect(c.webchatFrameAncestors).toBe("'none'");
  const set = loadConfig({
    TRUST_PROXY: '127.0.0.1,10.0.0.0/8',
    BOTFRAMEWORK_EMULATOR: 'on',
    RETENTION_ARCHIVED_DAYS: '0',
    WEBCHAT_FRAME_ANCESTORS: 'https://partner.example.org',
  });
  expect(set.trustProxy.has('10.2.3.4')).toBe(true);
  expect(set.botFrameworkEmulator).toBe(true);
  expect(set.retentionArchivedDays).toBe(0);
  expect(set.webchatFrameAncestors).toBe('https://partner.example.org');
  expect(loadConfig({ WEBCHAT_FRAME_ANCESTORS: 'none' }).webchatFrameAncestors).toBe("'none'");
  expect(loadConfig({ WEBCHAT_FRAME_ANCESTORS: 'self https://a.example.org' }).webchatFrameAncestors).toBe(
    "'self' https://a.example.org",
  );
  expect(() => loadConfig({ TRUST_PROXY: 'proxy.local' })).toThrow(/TRUST_PROXY must be a list of addresses/);
  expect(() => loadConfig({ WEBCHAT_FRAME_ANCESTORS: "'unsafe-inline'; script-src *" })).toThrow(
    /WEBCHAT_FRAME_ANCESTORS/,
  );
});

test.each([
  ['PORT', 'abc', /PORT must be a whole number \(got "abc"\)/],
  ['PORT', '70000', /PORT must be between 0 and 65535/],
  ['DATABASE_URL', 'mysql://x', /DATABASE_URL must start with file:/],
  ['DEFAULT_LOCALE', 'de', /DEFAULT_LOCALE/],
  ['APP_TIMEZONE', 'Mars/Olympus', /APP_TIMEZONE must be an IANA time zone/],
  ['DEMO_DATA', 'maybe', /DEMO_DATA must be on or off/],
  ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
  ['MicrosoftAppType', 'Other', /MicrosoftAppType/],
  ['DIRECTLINE_SECRET', 'short', /DIRECTLINE_SECRET must be at least 32 characters/],
])('a wrong %s stops start-up with a message naming it', (name, value, message) => {
  expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
  expect(() => loadConfig({ [name]: value })).toThrow(message);
});

test('secrets are never echoed in error messages', () => {
  try {
    loadConfig({ DIRECTLINE_SECRET: 'tiny-secret' });
    throw new Error('should have failed');
  } catch (err) {
    expect((err as Error).message).not.toContain('tiny-secret');
  }
});

test('an app id needs its password, a single tenant needs its tenant id', () => {
  expect(() => loadConfig({ MicrosoftAppId: 'abc' })).toThrow(/MicrosoftAppPassword must be set/);
  expect(() =>
    loadConfig({ MicrosoftAppId: 'abc', MicrosoftAppPassword: 'pw', MicrosoftAppType: 'SingleTenant' }),
  ).toThrow(/MicrosoftAppTenantId/);
  expect(loadConfig({ MicrosoftAppId: 'abc', MicrosoftAppPassword: 'pw' }).microsoftApp.appId).toBe('abc');
});

describe('the WhatsApp channel', () => {
  const secrets = {
    WHATSAPP_ACCESS_TOKEN: 'token-xyz',
    WHATSAPP_APP_SECRET: 'secret-xyz',
    WHATSAPP_VERIFY_TOKEN: 'verify-xyz',
    WHATSAPP_PHONE_NUMBER_ID: '100000000000001',
  };

  test('is off without its secrets, on with all four, with the documented defaults', () => {
    expect(loadConfig({}).whatsapp).toBeUndefined();
    const c = loadConfig(secrets).whatsapp!;
    expect(c).toMatchObject({
      accessToken: 'token-xyz',
      phoneNumberId: '100000000000001',
      graphUrl: 'https://graph.facebook.com/v26.0',
      mps: 80,
      sendLeaseMs: 30000,
    });
    expect(Object.keys(c.templates).sort()).toEqual([
      'attendance_request',
      'checkin',
      'message_waiting',
      'reminder',
      'shift_confirmation',
      'waitlist_promoted',
      'workshop_invitation',
    ]);
  });

  test('with some secrets but not all, start-up stops and names what is missing (never an unsigned webhook)', () => {
    const { WHATSAPP_APP_SECRET: _secret, WHATSAPP_VERIFY_TOKEN: _verify, ...two } = secrets;
    expect(() => loadConfig(two)).toThrow(/WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN are missing/);
    expect(() => loadConfig({ WHATSAPP_APP_SECRET: 'x' })).toThrow(
      /WHATSAPP_ACCESS_TOKEN, WHATSAPP_VERIFY_TOKEN, WHATSAPP_PHONE_NUMBER_ID are missing/,
    );
    try {
      loadConfig(two);
    } catch (err) {
      expect((err as Error).message).not.toContain('token-xyz');
    }
  });

  test('a wrong Graph URL, rate, number id or template registry is refused with its name', () => {
    expect(() => loadConfig({ ...secrets, WHATSAPP_GRAPH_URL: 'graph.facebook.com' })).toThrow(
      /WHATSAPP_GRAPH_URL must be an http/,
    );
    expect(() => loadConfig({ ...secrets, WHATSAPP_MPS: '0' })).toThrow(/WHATSAPP_MPS must be between 1 and 10000/);
    expect(() => loadConfig({ ...secrets, WHATSAPP_PHONE_NUMBER_ID: '+33 1 80' })).toThrow(/WHATSAPP_PHONE_NUMBER_ID/);
    expect(() => loadConfig({ ...secrets, WHATSAPP_TEMPLATES: '/nowhere/templates.json' })).toThrow(
      /WHATSAPP_TEMPLATES .*no such file/,
    );
    expect(() => loadConfig({ SPEECH_TO_TEXT_URL: 'ftp://x' })).toThrow(/SPEECH_TO_TEXT_URL must be an http/);
    expect(loadConfig({ ...secrets, WHATSAPP_GRAPH_URL: 'http://127.0.0.1:9/v26.0/' }).whatsapp!.graphUrl).toBe(
      'http://127.0.0.1:9/v26.0',
    );
  });
});
