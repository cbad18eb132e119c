// The CIP API on the real server: signing in (one-time passwords, wrong ones, sign-out, expiry),
// 401 and 403, the cases in each role's scope, validation errors field by field, 404 and 409,
// the timeline and alerts, the audit trail of every personal-data access, and the OpenAPI document.
import { createStaff } from '../../bot/services/staff';
import { appForTests, staffForTests } from '../support/app';
import { API_LANGUAGES, request, signedIn } from '../support/cipApi';

const testApp = appForTests();

const audits = (where: object = {}) => testApp().db.prisma.auditEvent.findMany({ where, orderBy: { id: 'asc' } });

describe('signing in', () => {
  test(
    'a one-time password opens a session that can only choose a new password; then everything works and other ' +
      'sessions end',
    async () => {
      const { password } = await createStaff(testApp().db.prisma, {
        email: 'Nadia@Passerelle.test',
        role: 'cip',
        name: 'Nadia',
      });
      const first = await request(testApp(), 'POST', '/api/cip/session', { email: 'nadia@passerelle.test', password });
      expect(first.status).toBe(200);
      expect(first.body.staff).toMatchObject({ email: 'nadia@passerelle.test', role: 'cip', mustChangePassword: true });
      expect(new Date(first.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 11 * 3600_000);
      const other = await request(testApp(), 'POST', '/api/cip/session', { email: 'nadia@passerelle.test', password });
      const token = first.body.token;

      const blocked = await request(testApp(), 'GET', '/api/cip/beneficiaries', undefined, token);
      expect(blocked).toMatchObject({ status: 403, body: { error: { code: 'PasswordChangeRequired' } } });
      const weak = await request(testApp(), 'POST', '/api/cip/password', { password: 'short' }, token);
      expect(weak.status).toBe(400);
      expect(weak.body.error.fields).toEqual([{ path: 'password', message: 'must be at least 12 characters' }]);
      expect(
        (await request(testApp(), 'POST', '/api/cip/password', { password: 'correct horse 42' }, token)).status,
      ).toBe(200);
      expect((await request(testApp(), 'GET', '/api/cip/beneficiaries', undefined, token)).status).toBe(200);
      // The other session (same one-time password) ended; the old password no longer works.
      expect((await request(testApp(), 'GET', '/api/cip/me', undefined, other.body.token)).status).toBe(401);
      expect(
        (await request(testApp(), 'POST', '/api/cip/session', { email: 'nadia@passerelle.test', password })).status,
      ).toBe(401);
      expect(
        (
          await request(testApp(), 'POST', '/api/cip/session', {
            email: 'nadia@passerelle.test',
            password: 'correct horse 42',
          })
        ).status,
      ).toBe(200);
    },
  );

  test('a wrong password or an unknown email: the same 401; failures are audited; 10 in a row wait (429)', async () => {
    await createStaff(testApp().db.prisma, { email: 'omar@passerelle.test', role: 'cip' });
    const wrong = await request(testApp(), 'POST', '/api/cip/session', {
      email: 'omar@passerelle.test',
      password: 'nope',
    });
    const unknown = await request(testApp(), 'POST', '/api/cip/session', {
      email: 'nobody@passerelle.test',
      password: 'nope',
    });
    expect(wrong).toEqual({
      status: 401,
      body: { error: { code: 'Unauthorized', reason: 'login.wrong', params: {}, message: 'Wrong email or password.' } },
    });
    expect(unknown).toEqual(wrong);
    expect(
      (await audits({ action: 'login' })).filter((a) => (a.detail as { ok: boolean }).ok === false).length,
    ).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < 9; i++)
      await request(testApp(), 'POST', '/api/cip/session', { email: 'omar@passerelle.test', password: 'nope' });
    expect(
      (await request(testApp(), 'POST', '/api/cip/session', { email: 'omar@passerelle.test', password: 'nope' }))
        .status,
    ).toBe(429);
  });

  test('no token, a wrong one, a signed-out one or an expired one: 401', async () => {
    const me = await signedIn(testApp(), 'cip');
    expect((await request(testApp(), 'GET', '/api/cip/me')).status).toBe(401);
    expect((await request(testApp(), 'GET', '/api/cip/me', undefined, 'garbage')).status).toBe(401);
    expect((await me.call('GET', '/api/cip/me')).body).toMatchObject({ id: me.id, role: 'cip' });
    await testApp().db.prisma.staffSession.updateMany({
      where: { staffUserId: me.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await me.call('GET', '/api/cip/me')).status).toBe(401);
    const again = await signedIn(testApp(), 'cip');
    expect((await again.call('DELETE', '/api/cip/session')).status).toBe(200);
    expect((await again.call('GET', '/api/cip/me')).status).toBe(401);
  });
});

describe('cases', () => {
  const [cip, otherCip, coordinator] = staffForTests(testApp, 'cip', 'cip', 'coordinator');

  test(
    'a CIP opens a case (followed by them, active, a case_opened event, an audit row); bad fields get ' +
      'field-level errors',
    async () => {
      const res = await cip.call('POST', '/api/cip/beneficiaries', {
        firstName: 'Hawa',
        phone: '06 12 34 56 01',
        language: 'ar',
        birthYear: 1996,
        stage: 'sas_iae',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        firstName: 'Hawa',
        phone: '+33612345601',
        language: 'ar',
        status: 'active',
        cipId: cip.id,
      });
      const events = await testApp().db.prisma.caseEvent.findMany({ where: { beneficiaryId: res.body.id } });
      expect(events.map((e) => [e.type, e.actorType, e.actorId])).toEqual([['case_opened', 'staff', String(cip.id)]]);
      expect(
        await audits({ action: 'create', resource: 'beneficiary', beneficiaryId: res.body.id, staffUserId: cip.id }),
      ).toHaveLength(1);
      expect(res.body.consentAt).toBeNull();
      // The person agreed to messages at the intake: consent recorded, on the timeline.
      const agreed = await cip.call('POST', '/api/cip/beneficiaries', {
        firstName: 'Amanuel',
        language: 'ti',
        consent: true,
      });
      expect(agreed.body.consentAt).not.toBeNull();
      const agreedEvents = await testApp().db.prisma.caseEvent.findMany({
        where: { beneficiaryId: agreed.body.id },
        orderBy: { id: 'asc' },
      });
      expect(agreedEvents.map((e) => [e.type, e.actorType, e.payload])).toEqual([
        ['case_opened', 'staff', null],
        ['consent_given', 'staff', { at: 'intake' }],
      ]);

      const bad = await cip.call('POST', '/api/cip/beneficiaries', {
        firstName: '',
        phone: 'call me',
        language: 'de',
        birthYear: 1800,
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('ValidationError');
      expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
        'birthYear',
        'firstName',
        'language',
        'phone',
      ]);
      expect((await cip.call('POST', '/api/cip/beneficiaries', '{"firstName": ')).body.error.code).toBe('InvalidJson');
      const notJson = await request(testApp(), 'POST', '/api/cip/beneficiaries', 'firstName=x', cip.token, {
        'Content-Type': 'application/x-www-form-urlencoded',
      });
      expect(notJson.status).toBe(415);
      const again = await cip.call('POST', '/api/cip/beneficiaries', { firstName: 'Other', phone: '+33612345601' });
      expect(again).toMatchObject({ status: 409, body: { error: { code: 'Conflict' } } });
    },
  );

  test(
    "a CIP sees their cases and the pending ones nobody took, not another CIP's (404); a coordinator sees all; " +
      'a CIP cannot give a case to someone else (403)',
    async () => {
      const mine = (await cip.call('POST', '/api/cip/beneficiaries', { firstName: 'Mine' })).body;
      const theirs = (await otherCip.call('POST', '/api/cip/beneficiaries', { firstName: 'Theirs' })).body;
      const pending = await testApp().db.prisma.beneficiary.create({
        data: { firstName: 'FromChat', status: 'pending', consentAt: new Date() },
      });
      const listed = (await cip.call('GET', '/api/cip/beneficiaries?limit=500')).body.items.map(
        (b: { id: number }) => b.id,
      );
      expect(listed).toEqual(expect.arrayContaining([mine.id, pending.id]));
      expect(listed).not.toContain(theirs.id);
      expect((await cip.call('GET', `/api/cip/beneficiaries/${theirs.id}`)).status).toBe(404);
      expect((await cip.call('PATCH', `/api/cip/beneficiaries/${theirs.id}`, { stage: 'siae' })).status).toBe(404);
      expect((await coordinator.call('GET', `/api/cip/beneficiaries/${theirs.id}`)).status).toBe(200);
      expect((await cip.call('PATCH', `/api/cip/beneficiaries/${mine.id}`, { cipId: otherCip.id })).status).toBe(403);
      expect(
        (await coordinator.call('PATCH', `/api/cip/beneficiaries/${mine.id}`, { cipId: otherCip.id })).body.cipId,
      ).toBe(otherCip.id);
      expect((await cip.call('GET', `/api/cip/beneficiaries/${mine.id}`)).status).toBe(404);
      expect((await cip.call('GET', '/api/cip/beneficiaries/999999')).status).toBe(404);
      expect((await cip.call('GET', '/api/cip/beneficiaries/abc')).status).toBe(400);
      // Every read is on the audit trail, with what was read.
      const reads = await audits({ action: 'read', resource: 'beneficiary', staffUserId: coordinator.id });
      expect(reads.map((a) => a.beneficiaryId)).toContain(theirs.id);
    },
  );

  test('a pending case is validated once: active, followed by the CIP, case_validated; then archived', async () => {
    const pending = await testApp().db.prisma.beneficiary.create({
      data: { firstName: 'Reza', status: 'pending', language: 'fa', consentAt: new Date() },
    });
    const validated = await cip.call('POST', `/api/cip/beneficiaries/${pending.id}/validate`, {});
    expect(validated.body).toMatchObject({ status: 'active', cipId: cip.id });
    expect((await cip.call('POST', `/api/cip/beneficiaries/${pending.id}/validate`, {})).status).toBe(409);
    const archived = await cip.call('POST', `/api/cip/beneficiaries/${pending.id}/archive`, {
      reason: 'moved to Tours',
    });
    expect(archived.body.status).toBe('archived');
    const timeline = await cip.call('GET', `/api/cip/beneficiaries/${pending.id}/timeline`);
    expect(timeline.body.items.map((e: { type: string }) => e.type)).toEqual(['case_archived', 'case_validated']);
    expect(timeline.body.items[0].payload).toEqual({ reason: 'moved to Tours' });
    expect(await audits({ resource: 'timeline', beneficiaryId: pending.id })).toHaveLength(1);
  });

  test('alerts of my cases, newest first; acknowledging one says who and when', async () => {
    const b = (await cip.call('POST', '/api/cip/beneficiaries', { firstName: 'Alert' })).body;
    const elsewhere = (await otherCip.call('POST', '/api/cip/beneficiaries', { firstName: 'Elsewhere' })).body;
    for (const [who, type] of [
      [b.id, 'blocker_reported'],
      [b.id, 'message_to_cip'],
      [elsewhere.id, 'blocker_reported'],
    ] as const) {
      await testApp().db.prisma.caseEvent.create({
        data: { beneficiaryId: who, type, actorType: 'beneficiary', attention: true },
      });
    }
    const alerts = (await cip.call('GET', '/api/cip/alerts')).body.items;
    expect(
      alerts.filter((a: { beneficiaryId: number }) => a.beneficiaryId === b.id).map((a: { type: string }) => a.type),
    ).toEqual(['message_to_cip', 'blocker_reported']);
    expect(alerts.some((a: { beneficiaryId: number }) => a.beneficiaryId === elsewhere.id)).toBe(false);
    const ack = await cip.call('POST', `/api/cip/alerts/${alerts[0].id}/acknowledge`);
    expect(ack.body).toMatchObject({ acknowledgedById: cip.id });
    expect((await cip.call('GET', '/api/cip/alerts')).body.items.map((a: { id: number }) => a.id)).not.toContain(
      alerts[0].id,
    );
    expect(
      (await cip.call('GET', '/api/cip/alerts?acknowledged=true')).body.items.map((a: { id: number }) => a.id),
    ).toContain(alerts[0].id);
    const theirs = (await otherCip.call('GET', '/api/cip/alerts')).body.items[0];
    expect((await cip.call('POST', `/api/cip/alerts/${theirs.id}/acknowledge`)).status).toBe(404);
  });
});

test('the OpenAPI document describes every route, with its schemas and roles', async () => {
  const res = await request(testApp(), 'GET', '/api/cip/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body.openapi).toBe('3.1.0');
  const paths = res.body.paths;
  expect(Object.keys(paths)).toEqual(
    expect.arrayContaining([
      '/api/cip/session',
      '/api/cip/beneficiaries',
      '/api/cip/beneficiaries/{id}',
      '/api/cip/beneficiaries/{id}/timeline',
      '/api/cip/alerts',
    ]),
  );
  const create = paths['/api/cip/beneficiaries'].post;
  expect(create.requestBody.content['application/json'].schema.properties.language.enum).toEqual(API_LANGUAGES);
  expect(create.requestBody.content['application/json'].schema.required).toEqual(['firstName']);
  expect(create.responses).toHaveProperty('400');
  expect(create['x-roles']).toEqual(['cip', 'coordinator', 'admin']);
  expect(paths['/api/cip/session'].post.security).toBeUndefined();
});
