// What the dashboard asks the API for: GET /api/cip/today (what needs me today, in my scope),
// GET /api/cip/staff, and the case list's CIP, structure and order filters.
import { appForTests, staffForTests } from '../support/app';
import { testDatabases } from '../support/databases';

const NOW = new Date('2026-03-04T08:00:00Z');
const DAY = 24 * 3600_000;
describe.each(testDatabases())('on $name', (kind) => {
  const testApp = appForTests({}, { now: () => NOW }, kind);
  const [cip, other, coordinator] = staffForTests(testApp, 'cip', 'cip', 'coordinator');
  /** An immersion of the person in the demo SIAE, Monday 2 to Friday 6 March 2026 (this week). */
  const immersionOf = async (beneficiaryId: number, extra: { status?: string } = {}) => {
    const db = testApp().db.prisma;
    const siae = await db.structure.findFirstOrThrow({ where: { kind: 'siae' } });
    return db.placement.create({
      data: {
        beneficiaryId,
        structureId: siae.id,
        kind: 'immersion',
        startDate: new Date('2026-03-02'),
        endDate: new Date('2026-03-06'),
        ...extra,
      },
      include: { structure: true },
    });
  };

  test(
    'today: alerts by kind, pending cases, people without news for 14 days, shifts and immersions, in my scope ' +
      'only; audited',
    async () => {
      const db = testApp().db.prisma;
      const old = new Date(NOW.getTime() - 30 * DAY);
      const quiet = await db.beneficiary.create({
        data: { firstName: 'Quiet', status: 'active', cipId: cip.id, createdAt: old },
      });
      const talking = await db.beneficiary.create({
        data: { firstName: 'Talking', status: 'active', cipId: cip.id, createdAt: old },
      });
      await db.message.create({
        data: {
          direction: 'in',
          channel: 'whatsapp',
          beneficiaryId: talking.id,
          status: 'received',
          payload: {},
          createdAt: new Date(NOW.getTime() - 2 * DAY),
        },
      });
      const theirs = await db.beneficiary.create({
        data: { firstName: 'Theirs', status: 'active', cipId: other.id, createdAt: old },
      });
      const pending = await db.beneficiary.create({ data: { firstName: 'Pending', status: 'pending' } });
      await db.caseEvent.create({
        data: { beneficiaryId: quiet.id, type: 'absence_reported', actorType: 'beneficiary', attention: true },
      });
      await db.caseEvent.create({
        data: { beneficiaryId: theirs.id, type: 'absence_reported', actorType: 'beneficiary', attention: true },
      });
      const immersion = await immersionOf(talking.id, { status: 'active' });
      await db.shift.create({
        data: {
          placementId: immersion.id,
          beneficiaryId: talking.id,
          startsAt: new Date('2026-03-05T08:00:00Z'),
          endsAt: new Date('2026-03-05T12:00:00Z'),
        },
      });
      await immersionOf(theirs.id, { status: 'active' });

      const { status, body } = await cip.call('GET', '/api/cip/today');
      expect(status).toBe(200);
      expect(body.alerts).toEqual([{ type: 'absence_reported', count: 1 }]);
      expect(body.pending.map((p: { id: number }) => p.id)).toEqual([pending.id]);
      expect(body.quiet.map((p: { id: number }) => p.id)).toEqual([quiet.id]);
      expect(body.immersions.map((i: { person: { id: number } }) => i.person.id)).toEqual([talking.id]);
      expect(body.shifts.map((s: { person: { id: number } }) => s.person.id)).toEqual([talking.id]);
      const audit = await db.auditEvent.findFirstOrThrow({
        where: { staffUserId: cip.id, resource: 'today' },
        orderBy: { id: 'desc' },
      });
      expect((audit.detail as { ids: number[] }).ids.sort()).toEqual([quiet.id, talking.id, pending.id].sort());
      // A coordinator sees everyone's.
      const all = (await coordinator.call('GET', '/api/cip/today')).body;
      expect(all.alerts).toEqual([{ type: 'absence_reported', count: 2 }]);
      expect(all.immersions).toHaveLength(2);
    },
  );

  test('the case list filters by CIP and structure and sorts by name', async () => {
    const db = testApp().db.prisma;
    const company = await db.structure.findFirstOrThrow({ where: { kind: 'company' } });
    const zed = await db.beneficiary.create({
      data: { firstName: 'Zed', lastName: 'Zulu', status: 'active', cipId: other.id },
    });
    const abe = await db.beneficiary.create({
      data: { firstName: 'Abe', lastName: 'Alpha', status: 'active', cipId: other.id },
    });
    await db.placement.create({
      data: {
        beneficiaryId: zed.id,
        structureId: company.id,
        kind: 'job',
        startDate: new Date('2026-03-02'),
        endDate: new Date('2026-09-02'),
      },
    });
    const byCip = (await coordinator.call('GET', `/api/cip/beneficiaries?cipId=${other.id}&sort=name`)).body;
    expect(byCip.items.map((b: { id: number }) => b.id).slice(0, 2)).toEqual([abe.id, zed.id]);
    expect(byCip.items.every((b: { cipId: number }) => b.cipId === other.id)).toBe(true);
    // The search ignores case on both databases.
    const found = (await coordinator.call('GET', '/api/cip/beneficiaries?q=zul')).body;
    expect(found.items.map((b: { id: number }) => b.id)).toContain(zed.id);
    expect(
      (await coordinator.call('GET', '/api/cip/beneficiaries?q=ZED')).body.items.map((b: { id: number }) => b.id),
    ).toContain(zed.id);
    const byStructure = (await coordinator.call('GET', `/api/cip/beneficiaries?structureId=${company.id}`)).body;
    expect(byStructure.items.map((b: { id: number }) => b.id)).toEqual([zed.id]);
    // A CIP asking for another CIP's cases still gets only their own scope.
    expect((await cip.call('GET', `/api/cip/beneficiaries?cipId=${other.id}`)).body.total).toBe(0);
    expect((await coordinator.call('GET', '/api/cip/beneficiaries?sort=nonsense')).status).toBe(400);
  });

  test('the staff list gives names and roles, no e-mail addresses', async () => {
    const { status, body } = await cip.call('GET', '/api/cip/staff');
    expect(status).toBe(200);
    expect(body.items.map((m: { id: number }) => m.id)).toEqual(
      expect.arrayContaining([cip.id, other.id, coordinator.id]),
    );
    expect(Object.keys(body.items[0]).sort()).toEqual(['id', 'name', 'role']);
    expect((await fetch(`${testApp().url}/api/cip/staff`)).status).toBe(401);
  });

  test("a case's conversation log: in scope only, its text and files, audited", async () => {
    const db = testApp().db.prisma;
    const mine = await db.beneficiary.create({ data: { firstName: 'Logged', status: 'active', cipId: cip.id } });
    await db.message.create({
      data: {
        direction: 'in',
        channel: 'webchat',
        beneficiaryId: mine.id,
        status: 'received',
        payload: {
          text: 'Bonjour',
          attachments: [{ contentType: 'audio/ogg', contentUrl: `/webchat/media/${'a'.repeat(32)}` }],
        },
      },
    });
    await db.message.create({
      data: { direction: 'status', channel: 'whatsapp', beneficiaryId: mine.id, status: 'read', payload: {} },
    });
    const { status, body } = await cip.call('GET', `/api/cip/beneficiaries/${mine.id}/messages`);
    expect(status).toBe(200);
    expect(body.items).toEqual([
      expect.objectContaining({
        direction: 'in',
        text: 'Bonjour',
        attachments: [{ contentType: 'audio/ogg', mediaId: 'a'.repeat(32) }],
      }),
    ]);
    expect(
      await db.auditEvent.count({ where: { staffUserId: cip.id, resource: 'conversation', beneficiaryId: mine.id } }),
    ).toBe(1);
    expect((await other.call('GET', `/api/cip/beneficiaries/${mine.id}/messages`)).status).toBe(404);
    expect(await db.auditEvent.count({ where: { staffUserId: other.id, resource: 'conversation' } })).toBe(0);
  });

  test("a case's bookings and check-ins: in scope only, audited", async () => {
    const db = testApp().db.prisma;
    const mine = await db.beneficiary.create({ data: { firstName: 'Booked', status: 'active', cipId: cip.id } });
    const session = await db.workshopSession.findFirstOrThrow({ include: { workshop: true } });
    await db.booking.create({ data: { sessionId: session.id, beneficiaryId: mine.id, status: 'booked' } });
    const placement = await immersionOf(mine.id);
    await db.checkIn.create({
      data: { placementId: placement.id, beneficiaryId: mine.id, day: '2026-03-03', status: 'difficult' },
    });
    const bookings = (await cip.call('GET', `/api/cip/beneficiaries/${mine.id}/bookings`)).body;
    expect(bookings.items).toEqual([
      expect.objectContaining({
        status: 'booked',
        session: expect.objectContaining({ id: session.id, title: session.workshop.title }),
      }),
    ]);
    const checkIns = (await cip.call('GET', `/api/cip/beneficiaries/${mine.id}/checkins`)).body;
    expect(checkIns.items).toEqual([
      expect.objectContaining({ day: '2026-03-03', status: 'difficult', structure: placement.structure.name }),
    ]);
    expect(
      await db.auditEvent.count({
        where: { staffUserId: cip.id, beneficiaryId: mine.id, resource: { in: ['booking', 'checkin'] } },
      }),
    ).toBe(2);
    expect((await other.call('GET', `/api/cip/beneficiaries/${mine.id}/bookings`)).status).toBe(404);
    expect((await other.call('GET', `/api/cip/beneficiaries/${mine.id}/checkins`)).status).toBe(404);
  });

  test('10,000 cases: the Personnes page (a search, a far page, a sort) is fast, paged by the database', async () => {
    const db = testApp().db.prisma;
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      firstName: `Bulk${i}`,
      lastName: `Person${String(i).padStart(5, '0')}`,
      status: 'active',
      cipId: cip.id,
    }));
    for (let i = 0; i < rows.length; i += 1000) await db.beneficiary.createMany({ data: rows.slice(i, i + 1000) });
    // Through the dashboard, with the cookie of a signed-in CIP.
    const cookie = `passerelle_cip=${encodeURIComponent(cip.token)}`;
    for (const query of ['q=Bulk9999', 'page=350', 'sort=name&page=200', 'stage=diagnostic&language=fr']) {
      const started = Date.now();
      const res = await fetch(`${testApp().url}/cip/people?${query}`, { headers: { Cookie: cookie } });
      const ms = Date.now() - started;
      expect(res.status).toBe(200);
      const html = await res.text();
      expect((html.match(/<tr><td><a href="\/cip\/people\/\d+">/g) ?? []).length).toBeLessThanOrEqual(25);
      expect(ms).toBeLessThan(1500);
    }
    const pages = Math.ceil(
      (await db.beneficiary.count({ where: { OR: [{ cipId: cip.id }, { cipId: null, status: 'pending' }] } })) / 25,
    );
    expect(pages).toBeGreaterThanOrEqual(400);
    const last = await (
      await fetch(`${testApp().url}/cip/people?sort=name&page=${pages}`, { headers: { Cookie: cookie } })
    ).text();
    expect(last).toContain(`Page ${pages} sur ${pages}`);
  }, 60_000);
});
