// Placements and shifts through the CIP API on the real server: a placement recorded with its
// CaseEvent and audit row; the rules as 409s (2 people per SIAE at a time but not on other dates,
// 4 months of sas IAE in all, also when an edit would go past them, a tutor of another structure,
// a sas IAE step in a company); dates as 400 field errors; other CIPs' cases as 404; shifts within
// their placement's days, a person's shifts, and attendance (an absence is an alert).
import { appForTests, staffForTests } from '../support/app';
import { auditCount } from '../support/audits';
import { alertsAndPayloads } from '../support/caseEvents';
import { fieldPaths, openCase, request, type StaffClient } from '../support/cipApi';

const testApp = appForTests();
const [cip, otherCip, coordinator] = staffForTests(testApp, 'cip', 'cip', 'coordinator');
let seq = 0;

const db = () => testApp().db.prisma;
const newCase = (client: StaffClient = cip) => openCase(client);
const newStructure = async (kind: string, extra: object = {}) =>
  (await coordinator.call('POST', '/api/cip/structures', { name: `${kind} ${++seq}`, kind, ...extra })).body
    .id as number;
const newContact = async (structureId: number) =>
  (await cip.call('POST', `/api/cip/structures/${structureId}/contacts`, { firstName: `Tutor${++seq}`, role: 'tutor' }))
    .body.id as number;
const sas = (beneficiaryId: number, structureId: number, startDate: string, endDate: string, extra: object = {}) => ({
  beneficiaryId,
  structureId,
  kind: 'sas_iae',
  startDate,
  endDate,
  ...extra,
});
const place = (body: object, client: StaffClient = cip) => client.call('POST', '/api/cip/placements', body);

