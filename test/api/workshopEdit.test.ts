// Reading and changing a workshop through the CIP API on the real server: GET /api/cip/workshops/:id
// (any member of staff, with its upcoming sessions) and PATCH /api/cip/workshops/:id (coordinators and
// admins: title, category, description, duration, active; the code stays), each change audited with
// its fields; a CIP's 403, unknown ids (404), bad or empty bodies (400), no token (401); an inactive
// workshop takes no new session until it is active again.
import { appForTests, staffForTests } from '../support/app';
import { fieldPaths, request } from '../support/cipApi';

const testApp = appForTests();
const [cip, coordinator, admin] = staffForTests(testApp, 'cip', 'coordinator', 'admin');
let seq = 0;

const db = () => testApp().db.prisma;
const inDays = (days: number, hours = 0) =>
  new Date(Date.now() + days * 24 * 3600_000 + hours * 3600_000).toISOString();
const newWorkshop = async () =>
  (
    await coordinator.call('POST', '/api/cip/workshops', {
      code: `edit_${++seq}`,
      title: `Atelier ${seq}`,
      category: 'job_search',
      description: 'Au départ',
      durationMinutes: 90,
    })
  ).body as { id: number; code: string };

test('staff read a workshop and its upcoming sessions; unknown: 404; bad id: 400; no token: 401', async () => {
  const w = await newWorkshop();
  const session = (
    await coordinator.call('POST', `/api/cip/workshops/${w.id}/sessions`, {
      startsAt: inDays(3),
      endsAt: inDays(3, 2),
      place: 'Salle A',
      capacity: 6,
      audience: 'over25',
    })
  ).body;
  // A session already past is not among the upcoming ones.
  await db().workshopSession.create({
    data: {
      workshopId: w.id,
      startsAt: new Date(Date.now() - 48 * 3600_000),
      endsAt: new Date(Date.now() - 46 * 3600_000),
      place: 'Hier',
      capacity: 4,
    },
  });
  const res = await cip.call('GET', `/api/cip/workshops/${w.id}`);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    id: w.id,
    code: w.code,
    title: expect.stringMatching(/^Atelier /),
    category: 'job_search',
    description: 'Au départ',
    durationMinutes: 90,
    active: true,
  });
  expect(res.body.sessions).toEqual([
    expect.objectContaining({ id: session.id, place: 'Salle A', capacity: 6, seatsLeft: 6, waitlistedCount: 0 }),
  ]);
  expect((await cip.call('GET', '/api/cip/workshops/999999')).body.error).toMatchObject({
    code: 'NotFound',
    reason: 'notFound.Workshop',
    message: 'Workshop not found.',
  });
  expect((await cip.call('GET', '/api/cip/workshops/abc')).status).toBe(400);
  expect((await request(testApp(), 'GET', `/api/cip/workshops/${w.id}`)).status).toBe(401);
});

test(
  'a coordinator changes title, category, description and duration; an admin deactivates it; each change ' +
    'audited with its fields',
  async () => {
    const w = await newWorkshop();
    const changed = await coordinator.call('PATCH', `/api/cip/workshops/${w.id}`, {
      title: '  Préparer un entretien  ',
      category: 'codes_soft_skills',
      description: null,
      durationMinutes: 150,
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      id: w.id,
      code: w.code,
      title: 'Préparer un entretien',
      category: 'codes_soft_skills',
      description: null,
      durationMinutes: 150,
      active: true,
    });
    expect(await db().workshop.findUniqueOrThrow({ where: { id: w.id } })).toMatchObject({
      title: 'Préparer un entretien',
      category: 'codes_soft_skills',
      description: null,
      durationMinutes: 150,
    });
    expect((await admin.call('PATCH', `/api/cip/workshops/${w.id}`, { active: false })).body.active).toBe(false);
    const rows = await db().auditEvent.findMany({
      where: { resource: 'workshop', resourceId: String(w.id), action: 'update' },
      orderBy: { id: 'asc' },
    });
    expect(rows.map((r) => [r.staffUserId, r.detail])).toEqual([
      [coordinator.id, { fields: ['title', 'category', 'description', 'durationMinutes'] }],
      [admin.id, { fields: ['active'] }],
    ]);
  },
);

