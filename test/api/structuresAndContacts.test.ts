// Structures and employer contacts through the CIP API on the real server: who may create and
// change them (403 for a CIP on structures), the SIAE's default of 2 seats, filters, a structure's
// contacts and placement counts, phone numbers (E.164, one contact each: 409), field errors, 404,
// 401, and the audit trail of every read and change of a contact.
import { appForTests, staffForTests } from '../support/app';
import { fieldPaths, request } from '../support/cipApi';

const testApp = appForTests();
const [cip, coordinator, admin] = staffForTests(testApp, 'cip', 'coordinator', 'admin');

const audits = (where: object) => testApp().db.prisma.auditEvent.findMany({ where, orderBy: { id: 'asc' } });
const dayOffset = (days: number) =>
  new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + days));

describe('structures', () => {
  test(
    'a coordinator adds an SIAE (2 seats unless told) and a company (no capacity); an admin changes one; each ' +
      'change audited',
    async () => {
      const recyclerie = { name: 'Recyclerie du Loir', kind: 'siae', sector: 'Réemploi', city: 'Vendôme' };
      const siae = await coordinator.call('POST', '/api/cip/structures', recyclerie);
      expect(siae.status).toBe(201);
      expect(siae.body).toMatchObject({ ...recyclerie, capacity: 2, active: true, address: null });
      const company = await coordinator.call('POST', '/api/cip/structures', {
        name: 'Boulangerie Martin',
        kind: 'company',
      });
      expect(company.body.capacity).toBeNull();
      const three = await admin.call('POST', '/api/cip/structures', {
        name: 'Chantier Vert',
        kind: 'siae',
        capacity: 3,
      });
      expect(three.body.capacity).toBe(3);

      const changed = await admin.call('PATCH', `/api/cip/structures/${company.body.id}`, {
        address: '2 rue Haute',
        active: false,
      });
      expect(changed).toMatchObject({
        status: 200,
        body: { address: '2 rue Haute', active: false, name: 'Boulangerie Martin' },
      });
      expect(await testApp().db.prisma.structure.findUnique({ where: { id: company.body.id } })).toMatchObject({
        active: false,
      });
      expect(
        (await audits({ resource: 'structure', resourceId: String(company.body.id) })).map((a) => [
          a.action,
          a.staffUserId,
        ]),
      ).toEqual([
        ['create', coordinator.id],
        ['update', admin.id],
      ]);
    },
  );

  test('a CIP may list and read structures but not add or change them (403); without a token: 401', async () => {
    const s = (await coordinator.call('POST', '/api/cip/structures', { name: 'Atelier Bois', kind: 'siae' })).body;
    expect((await cip.call('POST', '/api/cip/structures', { name: 'Mine', kind: 'company' })).status).toBe(403);
    expect((await cip.call('PATCH', `/api/cip/structures/${s.id}`, { name: 'Renamed' })).body.error.code).toBe(
      'Forbidden',
    );
    expect((await cip.call('GET', '/api/cip/structures')).status).toBe(200);
    expect((await cip.call('GET', `/api/cip/structures/${s.id}`)).status).toBe(200);
    expect((await request(testApp(), 'GET', '/api/cip/structures')).status).toBe(401);
    expect((await request(testApp(), 'POST', '/api/cip/structures', { name: 'x', kind: 'siae' })).status).toBe(401);
    expect((await testApp().db.prisma.structure.findUnique({ where: { id: s.id } }))!.name).toBe('Atelier Bois');
  });

  test('bad fields: 400 field by field; nothing to change: 400; unknown ids: 404', async () => {
    const bad = await coordinator.call('POST', '/api/cip/structures', { name: ' ', kind: 'farm', capacity: 0 });
    expect(bad.status).toBe(400);
    expect(fieldPaths(bad)).toEqual(['capacity', 'kind', 'name']);
    expect(fieldPaths(await coordinator.call('POST', '/api/cip/structures', {}))).toEqual(['kind', 'name']);
    const s = (await coordinator.call('POST', '/api/cip/structures', { name: 'Vide', kind: 'training' })).body;
    expect((await coordinator.call('PATCH', `/api/cip/structures/${s.id}`, {})).status).toBe(400);
    expect((await coordinator.call('PATCH', '/api/cip/structures/999999', { name: 'x' })).status).toBe(404);
    expect((await cip.call('GET', '/api/cip/structures/999999')).body).toEqual({
      error: { code: 'NotFound', reason: 'notFound.Structure', params: {}, message: 'Structure not found.' },
    });
    expect((await cip.call('GET', '/api/cip/structures/abc')).status).toBe(400);
    expect((await cip.call('GET', '/api/cip/structures?kind=farm')).status).toBe(400);
  });

  test('the list filters by kind and active, with the people placed there today', async () => {
    const all = (await cip.call('GET', '/api/cip/structures?limit=500')).body;
    expect(all.total).toBe(all.items.length);
    // The demo data: three SIAE with 2 seats each, two companies.
    expect(all.items.filter((s: { name: string }) => s.name === 'Les Jardins du Val de Loire')).toMatchObject([
      { kind: 'siae', capacity: 2, currentPlacements: 0 },
    ]);
    const siae = (await cip.call('GET', '/api/cip/structures?kind=siae&limit=500')).body.items;
    expect(siae.length).toBeGreaterThanOrEqual(3);
    expect(siae.every((s: { kind: string }) => s.kind === 'siae')).toBe(true);
    const inactive = (await cip.call('GET', '/api/cip/structures?active=false')).body.items;
    expect(inactive.map((s: { name: string }) => s.name)).toContain('Boulangerie Martin');
    expect(inactive.every((s: { active: boolean }) => !s.active)).toBe(true);
    const page = (await cip.call('GET', '/api/cip/structures?limit=2&offset=1')).body;
    expect(page.items).toHaveLength(2);
    expect(page.items[0].id).toBe(all.items[1].id);
  });

  test(
    'one structure: its contacts (a read of personal data, audited) and how many people are placed there now ' +
      'and later',
    async () => {
      const s = (await coordinator.call('POST', '/api/cip/structures', { name: 'Les Compagnons', kind: 'siae' })).body;
      const c = (
        await coordinator.call('POST', `/api/cip/structures/${s.id}/contacts`, {
          firstName: 'Lina',
          phone: '06 00 00 02 01',
        })
      ).body;
      const people = await Promise.all(
        [1, 2, 3, 4].map((i) =>
          testApp().db.prisma.beneficiary.create({ data: { firstName: `Placed${i}`, status: 'active' } }),
        ),
      );
      const place = (i: number, from: number, to: number, status = 'active') =>
        testApp().db.prisma.placement.create({
          data: {
            beneficiaryId: people[i].id,
            structureId: s.id,
            kind: 'sas_iae',
            startDate: dayOffset(from),
            endDate: dayOffset(to),
            status,
          },
        });
      await place(0, -10, 20); // now
      await place(1, 0, 0); // today only
      await place(2, 5, 30, 'planned'); // later
      await place(3, -10, 20, 'cancelled'); // not counted

      const res = await cip.call('GET', `/api/cip/structures/${s.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: s.id, capacity: 2, currentPlacements: 2, upcomingPlacements: 1 });
      expect(res.body.contacts).toEqual([
        expect.objectContaining({ id: c.id, firstName: 'Lina', phone: '+33600000201', structureId: s.id }),
      ]);
      const listed = (await cip.call('GET', '/api/cip/structures?kind=siae&limit=500')).body.items.find(
        (x: { id: number }) => x.id === s.id,
      );
      expect(listed.currentPlacements).toBe(2);
      const read = await audits({ action: 'read', resource: 'contact', staffUserId: cip.id });
      expect(read.at(-1)!.detail).toEqual({ structureId: s.id, ids: [c.id] });
    },
  );
});

describe('contacts', () => {
  let structureId: number;
  beforeAll(async () => {
    structureId = (await coordinator.call('POST', '/api/cip/structures', { name: 'Jardin de Cocagne', kind: 'siae' }))
      .body.id;
  });

  test('any staff member adds a contact (a coordinator with its phone): E.164 phone, defaults, audited', async () => {
    const paul = { firstName: 'Paul', lastName: 'Durand', phone: '06 12 00 00 11', language: 'en', role: 'tutor' };
    const res = await coordinator.call('POST', `/api/cip/structures/${structureId}/contacts`, paul);
    expect(res.status).toBe(201);
    // The phone number in E.164.
    expect(res.body).toMatchObject({ ...paul, structureId, phone: '+33612000011', active: true });
    const plain = await cip.call('POST', `/api/cip/structures/${structureId}/contacts`, { firstName: 'Rose' });
    expect(plain.body).toMatchObject({ language: 'fr', role: 'supervisor', phone: null });
    const row = await testApp().db.prisma.contact.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.phone).toBe('+33612000011');
    expect(
      await audits({
        action: 'create',
        resource: 'contact',
        resourceId: String(res.body.id),
        staffUserId: coordinator.id,
      }),
    ).toHaveLength(1);
    expect(
      await audits({ action: 'create', resource: 'contact', resourceId: String(plain.body.id), staffUserId: cip.id }),
    ).toHaveLength(1);
  });

  test('a phone number belongs to one contact: 409 on create and on change', async () => {
    const a = (
      await coordinator.call('POST', `/api/cip/structures/${structureId}/contacts`, {
        firstName: 'Ali',
        phone: '+33612000021',
      })
    ).body;
    const dup = await coordinator.call('POST', `/api/cip/structures/${structureId}/contacts`, {
      firstName: 'Other',
      phone: '06 12 00 00 21',
    });
    expect(dup).toEqual({
      status: 409,
      body: {
        error: {
          code: 'Conflict',
          reason: 'contact.phoneTaken',
          params: {},
          message: 'Another contact already has this phone number.',
        },
      },
    });
    const b = (
      await admin.call('POST', `/api/cip/structures/${structureId}/contacts`, {
        firstName: 'Bea',
        phone: '+33612000022',
      })
    ).body;
    expect((await coordinator.call('PATCH', `/api/cip/contacts/${b.id}`, { phone: '0612000021' })).status).toBe(409);
    expect((await testApp().db.prisma.contact.findUniqueOrThrow({ where: { id: b.id } })).phone).toBe('+33612000022');
    // Its own number again is no conflict (nor a change: a CIP may send it back).
    expect(
      (await cip.call('PATCH', `/api/cip/contacts/${a.id}`, { phone: '+33612000021', firstName: 'Alí' })).body,
    ).toMatchObject({ firstName: 'Alí' });
  });

  test('changes audited with fields; bad fields: 400; unknown structure or contact: 404; no token: 401', async () => {
    const c = (await cip.call('POST', `/api/cip/structures/${structureId}/contacts`, { firstName: 'Mina' })).body;
    const changed = await cip.call('PATCH', `/api/cip/contacts/${c.id}`, {
      language: 'ar',
      active: false,
      lastName: null,
    });
    expect(changed.body).toMatchObject({ language: 'ar', active: false, lastName: null });
    expect(
      (await audits({ action: 'update', resource: 'contact', resourceId: String(c.id) })).map((a) => a.detail),
    ).toEqual([{ fields: ['lastName', 'language', 'active'] }]);

    const bad = await cip.call('POST', `/api/cip/structures/${structureId}/contacts`, {
      firstName: '',
      phone: 'call me',
      language: 'de',
      role: 'boss',
    });
    expect(bad.status).toBe(400);
    expect(fieldPaths(bad)).toEqual(['firstName', 'language', 'phone', 'role']);
    expect(fieldPaths(await cip.call('PATCH', `/api/cip/contacts/${c.id}`, { active: 'yes' }))).toEqual(['active']);
    expect((await cip.call('PATCH', `/api/cip/contacts/${c.id}`, {})).status).toBe(400);
    expect((await cip.call('POST', '/api/cip/structures/999999/contacts', { firstName: 'X' })).body.error.message).toBe(
      'Structure not found.',
    );
    expect((await cip.call('PATCH', '/api/cip/contacts/999999', { firstName: 'X' })).body.error.message).toBe(
      'Contact not found.',
    );
    expect((await request(testApp(), 'GET', '/api/cip/contacts')).status).toBe(401);
    expect((await request(testApp(), 'PATCH', `/api/cip/contacts/${c.id}`, { firstName: 'X' })).status).toBe(401);
  });

  test("the list: one structure's contacts when told, active ones when told; each read audited with ids", async () => {
    const other = (await coordinator.call('POST', '/api/cip/structures', { name: 'Ailleurs', kind: 'company' })).body;
    const elsewhere = (await cip.call('POST', `/api/cip/structures/${other.id}/contacts`, { firstName: 'Far' })).body;
    const res = await cip.call('GET', `/api/cip/contacts?structureId=${structureId}`);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThanOrEqual(5);
    expect(res.body.items.every((c: { structureId: number }) => c.structureId === structureId)).toBe(true);
    expect(res.body.items.map((c: { id: number }) => c.id)).not.toContain(elsewhere.id);
    const active = (await cip.call('GET', `/api/cip/contacts?structureId=${structureId}&active=true`)).body.items;
    expect(active.every((c: { active: boolean }) => c.active)).toBe(true);
    expect(active.length).toBe(res.body.items.length - 1);
    const read = (await audits({ action: 'read', resource: 'contact', staffUserId: cip.id })).at(-1)!;
    expect((read.detail as { ids: number[] }).ids).toEqual(active.map((c: { id: number }) => c.id));
    expect((await cip.call('GET', '/api/cip/contacts?structureId=x')).status).toBe(400);
    expect((await cip.call('GET', '/api/cip/contacts?structureId=999999')).body.error.message).toBe(
      'Structure not found.',
    );
    expect(
      (await cip.call('GET', '/api/cip/contacts?limit=500')).body.items.map((c: { id: number }) => c.id),
    ).toContain(elsewhere.id);
  });
});
