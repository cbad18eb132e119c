// The OpenAPI document of the CIP API covers the resources added after sessions, cases and alerts:
// every path and method, who may call it, its request schemas and the shape of its answer.
import { appForTests } from '../support/app';
import { API_LANGUAGES, request } from '../support/cipApi';

const testApp = appForTests();

const ANY_STAFF = ['cip', 'coordinator', 'admin'];
const MANAGERS = ['coordinator', 'admin'];

/** path, method, roles, status of success */
const ROUTES: [string, string, string[], number][] = [
  ['/api/cip/structures', 'get', ANY_STAFF, 200],
  ['/api/cip/structures', 'post', MANAGERS, 201],
  ['/api/cip/structures/{id}', 'get', ANY_STAFF, 200],
  ['/api/cip/structures/{id}', 'patch', MANAGERS, 200],
  ['/api/cip/structures/{id}/contacts', 'post', ANY_STAFF, 201],
  ['/api/cip/contacts', 'get', ANY_STAFF, 200],
  ['/api/cip/contacts/{id}', 'patch', ANY_STAFF, 200],
  ['/api/cip/placements', 'post', ANY_STAFF, 201],
  ['/api/cip/placements/{id}', 'get', ANY_STAFF, 200],
  ['/api/cip/placements/{id}', 'patch', ANY_STAFF, 200],
  ['/api/cip/beneficiaries/{id}/placements', 'get', ANY_STAFF, 200],
  ['/api/cip/placements/{id}/shifts', 'post', ANY_STAFF, 201],
  ['/api/cip/beneficiaries/{id}/shifts', 'get', ANY_STAFF, 200],
  ['/api/cip/shifts/{id}', 'patch', ANY_STAFF, 200],
  ['/api/cip/workshops', 'get', ANY_STAFF, 200],
  ['/api/cip/workshops', 'post', MANAGERS, 201],
  ['/api/cip/workshops/{id}/sessions', 'post', MANAGERS, 201],
  ['/api/cip/sessions/{id}', 'patch', MANAGERS, 200],
  ['/api/cip/sessions/{id}/bookings', 'get', ANY_STAFF, 200],
  ['/api/cip/sessions/{id}/bookings', 'post', ANY_STAFF, 201],
  ['/api/cip/bookings/{id}', 'delete', ANY_STAFF, 200],
  ['/api/cip/blockers', 'get', ANY_STAFF, 200],
  ['/api/cip/blockers/{id}', 'get', ANY_STAFF, 200],
  ['/api/cip/blockers/{id}', 'patch', ANY_STAFF, 200],
];

test('every new route is in the document with its roles, its errors and the schema of its answer', async () => {
  const { status, body } = await request(testApp(), 'GET', '/api/cip/openapi.json');
  expect(status).toBe(200);
  for (const [path, method, roles, ok] of ROUTES) {
    const op = body.paths[path]?.[method];
    expect({ path, method, found: !!op }).toEqual({ path, method, found: true });
    expect(op['x-roles']).toEqual(roles);
    expect(op.security).toEqual([{ bearer: [] }]);
    expect(op.responses[ok].content['application/json'].schema.type).toBe('object');
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '401', '403']));
  }
  // The sessions, cases and alerts are still there.
  expect(Object.keys(body.paths)).toEqual(
    expect.arrayContaining(['/api/cip/session', '/api/cip/beneficiaries', '/api/cip/alerts']),
  );
});

test('request schemas: enumerations, days, required fields and path parameters', async () => {
  const { paths } = (await request(testApp(), 'GET', '/api/cip/openapi.json')).body;
  const bodyOf = (path: string, method: string) => paths[path][method].requestBody.content['application/json'].schema;

  const placement = bodyOf('/api/cip/placements', 'post');
  expect(placement.properties.kind.enum).toEqual(['sas_iae', 'immersion', 'poec', 'work_study', 'job']);
  expect(placement.properties.status.enum).toEqual(['planned', 'active', 'ended', 'cancelled']);
  expect(placement.properties.startDate).toMatchObject({ type: 'string', format: 'date' });
  expect(placement.required).toEqual(
    expect.arrayContaining(['beneficiaryId', 'structureId', 'kind', 'startDate', 'endDate']),
  );
  expect(placement.required).not.toContain('tutorId');

  // The values written out (what the API promises), not taken from the code.
  const enumOf = (path: string, method: string, field: string) => bodyOf(path, method).properties[field].enum;
  expect(enumOf('/api/cip/structures', 'post', 'kind')).toEqual(['siae', 'company', 'training', 'mission_locale']);
  expect(enumOf('/api/cip/structures/{id}/contacts', 'post', 'role')).toEqual(['supervisor', 'tutor', 'other']);
  expect(enumOf('/api/cip/structures/{id}/contacts', 'post', 'language')).toEqual(API_LANGUAGES);
  const categories = ['codes_soft_skills', 'paperwork', 'job_search', 'company_visit', 'digital', 'culture_sport'];
  expect(enumOf('/api/cip/workshops', 'post', 'category')).toEqual(categories);
  expect(enumOf('/api/cip/workshops/{id}/sessions', 'post', 'audience')).toEqual(['under25', 'over25']);
  expect(enumOf('/api/cip/shifts/{id}', 'patch', 'attendance')).toEqual(['unknown', 'present', 'absent', 'late']);
  const blocker = bodyOf('/api/cip/blockers/{id}', 'patch');
  expect(blocker.required).toEqual(['status', 'note']);
  expect(blocker.properties.note).toMatchObject({ minLength: 1, maxLength: 1000 });
  expect(bodyOf('/api/cip/sessions/{id}/bookings', 'post').required).toEqual(['beneficiaryId']);

  const blockerQuery = paths['/api/cip/blockers'].get.parameters.map(
    (p: { name: string; in: string }) => `${p.in}:${p.name}`,
  );
  expect(blockerQuery).toEqual(
    expect.arrayContaining([
      'query:status',
      'query:category',
      'query:urgency',
      'query:beneficiaryId',
      'query:limit',
      'query:offset',
    ]),
  );
  expect(paths['/api/cip/placements/{id}'].patch.parameters).toEqual([
    expect.objectContaining({ name: 'id', in: 'path', required: true }),
  ]);
});
