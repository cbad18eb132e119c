// Staff accounts under attack, on the real server: password guessing (locks shared by two
// instances on one PostgreSQL database, per account and per client address, IPv6 by /64), a forged
// X-Forwarded-For, a flood of sign-ins against the hash queue, a stolen session changing the
// password, an old one-time password, a CIP re-pointing an employer's phone number; and the traces:
// audit rows with the real client address, an audit row for every action an employer contact takes
// by chat, no-store on personal data, error logs without the values of the query. Each attack
// fails, and the legitimate use beside it still works.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { App } from '../../bot/runtime/app';
import { Api } from '../../bot/api/http';
import { openDatabase } from '../../bot/db/client';
import { createLogger } from '../../bot/runtime/logger';
import { safeError } from '../../bot/runtime/safeError';
import { close, createServer, listen } from '../../bot/runtime/server';
import { requestShiftAttendance } from '../../bot/services/attendance';
import { ACCOUNT_RULE, ADDRESS_RULE } from '../../bot/services/loginThrottle';
import { createStaff, HASH_SLOTS, hashesInFlight, hashPassword, verifyPassword } from '../../bot/services/staff';
import { zonedTime } from '../../bot/services/time';
import { warmUpRecognizers } from '../../dialogs/recognizers/choice';
import { appForTests, startTestApp } from '../support/app';
import { useHarness } from '../support/botHarness';
import { apiError, signedIn } from '../support/cipApi';
import { jardinsWithAmina } from '../support/employerFixture';
import { runTsScript } from '../support/tsScript';
import { createTempSqlite } from '../support/databases';
import { createTempPostgres, type TempDatabase } from '../support/postgres';

