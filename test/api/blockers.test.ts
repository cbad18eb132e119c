// Blockers through the CIP API on the real server: the list of the cases in one's scope with its
// filters and paging, one blocker, and moving it along with a note (blocker_status_changed on the
// timeline, resolvedAt set only while resolved); field errors, 404 for other CIPs' cases, 409 for
// no change, 401, and the audit trail of every read and change.
import { reportBlocker, type BlockerReport } from '../../bot/services/blockers';
import { appForTests, staffForTests } from '../support/app';
import { auditCount } from '../support/audits';
import { apiError, fieldPaths, openCase, request, type StaffClient } from '../support/cipApi';

const testApp = appForTests();
const [cip, otherCip, coordinator] = staffForTests(testApp, 'cip', 'cip', 'coordinator');

const db = () => testApp().db.prisma;
const newCase = (client: StaffClient = cip) => openCase(client);
const report = (beneficiaryId: number, r: BlockerReport) =>
  reportBlocker(db(), beneficiaryId, r, { type: 'beneficiary', id: beneficiaryId });
const ids = (res: { body: { items: { id: number }[] } }) => res.body.items.map((b) => b.id);

describe('reading blockers', () => {
  let mine: number;
  let theirs: number;
  const made: Record<string, number> = {};
  beforeAll(async () => {
    [mine, theirs] = [await newCase(), await newCase(otherCip)];
    made.housing = (
      await report(mine, { category: 'housing', urgency: 'week', description: 'Le propriétaire veut que je parte' })
    ).id;
    made.childcare = (await report(mine, { category: 'childcare', urgency: 'today' })).id;
    made.transport = (await report(mine, { category: 'transport', urgency: 'later' })).id;
    made.theirs = (await report(theirs, { category: 'housing', urgency: 'today' })).id;
  });

  test(
    "a CIP lists their cases' blockers, newest first, with the person; not another CIP's; a coordinator sees " +
      'all; audited',
    async () => {
      const res = await cip.call('GET', '/api/cip/blockers?limit=500');
      expect(res.status).toBe(200);
      expect(ids(res)).toEqual(expect.arrayContaining([made.housing, made.childcare, made.transport]));
      expect(ids(res)).not.toContain(made.theirs);
      const own = res.body.items.filter((b: { beneficiaryId: number }) => b.beneficiaryId === mine);
      expect(own.map((b: { id: number }) => b.id)).toEqual([made.transport, made.childcare, made.housing]);
      expect(own[2]).toMatchObject({
        reference: expect.stringMatching(/^B-\d{4,5}$/),
        category: 'housing',
        urgency: 'week',
        status: 'open',
        description: 'Le propriétaire veut que je parte',
        statusNote: null,
        resolvedAt: null,
        beneficiary: { id: mine, firstName: expect.any(String) },
      });
      expect(ids(await coordinator.call('GET', '/api/cip/blockers?limit=500'))).toEqual(
        expect.arrayContaining([made.housing, made.theirs]),
      );
      const audit = await db().auditEvent.findFirstOrThrow({
        where: { action: 'read', resource: 'blocker', staffUserId: cip.id },
        orderBy: { id: 'desc' },
      });
      expect((audit.detail as { ids: number[] }).ids).toEqual(ids(res));
    },
  );

  test('filters: status, category, urgency, person; paging with the total', async () => {
    expect(ids(await cip.call('GET', `/api/cip/blockers?beneficiaryId=${mine}&category=childcare`))).toEqual([
      made.childcare,
    ]);
    expect(ids(await cip.call('GET', `/api/cip/blockers?beneficiaryId=${mine}&urgency=later`))).toEqual([
      made.transport,
    ]);
    expect(ids(await cip.call('GET', `/api/cip/blockers?beneficiaryId=${mine}&status=resolved`))).toEqual([]);
    expect(ids(await cip.call('GET', `/api/cip/blockers?beneficiaryId=${theirs}`))).toEqual([]);
    const page = await cip.call('GET', `/api/cip/blockers?beneficiaryId=${mine}&limit=1&offset=1`);
    expect(page.body).toMatchObject({ total: 3, items: [{ id: made.childcare }] });
    expect(
      (
        await db().auditEvent.findFirstOrThrow({
          where: { resource: 'blocker', staffUserId: cip.id },
          orderBy: { id: 'desc' },
        })
      ).beneficiaryId,
    ).toBe(mine);
    const bad = await cip.call('GET', '/api/cip/blockers?status=closed&category=food&urgency=now&limit=0');
    expect(bad.status).toBe(400);
    expect(fieldPaths(bad)).toEqual(['query.category', 'query.limit', 'query.status', 'query.urgency']);
    expect((await request(testApp(), 'GET', '/api/cip/blockers')).status).toBe(401);
  });

  test("one blocker: audited; another CIP's or an unknown one: 404", async () => {
    const res = await cip.call('GET', `/api/cip/blockers/${made.childcare}`);
    expect(res.body).toMatchObject({
      id: made.childcare,
      category: 'childcare',
      urgency: 'today',
      beneficiaryId: mine,
    });
    expect(await auditCount(db(), 'read', 'blocker', made.childcare, { beneficiaryId: mine })).toBe(1);
    expect((await cip.call('GET', `/api/cip/blockers/${made.theirs}`)).body.error).toEqual(
      apiError('NotFound', 'notFound.Blocker', 'Blocker not found.'),
    );
    expect((await cip.call('GET', '/api/cip/blockers/999999')).status).toBe(404);
    expect((await request(testApp(), 'GET', `/api/cip/blockers/${made.childcare}`)).status).toBe(401);
  });
});