test('an inactive workshop takes no new session (409) until it is active again', async () => {
  const w = await newWorkshop();
  await coordinator.call('PATCH', `/api/cip/workshops/${w.id}`, { active: false });
  const body = { startsAt: inDays(4), endsAt: inDays(4, 2), place: 'Salle B', capacity: 5, audience: 'under25' };
  expect((await coordinator.call('POST', `/api/cip/workshops/${w.id}/sessions`, body)).body.error.reason).toBe(
    'workshop.inactive',
  );
  await coordinator.call('PATCH', `/api/cip/workshops/${w.id}`, { active: true });
  expect((await coordinator.call('POST', `/api/cip/workshops/${w.id}/sessions`, body)).status).toBe(201);
});

test(
  'a CIP may not change a workshop (403, the French sentence by default), nothing written; unknown: 404; no ' +
    'token: 401',
  async () => {
    const w = await newWorkshop();
    const refused = await request(testApp(), 'PATCH', `/api/cip/workshops/${w.id}`, { title: 'Le mien' }, cip.token, {
      'Accept-Language': 'fr',
    });
    expect(refused).toEqual({
      status: 403,
      body: {
        error: {
          code: 'Forbidden',
          reason: 'Forbidden',
          params: { role: 'cip' },
          message: 'Votre rôle (cip) ne permet pas de faire cela.',
        },
      },
    });
    expect((await db().workshop.findUniqueOrThrow({ where: { id: w.id } })).title).not.toBe('Le mien');
    expect(
      await db().auditEvent.count({ where: { resource: 'workshop', resourceId: String(w.id), action: 'update' } }),
    ).toBe(0);
    expect((await coordinator.call('PATCH', '/api/cip/workshops/999999', { title: 'x' })).status).toBe(404);
    expect((await request(testApp(), 'PATCH', `/api/cip/workshops/${w.id}`, { title: 'x' })).status).toBe(401);
  },
);

test('bad fields: 400 field by field; nothing to change (the code alone does not change): 400', async () => {
  const w = await newWorkshop();
  const bad = await coordinator.call('PATCH', `/api/cip/workshops/${w.id}`, {
    title: ' ',
    category: 'cooking',
    durationMinutes: 5,
    active: 'yes',
  });
  expect(bad.status).toBe(400);
  expect(fieldPaths(bad)).toEqual(['active', 'category', 'durationMinutes', 'title']);
  expect((await coordinator.call('PATCH', `/api/cip/workshops/${w.id}`, {})).status).toBe(400);
  const codeOnly = await coordinator.call('PATCH', `/api/cip/workshops/${w.id}`, { code: 'renamed' });
  expect(codeOnly.status).toBe(400);
  expect((await db().workshop.findUniqueOrThrow({ where: { id: w.id } })).code).toBe(w.code);
  expect((await coordinator.call('PATCH', '/api/cip/workshops/abc', { title: 'x' })).status).toBe(400);
});

test('the OpenAPI document has both routes with their roles', async () => {
  const doc = (await request(testApp(), 'GET', '/api/cip/openapi.json')).body;
  expect(doc.paths['/api/cip/workshops/{id}'].get['x-roles']).toEqual(['cip', 'coordinator', 'admin']);
  expect(doc.paths['/api/cip/workshops/{id}'].patch['x-roles']).toEqual(['coordinator', 'admin']);
  expect(
    Object.keys(
      doc.paths['/api/cip/workshops/{id}'].patch.requestBody.content['application/json'].schema.properties,
    ).sort(),
  ).toEqual(['active', 'category', 'description', 'durationMinutes', 'title']);
});