describe('placements', () => {
  test('a CIP places a person: the row, placement_created on the timeline, audited; the stage unchanged', async () => {
    const person = await newCase();
    const siae = await newStructure('siae');
    const tutorId = await newContact(siae);
    const res = await place(
      sas(person, siae, '2027-01-04', '2027-02-26', { tutorId, notes: 'Maraîchage, 26 h par semaine' }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      beneficiaryId: person,
      structureId: siae,
      tutorId,
      kind: 'sas_iae',
      status: 'planned',
      startDate: '2027-01-04T00:00:00.000Z',
      endDate: '2027-02-26T00:00:00.000Z',
      notes: 'Maraîchage, 26 h par semaine',
      structure: { id: siae, kind: 'siae' },
    });
    expect(await db().placement.findUniqueOrThrow({ where: { id: res.body.id } })).toMatchObject({
      status: 'planned',
      tutorId,
    });
    const events = await db().caseEvent.findMany({ where: { beneficiaryId: person, type: 'placement_created' } });
    expect(events.map((e) => [e.actorType, e.actorId, e.payload])).toEqual([
      [
        'staff',
        String(cip.id),
        {
          placementId: res.body.id,
          structureId: siae,
          kind: 'sas_iae',
          startDate: '2027-01-04',
          endDate: '2027-02-26',
          status: 'planned',
        },
      ],
    ]);
    expect(
      await auditCount(db(), 'create', 'placement', res.body.id, { beneficiaryId: person, staffUserId: cip.id }),
    ).toBe(1);
    expect((await db().beneficiary.findUniqueOrThrow({ where: { id: person } })).stage).toBe('diagnostic');

    const listed = await cip.call('GET', `/api/cip/beneficiaries/${person}/placements`);
    expect(listed.body).toMatchObject({ total: 1, items: [{ id: res.body.id, structure: { id: siae } }] });
    expect((await cip.call('GET', `/api/cip/placements/${res.body.id}`)).body.id).toBe(res.body.id);
    expect(
      await db().auditEvent.count({ where: { action: 'read', resource: 'placement', beneficiaryId: person } }),
    ).toBe(2);
  });

  test('a change of dates, status or tutor: placement_updated with what changed; the stage is left alone', async () => {
    const person = await newCase();
    const siae = await newStructure('siae');
    const tutorId = await newContact(siae);
    const p = (await place(sas(person, siae, '2027-03-01', '2027-03-31'))).body;
    const res = await cip.call('PATCH', `/api/cip/placements/${p.id}`, {
      status: 'active',
      endDate: '2027-04-15',
      tutorId,
      notes: null,
    });
    expect(res.body).toMatchObject({ status: 'active', endDate: '2027-04-15T00:00:00.000Z', tutorId, notes: null });
    const event = await db().caseEvent.findFirstOrThrow({
      where: { beneficiaryId: person, type: 'placement_updated' },
    });
    expect(event.payload).toEqual({
      placementId: p.id,
      structureId: siae,
      kind: 'sas_iae',
      startDate: '2027-03-01',
      endDate: '2027-04-15',
      status: 'active',
      fields: ['endDate', 'status', 'tutorId', 'notes'],
      from: 'planned',
    });
    expect(await auditCount(db(), 'update', 'placement', p.id)).toBe(1);
    expect((await db().beneficiary.findUniqueOrThrow({ where: { id: person } })).stage).toBe('diagnostic');
  });

  test(
    'dates: the end must come after the start (400 on endDate), also when an edit moves only one of them; bad ' +
      'fields field by field',
    async () => {
      const person = await newCase();
      const company = await newStructure('company');
      const before = await place({
        beneficiaryId: person,
        structureId: company,
        kind: 'immersion',
        startDate: '2027-05-10',
        endDate: '2027-05-03',
      });
      expect(before.status).toBe(400);
      expect(before.body.error.fields).toEqual([{ path: 'endDate', message: 'must be after startDate' }]);
      expect(
        fieldPaths(
          await place({
            beneficiaryId: person,
            structureId: company,
            kind: 'immersion',
            startDate: '2027-05-10',
            endDate: '2027-05-10',
          }),
        ),
      ).toEqual(['endDate']);
      const bad = await place({
        beneficiaryId: 'x',
        structureId: company,
        kind: 'internship',
        startDate: '10/05/2027',
        status: 'done',
      });
      expect(bad.status).toBe(400);
      expect(fieldPaths(bad)).toEqual(['beneficiaryId', 'endDate', 'kind', 'startDate', 'status']);

      const p = (
        await place({
          beneficiaryId: person,
          structureId: company,
          kind: 'immersion',
          startDate: '2027-05-10',
          endDate: '2027-05-21',
        })
      ).body;
      const moved = await cip.call('PATCH', `/api/cip/placements/${p.id}`, { startDate: '2027-05-25' });
      expect(moved.status).toBe(400);
      expect(moved.body.error.fields).toEqual([
        { path: 'endDate', message: 'must be after the start date (2027-05-25)' },
      ]);
      expect(fieldPaths(await cip.call('PATCH', `/api/cip/placements/${p.id}`, { status: 'over' }))).toEqual([
        'status',
      ]);
      expect((await cip.call('PATCH', `/api/cip/placements/${p.id}`, {})).status).toBe(400);
      expect((await db().placement.findUniqueOrThrow({ where: { id: p.id } })).startDate.toISOString()).toBe(
        '2027-05-10T00:00:00.000Z',
      );
    },
  );

  test("another CIP's case, an unknown case, structure or placement: 404; without a token: 401", async () => {
    const theirs = await newCase(otherCip);
    const siae = await newStructure('siae');
    expect((await place(sas(theirs, siae, '2027-01-04', '2027-01-29'))).body.error).toEqual({
      code: 'NotFound',
      reason: 'notFound.Beneficiary',
      params: {},
      message: 'Beneficiary not found.',
    });
    expect((await place(sas(999999, siae, '2027-01-04', '2027-01-29'))).status).toBe(404);
    expect((await place(sas(await newCase(), 999999, '2027-01-04', '2027-01-29'))).body.error.message).toBe(
      'Structure not found.',
    );
    const p = (await place(sas(theirs, siae, '2027-01-04', '2027-01-29'), otherCip)).body;
    expect((await cip.call('PATCH', `/api/cip/placements/${p.id}`, { status: 'active' })).body.error.message).toBe(
      'Placement not found.',
    );
    expect((await cip.call('GET', `/api/cip/placements/${p.id}`)).status).toBe(404);
    expect((await cip.call('GET', `/api/cip/beneficiaries/${theirs}/placements`)).status).toBe(404);
    expect((await cip.call('PATCH', '/api/cip/placements/999999', { status: 'active' })).status).toBe(404);
    expect((await coordinator.call('PATCH', `/api/cip/placements/${p.id}`, { status: 'active' })).status).toBe(200);
    expect(
      (await request(testApp(), 'POST', '/api/cip/placements', sas(theirs, siae, '2027-01-04', '2027-01-29'))).status,
    ).toBe(401);
    expect((await request(testApp(), 'GET', `/api/cip/beneficiaries/${theirs}/placements`)).status).toBe(401);
    expect(await db().placement.count({ where: { beneficiaryId: theirs } })).toBe(1);
  });

  test(
    'an SIAE takes 2 people at a time: a third on overlapping dates is refused (409), on other dates accepted; ' +
      'ended or cancelled ones free their seat',
    async () => {
      const siae = await newStructure('siae');
      const [a, b, c, d] = [await newCase(), await newCase(), await newCase(), await newCase()];
      expect((await place(sas(a, siae, '2027-01-04', '2027-02-26'))).status).toBe(201);
      expect((await place(sas(b, siae, '2027-02-01', '2027-03-31'))).status).toBe(201);
      const third = await place(sas(c, siae, '2027-02-15', '2027-04-30'));
      expect(third.status).toBe(409);
      expect(third.body.error).toEqual({
        code: 'Conflict',
        reason: 'placement.capacity',
        params: { structure: expect.stringMatching(/^siae \d+$/), capacity: 2, placed: 2, day: '2027-02-15' },
        message: expect.stringMatching(
          /^siae \d+ takes at most 2 refugees in the sas IAE at a time, and 2 are already placed there on 2027-02-15\.$/,
        ),
      });
      expect(await db().placement.count({ where: { beneficiaryId: c } })).toBe(0);
      expect(await db().caseEvent.count({ where: { beneficiaryId: c, type: 'placement_created' } })).toBe(0);
      // The last day is included: starting on a's last day is still one too many...
      expect((await place(sas(c, siae, '2027-02-26', '2027-04-30'))).status).toBe(409);
      // ...the day after a leaves and until b's last day, only b is there.
      expect((await place(sas(c, siae, '2027-02-27', '2027-05-31'))).status).toBe(201);
      // From 2027-04-01 on, only c: d gets in then, not before.
      expect((await place(sas(d, siae, '2027-03-15', '2027-04-15'))).status).toBe(409);
      const dLater = await place(sas(d, siae, '2027-04-01', '2027-05-15'));
      expect(dLater.status).toBe(201);
      // Another kind of placement in the same SIAE takes no sas IAE seat.
      expect(
        (
          await place({
            beneficiaryId: await newCase(),
            structureId: siae,
            kind: 'job',
            startDate: '2027-04-01',
            endDate: '2027-12-31',
          })
        ).status,
      ).toBe(201);
      // d's place freed by a cancellation: e fits; bringing d back is refused.
      const e = await newCase();
      expect((await cip.call('PATCH', `/api/cip/placements/${dLater.body.id}`, { status: 'cancelled' })).status).toBe(
        200,
      );
      expect((await place(sas(e, siae, '2027-04-01', '2027-04-30'))).status).toBe(201);
      const back = await cip.call('PATCH', `/api/cip/placements/${dLater.body.id}`, { status: 'planned' });
      expect(back.status).toBe(409);
      expect((await db().placement.findUniqueOrThrow({ where: { id: dLater.body.id } })).status).toBe('cancelled');
    },
  );

  test('the seats of an SIAE are its capacity when set; people of other CIPs count too', async () => {
    const siae = await newStructure('siae', { capacity: 3 });
    for (const client of [cip, otherCip, otherCip])
      expect((await place(sas(await newCase(client), siae, '2027-06-01', '2027-06-30'), client)).status).toBe(201);
    const fourth = await place(sas(await newCase(), siae, '2027-06-10', '2027-06-20'));
    expect(fourth.body.error.message).toMatch(
      /takes at most 3 refugees in the sas IAE at a time, and 3 are already placed there on 2027-06-10/,
    );
  });

  test(
    'at most 4 months of sas IAE in all: up to the same day 4 months after the first; an edit past them is ' +
      'refused and changes nothing',
    async () => {
      const [s1, s2, s3] = [await newStructure('siae'), await newStructure('siae'), await newStructure('siae')];
      const person = await newCase();
      const tooLong = await place(sas(person, s1, '2027-01-15', '2027-05-16'));
      expect(tooLong.status).toBe(409);
      expect(tooLong.body.error.message).toBe(
        'The sas IAE lasts at most 4 months in all: from 2027-01-15, that is 121 days (to 2027-05-15); ' +
          'with this placement it would be 122 days.',
      );
      const first = (await place(sas(person, s1, '2027-01-15', '2027-03-14'))).body;
      const second = (await place(sas(person, s2, '2027-03-15', '2027-05-15'))).body;
      expect(second.id).toBeDefined();
      // The 4 months are used: one more day anywhere is too many.
      expect((await place(sas(person, s3, '2027-06-01', '2027-06-02'))).status).toBe(409);
      const edit = await cip.call('PATCH', `/api/cip/placements/${second.id}`, { endDate: '2027-05-20' });
      expect(edit.status).toBe(409);
      expect(edit.body.error.message).toMatch(/^The sas IAE lasts at most 4 months in all/);
      expect((await db().placement.findUniqueOrThrow({ where: { id: second.id } })).endDate.toISOString()).toBe(
        '2027-05-15T00:00:00.000Z',
      );
      expect(await db().caseEvent.count({ where: { beneficiaryId: person, type: 'placement_updated' } })).toBe(0);
      // Shortening the first step makes room for the second to last longer.
      expect((await cip.call('PATCH', `/api/cip/placements/${first.id}`, { endDate: '2027-03-09' })).status).toBe(200);
      expect((await cip.call('PATCH', `/api/cip/placements/${second.id}`, { endDate: '2027-05-20' })).status).toBe(200);
      // Ending a step or changing its notes is never refused.
      expect(
        (await cip.call('PATCH', `/api/cip/placements/${first.id}`, { status: 'ended', notes: 'done' })).status,
      ).toBe(200);
    },
  );

  test(
    'the tutor is a contact of the structure (409 otherwise, on create and on change); a sas IAE step is in an ' +
      'SIAE (409 in a company)',
    async () => {
      const siae = await newStructure('siae');
      const company = await newStructure('company');
      const ours = await newContact(siae);
      const theirs = await newContact(company);
      const person = await newCase();
      const wrongTutor = await place(sas(person, siae, '2027-09-01', '2027-09-30', { tutorId: theirs }));
      expect(wrongTutor).toMatchObject({
        status: 409,
        body: {
          error: { code: 'Conflict', message: expect.stringMatching(/^The tutor must be a contact of siae \d+\.$/) },
        },
      });
      expect((await place(sas(person, siae, '2027-09-01', '2027-09-30', { tutorId: 999999 }))).status).toBe(409);
      const p = (await place(sas(person, siae, '2027-09-01', '2027-09-30', { tutorId: ours }))).body;
      expect((await cip.call('PATCH', `/api/cip/placements/${p.id}`, { tutorId: theirs })).status).toBe(409);
      expect((await cip.call('PATCH', `/api/cip/placements/${p.id}`, { tutorId: null })).body.tutorId).toBeNull();

      const atCompany = await place(sas(person, company, '2027-10-01', '2027-10-15'));
      expect(atCompany.status).toBe(409);
      expect(atCompany.body.error.message).toMatch(/^A sas IAE step is done in an SIAE; company \d+ is a company\.$/);
      expect(
        (
          await place({
            beneficiaryId: person,
            structureId: company,
            kind: 'immersion',
            startDate: '2027-10-01',
            endDate: '2027-10-15',
            tutorId: theirs,
          })
        ).status,
      ).toBe(201);
    },
  );

  test('an archived case or an inactive structure: 409', async () => {
    const siae = await newStructure('siae');
    const person = await newCase();
    await cip.call('POST', `/api/cip/beneficiaries/${person}/archive`, {});
    expect((await place(sas(person, siae, '2027-01-04', '2027-01-29'))).body.error.message).toBe(
      'This case is archived: reopen it before placing the person.',
    );
    const closed = await newStructure('siae', { active: false });
    expect((await place(sas(await newCase(), closed, '2027-01-04', '2027-01-29'))).body.error.message).toMatch(
      /is not active\.$/,
    );
  });

  test('two CIPs placing two people in the last seat at the same moment: one gets it', async () => {
    const siae = await newStructure('siae');
    await place(sas(await newCase(), siae, '2027-11-01', '2027-11-30'));
    const [a, b] = [await newCase(cip), await newCase(otherCip)];
    const answers = await Promise.all([
      place(sas(a, siae, '2027-11-02', '2027-11-20'), cip),
      place(sas(b, siae, '2027-11-03', '2027-11-21'), otherCip),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await db().placement.count({ where: { structureId: siae } })).toBe(2);
  });
});

describe('shifts', () => {
  let person: number;
  let placementId: number;
  beforeAll(async () => {
    person = await newCase();
    const siae = await newStructure('siae');
    placementId = (await place(sas(person, siae, '2027-02-01', '2027-02-28', { status: 'active' }))).body.id;
  });
  /** Plans a shift from startsAt to endsAt in a placement (that one unless told), as a CIP (ours unless told). */
  const addShift = (startsAt: string, endsAt: string, placement: number = placementId, client: StaffClient = cip) =>
    client.call('POST', `/api/cip/placements/${placement}/shifts`, { startsAt, endsAt });

  test("a shift in the placement's days: 201, the row, shift_created, audited; the last day included", async () => {
    const res = await addShift('2027-02-01T08:00:00+01:00', '2027-02-01T12:00:00+01:00');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      placementId,
      beneficiaryId: person,
      startsAt: '2027-02-01T07:00:00.000Z',
      endsAt: '2027-02-01T11:00:00.000Z',
      confirmation: 'pending',
      attendance: 'unknown',
      attendanceAt: null,
    });
    const event = await db().caseEvent.findFirstOrThrow({ where: { beneficiaryId: person, type: 'shift_created' } });
    expect(event).toMatchObject({ actorType: 'staff', actorId: String(cip.id), attention: false });
    expect(event.payload).toMatchObject({
      shiftId: res.body.id,
      placementId,
      startsAt: '2027-02-01T07:00:00.000Z',
      endsAt: '2027-02-01T11:00:00.000Z',
    });
    expect(await auditCount(db(), 'create', 'shift', res.body.id, { beneficiaryId: person })).toBe(1);
    expect((await addShift('2027-02-28T13:00:00Z', '2027-02-28T18:00:00Z')).status).toBe(201);
  });

  test("outside the placement's days: 409; the end before the start: 400 on endsAt; bad times: 400", async () => {
    const before = await addShift('2027-01-31T08:00:00Z', '2027-01-31T12:00:00Z');
    expect(before).toMatchObject({
      status: 409,
      body: { error: { message: "A shift falls within its placement's days: 2027-02-01 to 2027-02-28." } },
    });
    expect((await addShift('2027-02-28T20:00:00Z', '2027-03-01T02:00:00Z')).status).toBe(409);
    const reversed = await addShift('2027-02-10T12:00:00Z', '2027-02-10T08:00:00Z');
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.fields).toEqual([{ path: 'endsAt', message: 'must be after startsAt' }]);
    expect(fieldPaths(await addShift('2027-02-10 08:00', '2027-02-10T12:00:00'))).toEqual(['endsAt', 'startsAt']);
    expect(await db().shift.count({ where: { placementId, startsAt: { lt: new Date('2027-02-01T00:00:00Z') } } })).toBe(
      0,
    );
  });

  test('a cancelled placement takes no shift (409); an unknown or out-of-scope one: 404; no token: 401', async () => {
    const siae = await newStructure('siae');
    const p = (await place(sas(await newCase(), siae, '2027-02-01', '2027-02-28', { status: 'cancelled' }))).body;
    expect((await addShift('2027-02-10T08:00:00Z', '2027-02-10T12:00:00Z', p.id)).body.error.message).toBe(
      'This placement is cancelled: shifts are planned in planned or active placements only.',
    );
    expect((await addShift('2027-02-10T08:00:00Z', '2027-02-10T12:00:00Z', 999999)).status).toBe(404);
    expect(
      (await addShift('2027-02-10T08:00:00Z', '2027-02-10T12:00:00Z', placementId, otherCip)).body.error.message,
    ).toBe('Placement not found.');
    expect(
      (
        await request(testApp(), 'POST', `/api/cip/placements/${placementId}/shifts`, {
          startsAt: '2027-02-10T08:00:00Z',
          endsAt: '2027-02-10T12:00:00Z',
        })
      ).status,
    ).toBe(401);
  });

  test("a person's shifts, earliest first, between from and to; audited; another CIP's case: 404", async () => {
    for (const d of ['2027-02-15', '2027-02-08', '2027-02-22']) await addShift(`${d}T08:00:00Z`, `${d}T12:00:00Z`);
    const all = await cip.call('GET', `/api/cip/beneficiaries/${person}/shifts`);
    expect(all.status).toBe(200);
    const starts = all.body.items.map((s: { startsAt: string }) => s.startsAt.slice(0, 10));
    expect(starts).toEqual([...starts].sort());
    expect(all.body.items[0].placement).toMatchObject({
      id: placementId,
      kind: 'sas_iae',
      status: 'active',
      structure: { name: expect.any(String) },
    });
    const some = await cip.call(
      'GET',
      `/api/cip/beneficiaries/${person}/shifts?from=2027-02-08T10:00:00Z&to=2027-02-22T00:00:00Z`,
    );
    expect(some.body.items.map((s: { startsAt: string }) => s.startsAt)).toEqual([
      '2027-02-08T08:00:00.000Z',
      '2027-02-15T08:00:00.000Z',
    ]);
    const read = await db().auditEvent.findFirstOrThrow({
      where: { action: 'read', resource: 'shift', beneficiaryId: person },
      orderBy: { id: 'desc' },
    });
    expect((read.detail as { ids: number[] }).ids).toEqual(some.body.items.map((s: { id: number }) => s.id));
    expect(fieldPaths(await cip.call('GET', `/api/cip/beneficiaries/${person}/shifts?from=yesterday`))).toEqual([
      'query.from',
    ]);
    expect((await otherCip.call('GET', `/api/cip/beneficiaries/${person}/shifts`)).status).toBe(404);
  });

  test(
    'attendance: recorded with its time and shift_attendance; an absence is an alert; bad values 400; out of ' +
      'scope 404',
    async () => {
      const shift = (await addShift('2027-02-17T08:00:00Z', '2027-02-17T12:00:00Z')).body;
      const present = await cip.call('PATCH', `/api/cip/shifts/${shift.id}`, { attendance: 'late' });
      expect(present.status).toBe(200);
      expect(present.body.attendance).toBe('late');
      expect(Date.now() - new Date(present.body.attendanceAt).getTime()).toBeLessThan(60_000);
      const absent = await cip.call('PATCH', `/api/cip/shifts/${shift.id}`, { attendance: 'absent' });
      expect(absent.body.attendance).toBe('absent');
      expect(await alertsAndPayloads(db(), person, 'shift_attendance', 'attendance', 'from')).toEqual([
        [false, 'late', 'unknown'],
        [true, 'absent', 'late'],
      ]);
      // The absence shows among the CIP's alerts.
      expect(
        (await cip.call('GET', `/api/cip/alerts?beneficiaryId=${person}`)).body.items.map(
          (a: { type: string }) => a.type,
        ),
      ).toContain('shift_attendance');
      const cleared = await cip.call('PATCH', `/api/cip/shifts/${shift.id}`, { attendance: 'unknown' });
      expect(cleared.body).toMatchObject({ attendance: 'unknown', attendanceAt: null });
      expect(await auditCount(db(), 'update', 'shift', shift.id)).toBe(3);

      expect(fieldPaths(await cip.call('PATCH', `/api/cip/shifts/${shift.id}`, { attendance: 'maybe' }))).toEqual([
        'attendance',
      ]);
      expect(
        (await otherCip.call('PATCH', `/api/cip/shifts/${shift.id}`, { attendance: 'present' })).body.error.message,
      ).toBe('Shift not found.');
      expect((await cip.call('PATCH', '/api/cip/shifts/999999', { attendance: 'present' })).status).toBe(404);
      expect((await request(testApp(), 'PATCH', `/api/cip/shifts/${shift.id}`, { attendance: 'present' })).status).toBe(
        401,
      );
    },
  );
});
