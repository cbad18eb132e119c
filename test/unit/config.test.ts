import { loadConfig, ConfigError } from '../../bot/config';

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
  expect(() => loadConfig({ MicrosoftAppId: 'abc', MicrosoftAppPassword: 'pw', MicrosoftAppType: 'SingleTenant' })).toThrow(/MicrosoftAppTenantId/);
  expect(loadConfig({ MicrosoftAppId: 'abc', MicrosoftAppPassword: 'pw' }).microsoftApp.appId).toBe('abc');
});
