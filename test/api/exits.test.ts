// A person's exit through the CIP API (POST /api/cip/beneficiaries/:id/exit), on SQLite and
// PostgreSQL: the fields, the stage, exit_recorded on the timeline and the audit row; a detail of
// another outcome, a day before the entry or in the future (400); twice or an erased case (409);
// another CIP's case (404); no token (401). An erasure keeps the statistical fields. And the API's
// refusals in the caller's language: French by default, English when asked, with a stable reason.
import { eraseBeneficiary } from '../../bot/services/erasure';
import { appForTests, staffForTests } from '../support/app';
import { request, type StaffClient } from '../support/cipApi';
import { testDatabases } from '../support/databases';

describe.each(testDatabases())('exits on $name', (kind) => {
  const testApp = appForTests({ DEMO_DATA: 'off' }, {}, kind);
  const [cip, otherCip, coordinator] = staffForTests(testApp, 'cip', 'cip', 'coordinator');
  let seq = 0;

  const db = () => testApp().db.prisma;
  const newCase = async (client: StaffClient = cip, extra: object = {}) =>
    (
      await client.call('POST', '/api/cip/beneficiaries', {
        firstName: `Exit${++seq}`,
        entryDate: '2025-01-06',
        ...extra,
      })
    ).body.id as number;
  const exit = (id: number, body: object, client: StaffClient = cip) =>
    client.call('POST', `/api/cip/beneficiaries/${id}/exit`, body);

  test('an exit: its day, outcome and detail on the case, the stage exited, exit_recorded, an audit row', async () => {
    const id = await newCase();
    expect((await cip.call('GET', `/api/cip/beneficiaries/${id}`)).body).toMatchObject({
      entryDate: '2025-01-06T00:00:00.000Z',
      exitDate: null,
      exitOutcome: null,
    });
    const res = await exit(id, {
      date: '2025-09-30',
      outcome: 'durable',
      detail: 'cdd_6m_plus',
      note: 'Agent de tri, 8 mois',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      stage: 'exited',
      status: 'active',
      entryDate: '2025-01-06T00:00:00.000Z',
      exitDate: '2025-09-30T00:00:00.000Z',
      exitOutcome: 'durable',
      exitDetail: 'cdd_6m_plus',
    });
    expect(await db().beneficiary.findUniqueOrThrow({ where: { id } })).toMatchObject({
      stage: 'exited',
      exitOutcome: 'durable',
      exitDetail: 'cdd_6m_plus',
      exitDate: new Date('2025-09-30T00:00:00.000Z'),
    });
    const events = await db().caseEvent.findMany({ where: { beneficiaryId: id, type: 'exit_recorded' } });
    expect(events.map((e) => [e.actorType, e.actorId, e.payload])).toEqual([
      [
        'staff',
        String(cip.id),
        {
          date: '2025-09-30',
          outcome: 'durable',
          detail: 'cdd_6m_plus',
          from: 'diagnostic',
          note: 'Agent de tri, 8 mois',
        },
      ],
    ]);
    expect(
      await db().auditEvent.count({
        where: {
          action: 'update',
          resource: 'beneficiary',
          beneficiaryId: id,
          staffUserId: cip.id,
          detail: { equals: { exit: { outcome: 'durable', detail: 'cdd_6m_plus' } } },
        },
      }),
    ).toBe(1);
  });

  test('a detail of another outcome, a day before the entry or to come, bad fields: 400; nothing written', async () => {
    const id = await newCase();
    const wrong = await exit(id, { date: '2025-09-30', outcome: 'durable', detail: 'cdd_short' });
    expect(wrong.status).toBe(400);
    // The same sentence for the whole and for the field.
    const message = 'The detail "cdd_short" does not belong to the outcome "durable".';
    expect(wrong.body.error).toEqual({
      code: 'ValidationError',
      reason: 'exit.detailOutcome',
      params: { outcome: 'durable', detail: 'cdd_short' },
      message,
      fields: [{ path: 'detail', message }],
    });
    const early = await exit(id, { date: '2025-01-05', outcome: 'other', detail: 'moved' });
    expect(early.status).toBe(400);
    expect(early.body.error).toMatchObject({
      reason: 'exit.beforeEntry',
      params: { entryDate: '2025-01-06' },
      fields: [{ path: 'date' }],
    });
    const future = await exit(id, { date: '2099-01-01', outcome: 'other', detail: 'moved' });
    expect(future.status).toBe(400);
    expect(future.body.error.fields).toEqual([{ path: 'date', message: 'must not be in the future' }]);
    const bad = await exit(id, { date: '30/09/2025', outcome: 'emploi', detail: 'cdi' });
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['date', 'outcome']);
    expect(await db().beneficiary.findUniqueOrThrow({ where: { id } })).toMatchObject({
      stage: 'diagnostic',
      exitDate: null,
    });
    expect(await db().caseEvent.count({ where: { beneficiaryId: id, type: 'exit_recorded' } })).toBe(0);
  });

  test('twice: 409 with the first day; erased: 409; another CIP: 404; a coordinator may; no token: 401', async () => {
    const id = await newCase();
    expect((await exit(id, { date: '2025-03-03', outcome: 'positive', detail: 'training' })).status).toBe(200);
    const again = await exit(id, { date: '2025-04-01', outcome: 'other', detail: 'unknown' });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({
      code: 'Conflict',
      reason: 'exit.already',
      params: { exitDate: '2025-03-03' },
      message: 'This person left the platform already, on 2025-03-03.',
    });
    expect(await db().caseEvent.count({ where: { beneficiaryId: id, type: 'exit_recorded' } })).toBe(1);

    const theirs = await newCase(otherCip);
    expect((await exit(theirs, { date: '2025-03-03', outcome: 'other', detail: 'health' })).status).toBe(404);
    expect((await exit(theirs, { date: '2025-03-03', outcome: 'other', detail: 'health' }, coordinator)).status).toBe(
      200,
    );
    expect(
      (
        await request(testApp(), 'POST', `/api/cip/beneficiaries/${theirs}/exit`, {
          date: '2025-03-03',
          outcome: 'other',
          detail: 'health',
        })
      ).status,
    ).toBe(401);

    const erased = await newCase();
    await db().beneficiary.update({ where: { id: erased }, data: { status: 'erased', erasedAt: new Date() } });
    expect((await exit(erased, { date: '2025-03-03', outcome: 'other', detail: 'health' })).body.error).toMatchObject({
      code: 'Conflict',
      reason: 'case.erased',
    });
  });

  test('an erasure keeps the entry and the exit (statistics), not the identifiers', async () => {
    const id = await newCase(cip, { lastName: 'Haddad', phone: '06 39 98 01 77', birthYear: 1992 });
    await exit(id, { date: '2025-11-14', outcome: 'transition', detail: 'interim_short' });
    await eraseBeneficiary(testApp().db, id, {
      by: { staffUserId: coordinator.id },
      reason: 'asked by the person',
      now: new Date(),
    });
    expect(await db().beneficiary.findUniqueOrThrow({ where: { id } })).toMatchObject({
      firstName: null,
      lastName: null,
      phone: null,
      status: 'erased',
      stage: 'exited',
      entryDate: new Date('2025-01-06T00:00:00.000Z'),
      exitDate: new Date('2025-11-14T00:00:00.000Z'),
      exitOutcome: 'transition',
      exitDetail: 'interim_short',
    });
  });

  test(
    "refusals in the caller's language: French by default, English when asked; a placement rule with its " +
      'structure and days',
    async () => {
      const id = await newCase();
      await exit(id, { date: '2025-03-10', outcome: 'durable', detail: 'cdi' });
      const asked = (language?: string) =>
        request(
          testApp(),
          'POST',
          `/api/cip/beneficiaries/${id}/exit`,
          { date: '2025-04-01', outcome: 'other', detail: 'unknown' },
          cip.token,
          language === undefined ? { 'Accept-Language': '' } : { 'Accept-Language': language },
        );
      expect((await asked()).body.error.message).toBe(
        'Cette personne est déjà sortie de la plateforme, le 10/03/2025.',
      );
      expect((await asked('fr-FR,fr;q=0.9,en;q=0.8')).body.error.message).toBe(
        'Cette personne est déjà sortie de la plateforme, le 10/03/2025.',
      );
      expect((await asked('en-GB,en;q=0.9')).body.error.message).toBe(
        'This person left the platform already, on 2025-03-10.',
      );
      expect((await asked('de-DE,en;q=0.5,fr;q=0.4')).body.error.message).toBe(
        'This person left the platform already, on 2025-03-10.',
      );
      // Other languages of the chat are not the staff's: French.
      expect((await asked('ar')).body.error.message).toBe(
        'Cette personne est déjà sortie de la plateforme, le 10/03/2025.',
      );

      // The sas IAE rules: the SIAE's name and the day in the sentence.
      const siae = (
        await coordinator.call('POST', '/api/cip/structures', { name: 'Jardins de Cocagne', kind: 'siae', capacity: 1 })
      ).body.id;
      const place = (beneficiaryId: number) =>
        request(
          testApp(),
          'POST',
          '/api/cip/placements',
          { beneficiaryId, structureId: siae, kind: 'sas_iae', startDate: '2027-03-01', endDate: '2027-04-30' },
          cip.token,
          { 'Accept-Language': 'fr' },
        );
      expect((await place(await newCase())).status).toBe(201);
      const refused = await place(await newCase());
      expect(refused.status).toBe(409);
      expect(refused.body.error).toEqual({
        code: 'Conflict',
        reason: 'placement.capacityOne',
        params: { structure: 'Jardins de Cocagne', capacity: 1, placed: 1, day: '2027-03-01' },
        message:
          'Jardins de Cocagne accueille au plus 1 réfugié(s) à la fois en sas IAE, ' +
          'et 1 y est déjà placé le 01/03/2027.',
      });
      const notFound = await request(testApp(), 'GET', '/api/cip/beneficiaries/999999', undefined, cip.token, {
        'Accept-Language': 'fr',
      });
      expect(notFound.body.error).toEqual({
        code: 'NotFound',
        reason: 'notFound.Beneficiary',
        params: {},
        message: 'Personne introuvable.',
      });
      // zod's own field messages too (those written in our schemas stay as written).
      const badFr = await request(
        testApp(),
        'POST',
        `/api/cip/beneficiaries/${id}/exit`,
        { date: '2025-04-01', outcome: 'emploi', detail: 'cdi' },
        cip.token,
        { 'Accept-Language': 'fr' },
      );
      expect(badFr.body.error).toMatchObject({
        reason: 'invalid.body',
        message: "Le corps de la requête n'est pas valide.",
        fields: [{ path: 'outcome', message: expect.stringMatching(/^Option invalide/) }],
      });
      const noToken = await request(testApp(), 'GET', '/api/cip/beneficiaries', undefined, undefined, {
        'Accept-Language': 'fr',
      });
      expect(noToken.body.error.message).toMatch(/^Connectez-vous d'abord/);
    },
  );
});