jest.setTimeout(120_000);

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** A request from a chosen loopback address (127.0.0.2 is not our proxy), with any headers. */
function call(
  app: App,
  method: string,
  urlPath: string,
  options: { body?: unknown; token?: string; from?: string; forwardedFor?: string } = {},
): Promise<Answer> {
  const url = new URL(urlPath, app.url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        localAddress: options.from,
        headers: {
          // (the API speaks French by default; these tests read its English)
          'Accept-Language': 'en',
          ...(payload && { 'Content-Type': 'application/json' }),
          ...(options.token && { Authorization: `Bearer ${options.token}` }),
          ...(options.forwardedFor && { 'X-Forwarded-For': options.forwardedFor }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const signIn = (app: App, email: string, password: string, from: { forwardedFor?: string; from?: string } = {}) =>
  call(app, 'POST', '/api/cip/session', { body: { email, password }, ...from });
/** The status of that sign-in. */
const signInStatus = async (...args: Parameters<typeof signIn>) => (await signIn(...args)).status;
/** The error code of that sign-in, refused. */
const signInError = async (...args: Parameters<typeof signIn>) => (await signIn(...args)).body.error.code;

/** An account with its own password (the one-time one already replaced). */
async function account(app: App, email: string, password: string, now?: Date): Promise<void> {
  const { password: once } = await createStaff(app.db.prisma, { email, role: 'cip' }, now);
  const first = await signIn(app, email, once, { forwardedFor: '192.0.2.250' });
  expect(first.status).toBe(200);
  expect((await call(app, 'POST', '/api/cip/password', { token: first.body.token, body: { password } })).status).toBe(
    200,
  );
}

/** `npm run staff:create` itself (the script, on the given database): the one-time password it prints. */
async function staffCreateScript(databaseUrl: string, email: string): Promise<string> {
  const { code, out } = await runTsScript('staff-create', ['--email', email, '--role', 'cip'], {
    DATABASE_URL: databaseUrl,
  });
  const match = /One-time password: (\S+)/.exec(out);
  if (code === 0 && match) return match[1];
  throw new Error(`staff:create exited ${code}: ${out}`);
}

const loginAudits = (app: App) =>
  app.db.prisma.auditEvent.findMany({ where: { action: 'login' }, orderBy: { id: 'asc' } });

const pg = process.env.PASSERELLE_TEST_PG === '1' ? describe : describe.skip;

pg('two instances on one PostgreSQL database share the login lock', () => {
  let tmp: TempDatabase;
  let one: App;
  let two: App;
  const clock = { now: new Date() };
  beforeAll(async () => {
    tmp = await createTempPostgres();
    const env = { DEMO_DATA: 'off', TRUST_PROXY: '127.0.0.1' };
    one = await startTestApp(tmp.url, env, { now: () => clock.now });
    two = await startTestApp(tmp.url, env, { now: () => clock.now });
  });
  afterAll(async () => {
    await one?.stop();
    await two?.stop();
    await tmp?.drop();
  });

  test(
    '10 wrong passwords spread over both lock the account on both, even for the right password, until the lock ' +
      'ends',
    async () => {
      await account(one, 'lea@passerelle.test', 'right password 42');
      const from = { forwardedFor: '198.51.100.20' };
      for (let i = 0; i < ACCOUNT_RULE.failures; i++) {
        const wrong = await signIn(i % 2 ? two : one, 'lea@passerelle.test', `guess ${i}`, from);
        expect(wrong.status).toBe(401);
      }
      for (const app of [one, two]) {
        const refused = await signIn(app, 'lea@passerelle.test', 'right password 42', from);
        expect(refused.status).toBe(429);
        expect(refused.body.error.code).toBe('AccountLocked');
        expect(refused.body.error.message).toMatch(/locked for 15 more minute/);
        expect(Number(refused.headers['retry-after'])).toBe(900);
      }
      // From elsewhere too: it is the account that is locked.
      expect(await signInError(two, 'lea@passerelle.test', 'right password 42', { forwardedFor: '203.0.113.77' })).toBe(
        'AccountLocked',
      );
      expect((await loginAudits(one)).at(-1)).toMatchObject({
        ip: '203.0.113.77',
        detail: { ok: false, reason: 'account_locked' },
      });

      clock.now = new Date(clock.now.getTime() + 14 * 60_000);
      const later = await signIn(one, 'lea@passerelle.test', 'right password 42', from);
      expect(later.status).toBe(429);
      expect(Number(later.headers['retry-after'])).toBe(60);
      clock.now = new Date(clock.now.getTime() + 60_000);
      expect(await signInStatus(two, 'lea@passerelle.test', 'right password 42', from)).toBe(200);
      // The count started over: one more wrong password does not lock it again.
      expect(await signInStatus(one, 'lea@passerelle.test', 'guess again', from)).toBe(401);
      expect(await signInStatus(one, 'lea@passerelle.test', 'right password 42', from)).toBe(200);
    },
  );

  test(
    'the owner of a locked account gets back in through an admin: npm run staff:create gives a new one-time ' +
      'password and ends the lock',
    async () => {
      await account(one, 'yann@passerelle.test', 'right password 43');
      await Promise.all(
        Array.from({ length: ACCOUNT_RULE.failures }, (_, i) =>
          signIn(i % 2 ? two : one, 'yann@passerelle.test', `guess ${i}`, { forwardedFor: '198.51.100.21' }),
        ),
      );
      expect(await signInError(two, 'yann@passerelle.test', 'right password 43')).toBe('AccountLocked');
      const once = await staffCreateScript(tmp.url, 'yann@passerelle.test');
      const back = await signIn(two, 'yann@passerelle.test', once);
      expect(back.status).toBe(200);
      expect(back.body.staff.mustChangePassword).toBe(true);
      // The old password is gone with the reset.
      expect(await signInStatus(one, 'yann@passerelle.test', 'right password 43')).toBe(401);
    },
  );
});

describe('one instance (SQLite): client addresses, passwords, phones, headers', () => {
  const clock = { now: new Date() };
  const testApp = appForTests({ TRUST_PROXY: '127.0.0.1' }, { now: () => clock.now });
  type Client = Parameters<typeof signIn>[3];
  /** The right password is refused from `throttled` (too many attempts there), and signs in from `other`. */
  async function expectThrottledFrom(throttled: Client, other: Client, email: string, password: string) {
    expect(await signInError(testApp(), email, password, throttled)).toBe('TooManyAttempts');
    expect(await signInStatus(testApp(), email, password, other)).toBe(200);
  }

  test('many accounts tried from one address: it waits (429, Retry-After), another address signs in', async () => {
    await account(testApp(), 'ines@passerelle.test', 'right password 44');
    const attacker = { forwardedFor: '198.51.100.7' };
    const guesses = await Promise.all(
      Array.from({ length: ADDRESS_RULE.failures }, (_, i) =>
        signIn(testApp(), `victim${i}@passerelle.test`, 'Summer2026!', attacker),
      ),
    );
    expect(guesses.map((g) => g.status)).toEqual(Array(ADDRESS_RULE.failures).fill(401));
    const refused = await signIn(testApp(), 'ines@passerelle.test', 'right password 44', attacker);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toEqual(
      apiError(
        'TooManyAttempts',
        'TooManyAttempts',
        'Too many wrong passwords from your network: try again in 15 minute(s).',
        { minutes: 15 },
      ),
    );
    expect(Number(refused.headers['retry-after'])).toBe(900);
    expect(
      await signInStatus(testApp(), 'ines@passerelle.test', 'right password 44', { forwardedFor: '198.51.100.8' }),
    ).toBe(200);
  });

  test(
    'a burst of 20 guesses sent at once: at most 10 (+1 per hash slot) get an answer, the right one among the ' +
      'rest is not told',
    async () => {
      await account(testApp(), 'noe@passerelle.test', 'right password 50');
      const burst = Array.from({ length: 20 }, (_, i) => (i === 19 ? 'right password 50' : `guess ${i}`));
      const answers = await Promise.all(
        burst.map((password, i) =>
          signIn(testApp(), 'noe@passerelle.test', password, { forwardedFor: `198.51.100.${100 + i}` }),
        ),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(ACCOUNT_RULE.failures);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(ACCOUNT_RULE.failures + HASH_SLOTS - 1);
      expect(statuses.filter((s) => s === 429).length + statuses.filter((s) => s === 401).length).toBe(20);
      expect(answers[19].body.error.code).toBe('AccountLocked');
      expect(
        await testApp().db.prisma.staffSession.count({ where: { staffUser: { email: 'noe@passerelle.test' } } }),
      ).toBe(1); // the one of account()
    },
  );

  test('IPv6 addresses of one /64 share a bucket; the next /64 does not', async () => {
    await account(testApp(), 'tom@passerelle.test', 'right password 45');
    // A client picks any address in its /64: a new one for every guess.
    const address = (i: number) => `2001:db8:1:2:${(i + 1).toString(16)}::${(i * 7 + 3).toString(16)}`;
    const guesses = await Promise.all(
      Array.from({ length: ADDRESS_RULE.failures }, (_, i) =>
        signIn(testApp(), `v6victim${i}@passerelle.test`, 'Summer2026!', { forwardedFor: address(i) }),
      ),
    );
    expect(guesses.map((g) => g.status)).toEqual(Array(ADDRESS_RULE.failures).fill(401));
    await expectThrottledFrom(
      { forwardedFor: '2001:db8:1:2:ffff:ffff:ffff:fffe' },
      { forwardedFor: '2001:db8:1:3::1' },
      'tom@passerelle.test',
      'right password 45',
    );
  });

  test('X-Forwarded-For is believed from TRUST_PROXY only; the audit row has the real client address', async () => {
    await account(testApp(), 'zoe@passerelle.test', 'right password 46');
    // Through our proxy (127.0.0.1): the client it names, read from the right (a client's own "X-Forwarded-For:
    // 6.6.6.6" is not believed).
    expect(
      await signInStatus(testApp(), 'zoe@passerelle.test', 'right password 46', {
        forwardedFor: '6.6.6.6, 203.0.113.9',
      }),
    ).toBe(200);
    expect((await loginAudits(testApp())).at(-1)).toMatchObject({ ip: '203.0.113.9', detail: { ok: true } });
    // Straight from 127.0.0.2, not a proxy of ours: the header is ignored.
    expect(
      await signInStatus(testApp(), 'zoe@passerelle.test', 'wrong', {
        from: '127.0.0.2',
        forwardedFor: '203.0.113.10',
      }),
    ).toBe(401);
    expect((await loginAudits(testApp())).at(-1)).toMatchObject({
      ip: '127.0.0.2',
      detail: { ok: false, email: 'zoe@passerelle.test' },
    });
    // So an attacker there cannot dodge the address throttle by naming a new address each time.
    await Promise.all(
      Array.from({ length: ADDRESS_RULE.failures - 1 }, (_, i) =>
        signIn(testApp(), `spoof${i}@passerelle.test`, 'Summer2026!', {
          from: '127.0.0.2',
          forwardedFor: `198.18.0.${i}`,
        }),
      ),
    );
    await expectThrottledFrom(
      { from: '127.0.0.2', forwardedFor: '198.18.1.1' },
      { forwardedFor: '198.18.1.1' },
      'zoe@passerelle.test',
      'right password 46',
    );
  });

  test('a password change needs the current one (wrong: 403, counted), except just after a one-time one', async () => {
    const { password: once } = await createStaff(
      testApp().db.prisma,
      { email: 'marc@passerelle.test', role: 'cip' },
      clock.now,
    );
    const first = await signIn(testApp(), 'marc@passerelle.test', once, { forwardedFor: '192.0.2.1' });
    const token = first.body.token;
    /** A password change through this session. */
    const change = (body: object) => call(testApp(), 'POST', '/api/cip/password', { token, body });
    expect((await change({ password: 'first choice 47' })).status).toBe(200);
    // A session left open is not the person: no current password, no change.
    const missing = await change({ password: 'taken over 666' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toEqual([
      { path: 'currentPassword', message: 'your current password is needed to choose a new one' },
    ]);
    const wrong = await change({ currentPassword: 'a guess', password: 'taken over 666' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('WrongPassword');
    expect(await signInStatus(testApp(), 'marc@passerelle.test', 'taken over 666', { forwardedFor: '192.0.2.2' })).toBe(
      401,
    );
    // Guessing the current password through the session counts towards the account's lock.
    for (let i = 1; i < ACCOUNT_RULE.failures; i++)
      await change({ currentPassword: `guess ${i}`, password: 'taken over 666' });
    expect((await change({ currentPassword: 'first choice 47', password: 'second choice 48' })).status).toBe(429);
    clock.now = new Date(clock.now.getTime() + 16 * 60_000);
    expect((await change({ currentPassword: 'first choice 47', password: 'second choice 48' })).status).toBe(200);
    expect(
      await signInStatus(testApp(), 'marc@passerelle.test', 'second choice 48', { forwardedFor: '192.0.2.2' }),
    ).toBe(200);
    expect(
      (await testApp().db.prisma.staffUser.findUniqueOrThrow({ where: { email: 'marc@passerelle.test' } }))
        .passwordSetAt,
    ).toEqual(clock.now);
  });

  test('a one-time password more than 72 hours old is refused with a clear message; a fresh one works', async () => {
    const { password: old } = await createStaff(
      testApp().db.prisma,
      { email: 'aya@passerelle.test', role: 'cip' },
      new Date(clock.now.getTime() - 72 * 3600_000 - 60_000),
    );
    const refused = await signIn(testApp(), 'aya@passerelle.test', old, { forwardedFor: '192.0.2.3' });
    expect(refused.status).toBe(401);
    expect(refused.body.error).toEqual({
      code: 'OneTimePasswordExpired',
      reason: 'OneTimePasswordExpired',
      params: { hours: 72 },
      message: 'This one-time password is more than 72 hours old: ask an admin for a new one.',
    });
    expect((await loginAudits(testApp())).at(-1)).toMatchObject({
      staffUserId: null,
      detail: { ok: false, reason: 'one_time_password_expired' },
    });
    // A wrong password for that account still says only "wrong".
    expect(await signInError(testApp(), 'aya@passerelle.test', 'nope', { forwardedFor: '192.0.2.3' })).toBe(
      'Unauthorized',
    );
    const { password: fresh } = await createStaff(
      testApp().db.prisma,
      { email: 'aya@passerelle.test', role: 'cip' },
      new Date(clock.now.getTime() - 71 * 3600_000),
    );
    expect(await signInStatus(testApp(), 'aya@passerelle.test', fresh, { forwardedFor: '192.0.2.3' })).toBe(200);
  });

  test("a CIP may not set or change an employer contact's phone (403, unchanged); a coordinator may", async () => {
    const [cip, coordinator] = [await signedIn(testApp(), 'cip'), await signedIn(testApp(), 'coordinator')];
    const structure = (await coordinator.call('POST', '/api/cip/structures', { name: 'Atelier Vélo', kind: 'siae' }))
      .body;
    const added = await cip.call('POST', `/api/cip/structures/${structure.id}/contacts`, {
      firstName: 'Eve',
      phone: '06 99 00 00 01',
    });
    expect(added.status).toBe(403);
    expect(added.body.error.message).toMatch(
      /Only a coordinator or an admin may set or change a contact's phone number/,
    );
    expect(await testApp().db.prisma.contact.count({ where: { structureId: structure.id } })).toBe(0);
    const contact = (
      await coordinator.call('POST', `/api/cip/structures/${structure.id}/contacts`, {
        firstName: 'Sam',
        phone: '06 99 00 00 02',
      })
    ).body;
    expect(contact.phone).toBe('+33699000002');
    // The CIP takes over the number the bot trusts: refused, also to remove it.
    expect((await cip.call('PATCH', `/api/cip/contacts/${contact.id}`, { phone: '06 99 00 00 03' })).status).toBe(403);
    expect((await cip.call('PATCH', `/api/cip/contacts/${contact.id}`, { phone: null })).status).toBe(403);
    expect((await testApp().db.prisma.contact.findUniqueOrThrow({ where: { id: contact.id } })).phone).toBe(
      '+33699000002',
    );
    // Other fields, or the same number sent back with them: fine.
    expect(
      (await cip.call('PATCH', `/api/cip/contacts/${contact.id}`, { firstName: 'Samuel', phone: '+33699000002' })).body,
    ).toMatchObject({ firstName: 'Samuel', phone: '+33699000002' });
    expect(
      (await coordinator.call('PATCH', `/api/cip/contacts/${contact.id}`, { phone: '06 99 00 00 03' })).body.phone,
    ).toBe('+33699000003');
  });

  test('every /api/cip answer says Cache-Control: no-store, errors included', async () => {
    const cip = await signedIn(testApp(), 'cip');
    const answers = [
      await call(testApp(), 'GET', '/api/cip/me', { token: cip.token }),
      await call(testApp(), 'GET', '/api/cip/beneficiaries', { token: cip.token }),
      await call(testApp(), 'GET', '/api/cip/beneficiaries'),
      await call(testApp(), 'GET', '/api/cip/beneficiaries/999999', { token: cip.token }),
      await call(testApp(), 'GET', '/api/cip/beneficiaries?limit=abc', { token: cip.token }),
      await call(testApp(), 'GET', '/api/cip/no-such-thing', { token: cip.token }),
      await call(testApp(), 'POST', '/api/cip/session', {
        body: { email: 'nobody@passerelle.test', password: 'x' },
        forwardedFor: '192.0.2.9',
      }),
      await call(testApp(), 'GET', '/api/cip/openapi.json'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 404, 400, 404, 401, 200]);
    for (const a of answers) expect(a.headers['cache-control']).toBe('no-store');
  });
});

describe('at most two password hashes at once', () => {
  test('10 sign-ins at once: never more than 2 hashes running, and a file read is not stuck behind them', async () => {
    const stored = await hashPassword('right password 49');
    let peak = 0;
    let done = 0;
    const calls = Array.from({ length: 10 }, (_, i) =>
      (i % 2 ? hashPassword(`new password ${i}`) : verifyPassword(`guess ${i}`, stored)).finally(() => done++),
    );
    const all = Promise.all(calls);
    let watching = true;
    void all.finally(() => (watching = false));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-io-')), 'f.txt');
    fs.writeFileSync(file, 'x');
    // libuv's pool has 4 threads: with 10 hashes in it, this read would wait for 7 of them.
    const read = fs.promises.readFile(file, 'utf8').then(() => done);
    while (watching) {
      peak = Math.max(peak, hashesInFlight());
      await new Promise((r) => setImmediate(r));
    }
    await all;
    expect(await read).toBeLessThanOrEqual(HASH_SLOTS);
    expect(peak).toBe(HASH_SLOTS);
    expect(hashesInFlight()).toBe(0);
    expect(await verifyPassword('right password 49', stored)).toBe(true);
  });
});

describe('logs carry no query values', () => {
  /** A CIP API on a server of its own over a temporary SQLite database, the lines it logs kept; `stop` ends it all. */
  async function loggedApi() {
    const tmp = await createTempSqlite();
    const db = await openDatabase(tmp.url);
    const lines: string[] = [];
    const log = createLogger('info', new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) }));
    const server = createServer(db, log);
    const api = new Api(server, { db, log, now: () => new Date() });
    const stop = async () => {
      await close(server, 1000);
      await db.close();
      await tmp.drop();
    };
    return { db, lines, server, api, stop };
  }

  test(
    'a Prisma error holding a phone number and a name is logged as its code and model, without them; the ' +
      'caller gets a plain 500',
    async () => {
      const { db, lines, server, api, stop } = await loggedApi();
      api.route(
        { method: 'post', path: '/api/cip/probe', summary: 'a handler with a bug', tag: 'test', roles: 'public' },
        async () =>
          db.prisma.beneficiary.create({
            data: { firstName: 'Zainab', phone: '+33612345678', nickname: 'Zaza' } as never,
          }),
      );
      api.route(
        { method: 'post', path: '/api/cip/probe2', summary: 'a duplicate', tag: 'test', roles: 'public' },
        async () => {
          await db.prisma.beneficiary.create({ data: { firstName: 'Zainab', phone: '+33687654321' } });
          return db.prisma.beneficiary.create({ data: { firstName: 'Zainab', phone: '+33687654321' } });
        },
      );
      await listen(server, 0, '127.0.0.1');
      try {
        const url = `http://127.0.0.1:${server.address().port}`;
        const res = await fetch(`${url}/api/cip/probe`, { method: 'POST', headers: { 'Accept-Language': 'en' } });
        expect(res.status).toBe(500);
        expect(await res.json()).toEqual({
          error: {
            code: 'InternalError',
            reason: 'InternalError',
            params: {},
            message: 'Something went wrong on our side; it is logged.',
          },
        });
        expect((await fetch(`${url}/api/cip/probe2`, { method: 'POST' })).status).toBe(500);
        const errors = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'cip api: request failed');
        expect(errors).toHaveLength(2);
        expect(errors[0]).toMatchObject({
          route: '/api/cip/probe',
          err: { name: 'PrismaClientValidationError', model: 'beneficiary', operation: 'create' },
        });
        expect(errors[1]).toMatchObject({
          route: '/api/cip/probe2',
          err: { name: 'PrismaClientKnownRequestError', code: 'P2002', model: 'Beneficiary', fields: ['phone'] },
        });
        expect(errors[0].err.stack).toMatch(/^\s+at /);
        const all = lines.join('\n');
        for (const secret of ['+33612345678', '33612345678', '+33687654321', 'Zainab', 'Zaza'])
          expect(all).not.toContain(secret);
      } finally {
        await stop();
      }
    },
  );

  test(
    'safeError: zod issues as paths and codes, JSON.parse without the text it quotes, other errors with their ' +
      'message',
    () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- zod loaded here only
      const { z } = require('zod') as typeof import('zod');
      const zod = z.object({ phone: z.string().regex(/^\+\d+$/) }).safeParse({ phone: 'Zainab +33 6 12' });
      expect(safeError(zod.error)).toMatchObject({ name: 'ZodError', fields: ['phone'], message: 'invalid_format' });
      expect(JSON.stringify(safeError(zod.error))).not.toContain('Zainab');
      let syntax: unknown;
      try {
        JSON.parse('{"name": "Zainab", oops');
      } catch (err) {
        syntax = err;
      }
      expect(JSON.stringify(safeError(syntax))).not.toContain('Zainab');
      expect(safeError(new TypeError('x is not a function'))).toMatchObject({
        name: 'TypeError',
        message: 'x is not a function',
      });
      expect(safeError('a string')).toEqual({ name: 'string' });
    },
  );
});

describe("an employer contact's chat actions are audited", () => {
  const TZ = 'Europe/Paris';
  const at = (day: number, hour: number, minute = 0) => zonedTime(2030, 3, day, hour, minute, TZ);
  const NOW = at(4, 12);
  beforeAll(() => warmUpRecognizers());
  const h = useHarness({ now: NOW, identity: { phone: '33600000101', noLanguageHint: true } });

  test(
    'absence, problem, tomorrow confirmed, attendance answered, stop, start: one contact_action row each, with ' +
      'the person and the placement or shift',
    async () => {
      const db = h.db.prisma;
      const { sylvie, amina, placement } = await jardinsWithAmina(db, NOW);
      const shift = (start: Date) =>
        db.shift.create({
          data: {
            placementId: placement.id,
            beneficiaryId: amina.id,
            startsAt: start,
            endsAt: new Date(start.getTime() + 3 * 3600_000),
          },
        });
      const morning = await shift(at(4, 8));
      const tomorrow = await shift(at(5, 9));
      const rows = () => db.auditEvent.findMany({ where: { action: 'contact_action' }, orderBy: { id: 'asc' } });

      await h.send('bonjour');
      expect(await h.sendText('absence')).toContain("Amina n'est pas là aujourd'hui");
      await h.send('2');
      expect((await h.send('Elle ne trouve pas ses gants.'))[0].text).toBe(
        'Merci. Son conseiller va lire votre message.',
      );
      expect(await h.sendText('3')).toContain('Amina travaille demain');
      // The morning shift is answered as a request too (the menu made it absent; the employer corrects it).
      await db.shift.update({ where: { id: morning.id }, data: { attendance: 'unknown' } });
      h.clock.now = at(4, 12, 5);
      expect(await requestShiftAttendance(h.db, h.clock.now, { timeZone: TZ })).toMatchObject({ asked: 1 });
      await h.core.notifier.deliver({ contactId: sylvie.id });
      h.clock.now = at(4, 12, 20);
      expect(await h.sendText('1')).toContain("C'est noté");
      await h.send('stop');
      await h.send('start');

      const audit = await rows();
      expect(
        audit.map((a) => [a.resource, a.resourceId, a.beneficiaryId, (a.detail as { kind: string }).kind]),
      ).toEqual([
        ['placement', String(placement.id), amina.id, 'absence'],
        ['placement', String(placement.id), amina.id, 'problem'],
        ['placement', String(placement.id), amina.id, 'confirm'],
        ['shift', String(morning.id), amina.id, 'attendance'],
        ['contact', String(sylvie.id), null, 'stop'],
        ['contact', String(sylvie.id), null, 'start'],
      ]);
      for (const a of audit) expect(a).toMatchObject({ staffUserId: null, detail: { contactId: sylvie.id } });
      expect(audit[0].detail).toMatchObject({ outcome: 'recorded', shiftIds: [morning.id] });
      expect(audit[2].detail).toMatchObject({ outcome: 'recorded', shiftIds: [tomorrow.id] });
      expect(audit[3].detail).toMatchObject({ outcome: 'recorded', attendance: 'present' });
      // What the contact wrote stays in the case, not in the audit trail.
      expect(JSON.stringify(audit)).not.toContain('gants');
    },
  );
});