describe('moving a blocker along', () => {
  /** A new case (ours) with one blocker. */
  const newBlocker = async (r: BlockerReport) => {
    const person = await newCase();
    return { person, b: await report(person, r) };
  };
  /** Moves a blocker to `status`, with a note when given, as a member of staff (our CIP unless told). */
  const move = (id: number, status: string, note?: string, client: StaffClient = cip) =>
    client.call('PATCH', `/api/cip/blockers/${id}`, { status, note });
  test(
    'in progress, resolved, open again: the status, the note, resolvedAt while resolved; each change on the ' +
      'timeline and audited',
    async () => {
      const { person, b } = await newBlocker({ category: 'papers', urgency: 'week' });
      const started = await move(b.id, 'in_progress', 'Rendez-vous en préfecture le 12');
      expect(started.status).toBe(200);
      expect(started.body).toMatchObject({
        status: 'in_progress',
        statusNote: 'Rendez-vous en préfecture le 12',
        resolvedAt: null,
      });
      const resolved = await move(b.id, 'resolved', 'Récépissé obtenu');
      expect(resolved.body.status).toBe('resolved');
      expect(Date.now() - new Date(resolved.body.resolvedAt).getTime()).toBeLessThan(60_000);
      expect(await db().blocker.findUniqueOrThrow({ where: { id: b.id } })).toMatchObject({
        status: 'resolved',
        statusNote: 'Récépissé obtenu',
      });
      const reopened = await move(b.id, 'open', 'Le récépissé a expiré', coordinator);
      expect(reopened.body).toMatchObject({ status: 'open', resolvedAt: null });

      const events = await db().caseEvent.findMany({
        where: { beneficiaryId: person, type: 'blocker_status_changed' },
        orderBy: { id: 'asc' },
      });
      expect(events.map((e) => [e.actorId, e.payload])).toEqual([
        [
          String(cip.id),
          {
            blockerId: b.id,
            reference: b.reference,
            from: 'open',
            to: 'in_progress',
            note: 'Rendez-vous en préfecture le 12',
          },
        ],
        [
          String(cip.id),
          { blockerId: b.id, reference: b.reference, from: 'in_progress', to: 'resolved', note: 'Récépissé obtenu' },
        ],
        [
          String(coordinator.id),
          { blockerId: b.id, reference: b.reference, from: 'resolved', to: 'open', note: 'Le récépissé a expiré' },
        ],
      ]);
      const audits = await db().auditEvent.findMany({
        where: { action: 'update', resource: 'blocker', resourceId: String(b.id) },
        orderBy: { id: 'asc' },
      });
      expect(audits.map((a) => [a.staffUserId, a.beneficiaryId])).toEqual([
        [cip.id, person],
        [cip.id, person],
        [coordinator.id, person],
      ]);
      // Open again: among the open ones.
      expect((await cip.call('GET', `/api/cip/blockers?beneficiaryId=${person}&status=open`)).body.total).toBe(1);
    },
  );

  test(
    'a note is required (1 to 1000 characters) and the status one of three: 400; the same status: 409; out of ' +
      'scope: 404; no token: 401',
    async () => {
      const { person, b } = await newBlocker({ category: 'money', urgency: 'later' });
      expect(fieldPaths(await move(b.id, 'resolved'))).toEqual(['note']);
      expect((await move(b.id, 'resolved', '   ')).body.error.fields).toEqual([
        { path: 'note', message: 'must not be empty' },
      ]);
      expect(fieldPaths(await move(b.id, 'resolved', 'x'.repeat(1001)))).toEqual(['note']);
      expect((await move(b.id, 'resolved', 'x'.repeat(1000))).status).toBe(200);
      expect(fieldPaths(await move(b.id, 'closed', 'ok'))).toEqual(['status']);
      const same = await move(b.id, 'resolved', 'again');
      expect(same).toEqual({
        status: 409,
        body: {
          error: {
            code: 'Conflict',
            reason: 'blocker.already.resolved',
            params: {},
            message: 'This blocker is resolved already.',
          },
        },
      });
      expect((await move(b.id, 'open', 'mine now', otherCip)).status).toBe(404);
      expect((await cip.call('PATCH', '/api/cip/blockers/999999', { status: 'open', note: 'x' })).status).toBe(404);
      expect(
        (await request(testApp(), 'PATCH', `/api/cip/blockers/${b.id}`, { status: 'open', note: 'x' })).status,
      ).toBe(401);
      expect(await db().blocker.findUniqueOrThrow({ where: { id: b.id } })).toMatchObject({ status: 'resolved' });
      expect(await db().caseEvent.count({ where: { beneficiaryId: person, type: 'blocker_status_changed' } })).toBe(1);
    },
  );
});
