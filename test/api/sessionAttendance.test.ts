// Workshop attendance after a session (POST /api/cip/sessions/:id/attendance) and a cancelled
// session told to the people booked, through the CIP API on SQLite and PostgreSQL: the bookings,
// workshop_attendance on the timelines (a no-show is an alert), the audit row, a correction; a
// session not ended or cancelled (409), unknown (404), a person without a seat or outside one's
// scope (400), bad bodies (400), no token (401).
import { appForTests, staffForTests } from '../support/app';
import { request, type StaffClient } from '../support/cipApi';
import { testDatabases } from '../support/databases';

describe.each(testDatabases())('session attendance on $name', (kind) => {
  const testApp = appForTests({ DEMO_DATA: 'off' }, {}, kind);
  const [cip, otherCip, coordinator] = staffForTests(testApp, 'cip', 'cip', 'coordinator');
  let seq = 0;

  const db = () => testApp().db.prisma;
  const HOUR = 3600_000;
  const newCase = async (client: StaffClient = cip) =>
    (await client.call('POST', '/api/cip/beneficiaries', { firstName: `Att${++seq}`, consent: true })).body
      .id as number;
  async function session(startsInHours: number, people: { id: number; status: string }[], status = 'scheduled') {
    const workshop = await db().workshop.create({
      data: { code: `att_${++seq}`, title: 'Atelier CV', category: 'job_search' },
    });
    const s = await db().workshopSession.create({
      data: {
        workshopId: workshop.id,
        startsAt: new Date(Date.now() + startsInHours * HOUR),
        endsAt: new Date(Date.now() + (startsInHours + 2) * HOUR),
        place: 'Salle 2',
        capacity: 10,
        status,
        bookedCount: people.filter((p) => p.status === 'booked').length,
      },
    });
    for (const p of people)
      await db().booking.create({ data: { sessionId: s.id, beneficiaryId: p.id, status: p.status, source: 'cip' } });
    return s.id;
  }
  const mark = (sessionId: number, attendance: unknown, client: StaffClient = cip) =>
    client.call('POST', `/api/cip/sessions/${sessionId}/attendance`, { attendance });

  test(
    'after the session: attended and no-show recorded, with their events (a no-show is an alert) and an audit ' +
      'row; a correction',
    async () => {
      const [a, b] = [await newCase(), await newCase()];
      const id = await session(-5, [
        { id: a, status: 'booked' },
        { id: b, status: 'booked' },
      ]);
      const res = await mark(id, [
        { beneficiaryId: a, status: 'attended' },
        { beneficiaryId: b, status: 'no_show' },
      ]);
      expect(res.status).toBe(200);
      expect(
        res.body.items.map((i: { beneficiaryId: number; status: string; from: string }) => [
          i.beneficiaryId,
          i.status,
          i.from,
        ]),
      ).toEqual([
        [a, 'attended', 'booked'],
        [b, 'no_show', 'booked'],
      ]);
      expect(
        (await db().booking.findMany({ where: { sessionId: id }, orderBy: { id: 'asc' } })).map((x) => x.status),
      ).toEqual(['attended', 'no_show']);
      const events = await db().caseEvent.findMany({
        where: { type: 'workshop_attendance', beneficiaryId: { in: [a, b] } },
        orderBy: { id: 'asc' },
      });
      expect(events.map((e) => [e.beneficiaryId, (e.payload as { status: string }).status, e.attention])).toEqual([
        [a, 'attended', false],
        [b, 'no_show', true],
      ]);
      expect(
        await db().auditEvent.count({
          where: { action: 'update', resource: 'session', resourceId: String(id), staffUserId: cip.id },
        }),
      ).toBe(1);

      // Corrected: b came after all.
      expect((await mark(id, [{ beneficiaryId: b, status: 'attended' }])).body.items).toEqual([
        expect.objectContaining({ beneficiaryId: b, status: 'attended', from: 'no_show' }),
      ]);
      expect((await db().booking.findFirstOrThrow({ where: { sessionId: id, beneficiaryId: b } })).status).toBe(
        'attended',
      );
    },
  );

  test(
    "not ended, cancelled: 409; unknown: 404; a person without a seat or in another CIP's scope: 400, nothing " +
      'written; bad bodies: 400; no token: 401',
    async () => {
      const [a, waiting] = [await newCase(), await newCase()];
      const theirs = await newCase(otherCip);
      const upcoming = await session(1, [{ id: a, status: 'booked' }]);
      const notEnded = await mark(upcoming, [{ beneficiaryId: a, status: 'attended' }]);
      expect(notEnded.status).toBe(409);
      expect(notEnded.body.error).toMatchObject({ code: 'Conflict', reason: 'session.notEnded' });
      const cancelled = await session(-5, [{ id: a, status: 'booked' }], 'cancelled');
      expect((await mark(cancelled, [{ beneficiaryId: a, status: 'attended' }])).body.error).toMatchObject({
        code: 'Conflict',
        reason: 'session.cancelled',
      });
      expect((await mark(999999, [{ beneficiaryId: a, status: 'attended' }])).status).toBe(404);

      const past = await session(-5, [
        { id: a, status: 'booked' },
        { id: waiting, status: 'waitlisted' },
        { id: theirs, status: 'booked' },
      ]);
      const refused = await mark(past, [
        { beneficiaryId: a, status: 'attended' },
        { beneficiaryId: waiting, status: 'attended' },
        { beneficiaryId: theirs, status: 'no_show' },
      ]);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ reason: 'session.notBooked', params: { beneficiaryId: waiting } });
      expect(refused.body.error.fields.map((f: { path: string }) => f.path)).toEqual([
        'attendance.1.beneficiaryId',
        'attendance.2.beneficiaryId',
      ]);
      expect(
        (await db().booking.findMany({ where: { sessionId: past }, orderBy: { id: 'asc' } })).map((x) => x.status),
      ).toEqual(['booked', 'waitlisted', 'booked']);
      // A coordinator marks anyone with a seat.
      expect((await mark(past, [{ beneficiaryId: theirs, status: 'no_show' }], coordinator)).status).toBe(200);

      const bad = await mark(past, [
        { beneficiaryId: a, status: 'late' },
        { beneficiaryId: a, status: 'attended' },
      ]);
      expect(bad.status).toBe(400);
      expect((await mark(past, [])).status).toBe(400);
      expect(
        (
          await request(testApp(), 'POST', `/api/cip/sessions/${past}/attendance`, {
            attendance: [{ beneficiaryId: a, status: 'attended' }],
          })
        ).status,
      ).toBe(401);
    },
  );

  test(
    'cancelling a session to come tells the people booked or waiting (not those who said stop), once; a past ' +
      'one tells nobody',
    async () => {
      const [booked, waiting, stopped] = [await newCase(), await newCase(), await newCase()];
      await db().beneficiary.update({ where: { id: stopped }, data: { optedOutAt: new Date() } });
      const id = await session(48, [
        { id: booked, status: 'booked' },
        { id: waiting, status: 'waitlisted' },
        { id: stopped, status: 'booked' },
      ]);
      const res = await coordinator.call('PATCH', `/api/cip/sessions/${id}`, { status: 'cancelled' });
      expect(res.status).toBe(200);
      const told = await db().message.findMany({
        where: { kind: 'notification', beneficiaryId: { in: [booked, waiting, stopped] } },
        orderBy: { beneficiaryId: 'asc' },
      });
      expect(
        told.map((m) => [m.beneficiaryId, m.direction, m.status, (m.payload as { key: string }).key, m.dedupeKey]),
      ).toEqual([
        [booked, 'out', 'queued', 'notifications.sessionCancelled', `session_cancelled:${id}:${booked}`],
        [waiting, 'out', 'queued', 'notifications.sessionCancelled', `session_cancelled:${id}:${waiting}`],
      ]);
      expect((told[0].payload as { session: { place: string; title: string } }).session).toMatchObject({
        place: 'Salle 2',
        title: 'Atelier CV',
      });
      // Their CIP's alerts, as before.
      expect(
        await db().caseEvent.count({
          where: { type: 'session_cancelled', beneficiaryId: { in: [booked, waiting, stopped] }, attention: true },
        }),
      ).toBe(3);

      const someone = await newCase();
      const past = await session(-5, [{ id: someone, status: 'booked' }]);
      expect((await coordinator.call('PATCH', `/api/cip/sessions/${past}`, { status: 'cancelled' })).status).toBe(200);
      expect(await db().message.count({ where: { beneficiaryId: someone, kind: 'notification' } })).toBe(0);
    },
  );
});
