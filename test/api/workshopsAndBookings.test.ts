// Workshops, sessions and bookings through the CIP API on the real server: the catalogue with its
// upcoming sessions, what only coordinators and admins may do (403 for a CIP), seats never below
// the people booked, a cancelled session on each booked person's timeline; bookings made by staff
// through the same rules as the chat (booked, waiting list with its order, full, twice, age group,
// started, cancelled), a cancellation handing the seat to the first in line, and what a CIP sees
// of a session's bookings (their own cases only), every access audited.
import { appForTests, staffForTests } from '../support/app';
import { auditCount } from '../support/audits';
import { apiError, fieldPaths, openCase, request, type StaffClient } from '../support/cipApi';

const testApp = appForTests();
const [cip, otherCip, coordinator, admin] = staffForTests(testApp, 'cip', 'cip', 'coordinator', 'admin');
let seq = 0;

const db = () => testApp().db.prisma;
const DAY = 24 * 3600_000;
const inDays = (days: number, hours = 0) => new Date(Date.now() + days * DAY + hours * 3600_000).toISOString();
const UNDER_25 = new Date().getUTCFullYear() - 20;

const newCase = (birthYear: number | null = 1985, client: StaffClient = cip) => openCase(client, { birthYear });
const newWorkshop = async () =>
  (
    await coordinator.call('POST', '/api/cip/workshops', {
      code: `atelier_${++seq}`,
      title: `Atelier ${seq}`,
      category: 'job_search',
      durationMinutes: 90,
    })
  ).body.id as number;
const newSession = async (capacity = 2, audience = 'over25', days = 3) =>
  (
    await coordinator.call('POST', `/api/cip/workshops/${await newWorkshop()}/sessions`, {
      startsAt: inDays(days),
      endsAt: inDays(days, 2),
      place: 'Passerelle, Blois',
      capacity,
      audience,
    })
  ).body.id as number;
const bookFor = (sessionId: number, body: object, client: StaffClient = cip) =>
  client.call('POST', `/api/cip/sessions/${sessionId}/bookings`, body);

describe('workshops and sessions', () => {
  test(
    'any member of staff lists the workshops with their upcoming sessions: seats, booked, waiting, audience, ' +
      'status',
    async () => {
      const { status, body } = await cip.call('GET', '/api/cip/workshops');
      expect(status).toBe(200);
      const digital = body.items.find((w: { code: string }) => w.code === 'digital');
      expect(digital).toMatchObject({ category: 'digital', title: expect.any(String), active: true });
      expect(digital.sessions.length).toBe(3);
      expect(digital.sessions[0]).toMatchObject({
        capacity: 12,
        bookedCount: 0,
        seatsLeft: 12,
        waitlistedCount: 0,
        audience: 'over25',
        status: 'scheduled',
      });
      const starts = digital.sessions.map((s: { startsAt: string }) => s.startsAt);
      expect(starts).toEqual([...starts].sort());
      expect(starts.every((s: string) => new Date(s).getTime() > Date.now())).toBe(true);
      const paperwork = (await cip.call('GET', '/api/cip/workshops?category=paperwork')).body.items;
      expect(paperwork.map((w: { code: string }) => w.code)).toEqual(['paperwork']);
      expect((await cip.call('GET', '/api/cip/workshops?category=cooking')).status).toBe(400);
      expect((await request(testApp(), 'GET', '/api/cip/workshops')).status).toBe(401);
    },
  );

  test('a coordinator adds a workshop (audited); a CIP may not (403); a code taken: 409; bad fields: 400', async () => {
    const res = await coordinator.call('POST', '/api/cip/workshops', {
      code: 'cv_video',
      title: 'Le CV en vidéo',
      category: 'digital',
      description: 'Filmer une présentation',
      durationMinutes: 120,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      code: 'cv_video',
      title: 'Le CV en vidéo',
      category: 'digital',
      active: true,
      durationMinutes: 120,
    });
    expect(await db().workshop.findUnique({ where: { code: 'cv_video' } })).not.toBeNull();
    expect(await auditCount(db(), 'create', 'workshop', res.body.id, { staffUserId: coordinator.id })).toBe(1);
    expect(
      (
        await cip.call('POST', '/api/cip/workshops', {
          code: 'mine',
          title: 'Mine',
          category: 'digital',
          durationMinutes: 60,
        })
      ).status,
    ).toBe(403);
    expect(await db().workshop.findUnique({ where: { code: 'mine' } })).toBeNull();
    const again = await admin.call('POST', '/api/cip/workshops', {
      code: 'cv_video',
      title: 'Encore',
      category: 'digital',
      durationMinutes: 60,
    });
    expect(again).toEqual({
      status: 409,
      body: {
        error: {
          code: 'Conflict',
          reason: 'workshop.codeTaken',
          params: { code: 'cv_video' },
          message: 'A workshop with the code "cv_video" exists already.',
        },
      },
    });
    const bad = await coordinator.call('POST', '/api/cip/workshops', {
      code: 'CV Vidéo',
      title: '',
      category: 'cooking',
      durationMinutes: 0,
    });
    expect(fieldPaths(bad)).toEqual(['category', 'code', 'durationMinutes', 'title']);
    expect(
      fieldPaths(await coordinator.call('POST', '/api/cip/workshops', { code: 'x_', title: 'x', category: 'digital' })),
    ).toEqual(['code', 'durationMinutes']);
  });

  test(
    'a coordinator or admin adds a session: in the future, ending after it starts; a CIP may not; unknown or ' +
      'inactive workshop: 404, 409',
    async () => {
      const workshopId = await newWorkshop();
      const body = {
        startsAt: inDays(5),
        endsAt: inDays(5, 2),
        place: 'Mission Locale, Blois',
        capacity: 8,
        audience: 'under25',
      };
      const res = await admin.call('POST', `/api/cip/workshops/${workshopId}/sessions`, body);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        workshopId,
        place: 'Mission Locale, Blois',
        capacity: 8,
        bookedCount: 0,
        seatsLeft: 8,
        waitlistedCount: 0,
        audience: 'under25',
        status: 'scheduled',
      });
      expect(await auditCount(db(), 'create', 'session', res.body.id)).toBe(1);
      const listed = (await cip.call('GET', '/api/cip/workshops')).body.items.find(
        (w: { id: number }) => w.id === workshopId,
      );
      expect(listed.sessions.map((s: { id: number }) => s.id)).toEqual([res.body.id]);

      expect((await cip.call('POST', `/api/cip/workshops/${workshopId}/sessions`, body)).status).toBe(403);
      const reversed = await coordinator.call('POST', `/api/cip/workshops/${workshopId}/sessions`, {
        ...body,
        endsAt: inDays(4),
      });
      expect(reversed.body.error.fields).toEqual([{ path: 'endsAt', message: 'must be after startsAt' }]);
      const past = await coordinator.call('POST', `/api/cip/workshops/${workshopId}/sessions`, {
        ...body,
        startsAt: inDays(-1),
        endsAt: inDays(-1, 2),
      });
      expect(past.body.error.fields).toEqual([{ path: 'startsAt', message: 'must be in the future' }]);
      expect(
        fieldPaths(
          await coordinator.call('POST', `/api/cip/workshops/${workshopId}/sessions`, {
            startsAt: 'tomorrow',
            place: '',
            capacity: 0,
            audience: 'everyone',
          }),
        ),
      ).toEqual(['audience', 'capacity', 'endsAt', 'place', 'startsAt']);
      expect((await coordinator.call('POST', '/api/cip/workshops/999999/sessions', body)).body.error.message).toBe(
        'Workshop not found.',
      );
      await db().workshop.update({ where: { id: workshopId }, data: { active: false } });
      expect((await coordinator.call('POST', `/api/cip/workshops/${workshopId}/sessions`, body)).status).toBe(409);
    },
  );

  test('changing a session: place and seats, never below the people booked (409); a CIP may not (403)', async () => {
    const sessionId = await newSession(3);
    for (let i = 0; i < 2; i++) expect((await bookFor(sessionId, { beneficiaryId: await newCase() })).status).toBe(201);
    const below = await coordinator.call('PATCH', `/api/cip/sessions/${sessionId}`, { capacity: 1 });
    expect(below).toEqual({
      status: 409,
      body: {
        error: {
          code: 'Conflict',
          reason: 'session.capacityBelowBooked',
          params: { booked: 2 },
          message: '2 people are booked on this session: its capacity cannot be below that.',
        },
      },
    });
    expect((await db().workshopSession.findUniqueOrThrow({ where: { id: sessionId } })).capacity).toBe(3);
    const changed = await coordinator.call('PATCH', `/api/cip/sessions/${sessionId}`, {
      capacity: 2,
      place: 'Salle B',
    });
    expect(changed.body).toMatchObject({ capacity: 2, bookedCount: 2, seatsLeft: 0, place: 'Salle B' });
    expect(
      await db().auditEvent.findFirst({
        where: { action: 'update', resource: 'session', resourceId: String(sessionId) },
      }),
    ).toMatchObject({ detail: { fields: ['place', 'capacity'] } });
    expect((await cip.call('PATCH', `/api/cip/sessions/${sessionId}`, { capacity: 10 })).status).toBe(403);
    expect((await coordinator.call('PATCH', '/api/cip/sessions/999999', { capacity: 10 })).status).toBe(404);
    expect(
      fieldPaths(
        await coordinator.call('PATCH', `/api/cip/sessions/${sessionId}`, { capacity: -1, status: 'postponed' }),
      ),
    ).toEqual(['capacity', 'status']);
    expect((await coordinator.call('PATCH', `/api/cip/sessions/${sessionId}`, {})).status).toBe(400);
  });

  test(
    "cancelling a session: each booked or waiting person's case gets session_cancelled, flagged for their CIP; " +
      'bookings then refused',
    async () => {
      const sessionId = await newSession(1);
      const [booked, waiting] = [await newCase(), await newCase(1980, otherCip)];
      await bookFor(sessionId, { beneficiaryId: booked });
      await bookFor(sessionId, { beneficiaryId: waiting }, otherCip);
      const res = await admin.call('PATCH', `/api/cip/sessions/${sessionId}`, { status: 'cancelled' });
      expect(res.body.status).toBe('cancelled');
      const events = await db().caseEvent.findMany({
        where: { type: 'session_cancelled', beneficiaryId: { in: [booked, waiting] } },
        orderBy: { id: 'asc' },
      });
      expect(events.map((e) => [e.beneficiaryId, e.attention, (e.payload as { was: string }).was])).toEqual([
        [booked, true, 'booked'],
        [waiting, true, 'waitlisted'],
      ]);
      expect((await bookFor(sessionId, { beneficiaryId: await newCase() })).body.error.message).toBe(
        'This session is cancelled.',
      );
      // Cancelling it twice tells nobody twice; scheduling it again is possible.
      await admin.call('PATCH', `/api/cip/sessions/${sessionId}`, { status: 'cancelled' });
      expect(await db().caseEvent.count({ where: { type: 'session_cancelled', beneficiaryId: booked } })).toBe(1);
      expect((await admin.call('PATCH', `/api/cip/sessions/${sessionId}`, { status: 'scheduled' })).body.status).toBe(
        'scheduled',
      );
    },
  );
});

describe('bookings', () => {
  test(
    'booked, then the waiting list in order, full when told not to wait, twice refused: each with its row, ' +
      'event and audit',
    async () => {
      const sessionId = await newSession(2);
      const [a, b, c, d] = [await newCase(), await newCase(), await newCase(), await newCase()];

      const first = await bookFor(sessionId, { beneficiaryId: a });
      expect(first).toMatchObject({
        status: 201,
        body: { sessionId, beneficiaryId: a, status: 'booked', source: 'cip', position: null, seatsLeft: 1 },
      });
      const event = await db().caseEvent.findFirstOrThrow({ where: { beneficiaryId: a, type: 'workshop_booked' } });
      expect(event).toMatchObject({ actorType: 'staff', actorId: String(cip.id) });
      expect(event.payload).toMatchObject({ bookingId: first.body.id, sessionId, source: 'cip' });
      expect(
        await auditCount(db(), 'create', 'booking', first.body.id, { beneficiaryId: a, staffUserId: cip.id }),
      ).toBe(1);

      expect((await bookFor(sessionId, { beneficiaryId: a })).body.error).toEqual(
        apiError('Conflict', 'booking.hasSeat', 'This person has a seat on this session already.'),
      );
      expect((await bookFor(sessionId, { beneficiaryId: b })).body).toMatchObject({ status: 'booked', seatsLeft: 0 });
      const full = await bookFor(sessionId, { beneficiaryId: c, waitlistIfFull: false });
      expect(full.body.error.message).toBe('This session is full (book with waitlistIfFull to join its waiting list).');
      expect(await db().booking.count({ where: { sessionId, beneficiaryId: c } })).toBe(0);
      const waitC = await bookFor(sessionId, { beneficiaryId: c });
      expect(waitC).toMatchObject({ status: 201, body: { status: 'waitlisted', position: 1, seatsLeft: 0 } });
      expect((await bookFor(sessionId, { beneficiaryId: d })).body).toMatchObject({
        status: 'waitlisted',
        position: 2,
      });
      expect((await bookFor(sessionId, { beneficiaryId: c })).body.error.message).toBe(
        'This person is on the waiting list of this session already.',
      );
      expect(await db().workshopSession.findUniqueOrThrow({ where: { id: sessionId } })).toMatchObject({
        bookedCount: 2,
      });
      expect(
        await db().caseEvent.count({ where: { beneficiaryId: { in: [c, d] }, type: 'workshop_waitlisted' } }),
      ).toBe(2);
      const listed = (await cip.call('GET', '/api/cip/workshops')).body.items
        .flatMap((w: { sessions: { id: number }[] }) => w.sessions)
        .find((s: { id: number }) => s.id === sessionId);
      expect(listed).toMatchObject({ bookedCount: 2, seatsLeft: 0, waitlistedCount: 2 });
    },
  );

  test(
    'the age group: an over-25 on an under-25 session and the other way round (409), unless the CIP decides; ' +
      'an unknown birth year',
    async () => {
      const young = await newSession(5, 'under25');
      const adults = await newSession(5, 'over25');
      const [over, under, unknown] = [await newCase(1980), await newCase(UNDER_25), await newCase(null)];
      expect((await bookFor(young, { beneficiaryId: over })).body.error.message).toBe(
        'This session is for under-25s (book with ignoreAgeGroup to decide otherwise).',
      );
      expect((await bookFor(adults, { beneficiaryId: under })).body.error.message).toBe(
        'This session is for people aged 25 and over (book with ignoreAgeGroup to decide otherwise).',
      );
      expect((await bookFor(adults, { beneficiaryId: unknown })).body.error.message).toBe(
        "This person's year of birth is not known: record it, or book with ignoreAgeGroup.",
      );
      expect((await bookFor(young, { beneficiaryId: under })).body.status).toBe('booked');
      expect((await bookFor(young, { beneficiaryId: over, ignoreAgeGroup: true })).body.status).toBe('booked');
      expect((await bookFor(adults, { beneficiaryId: unknown, ignoreAgeGroup: true })).status).toBe(201);
    },
  );

  test(
    "a started or cancelled session: 409; an unknown session: 404; another CIP's case: 404; an archived case: " +
      '409; bad bodies: 400; no token: 401',
    async () => {
      const workshop = await db().workshop.findFirstOrThrow({ where: { code: 'digital' } });
      const started = await db().workshopSession.create({
        data: {
          workshopId: workshop.id,
          startsAt: new Date(Date.now() - 3600_000),
          endsAt: new Date(Date.now() + 3600_000),
          place: 'Blois',
          capacity: 5,
        },
      });
      const person = await newCase();
      expect((await bookFor(started.id, { beneficiaryId: person })).body.error.message).toBe(
        'This session has started already.',
      );
      expect((await bookFor(999999, { beneficiaryId: person })).body.error).toEqual(
        apiError('NotFound', 'notFound.Session', 'Session not found.'),
      );
      const sessionId = await newSession(5);
      const theirs = await newCase(1980, otherCip);
      expect((await bookFor(sessionId, { beneficiaryId: theirs })).body.error.message).toBe('Beneficiary not found.');
      expect(await db().booking.count({ where: { beneficiaryId: theirs } })).toBe(0);
      expect((await bookFor(sessionId, { beneficiaryId: theirs }, coordinator)).status).toBe(201);
      const archived = await newCase();
      await cip.call('POST', `/api/cip/beneficiaries/${archived}/archive`, {});
      expect((await bookFor(sessionId, { beneficiaryId: archived })).body.error.message).toBe('This case is archived.');
      expect(fieldPaths(await bookFor(sessionId, { waitlistIfFull: 'yes', ignoreAgeGroup: 1 }))).toEqual([
        'beneficiaryId',
        'ignoreAgeGroup',
        'waitlistIfFull',
      ]);
      expect(
        (await request(testApp(), 'POST', `/api/cip/sessions/${sessionId}/bookings`, { beneficiaryId: person })).status,
      ).toBe(401);
    },
  );

  test(
    "a session's bookings: a CIP sees their own cases only, a coordinator everyone; each read audited with " +
      'what was shown',
    async () => {
      const sessionId = await newSession(1);
      const [theirs, mine] = [await newCase(1980, otherCip), await newCase()];
      await bookFor(sessionId, { beneficiaryId: theirs }, otherCip);
      await bookFor(sessionId, { beneficiaryId: mine });
      const seen = await cip.call('GET', `/api/cip/sessions/${sessionId}/bookings`);
      expect(seen.status).toBe(200);
      expect(
        seen.body.items.map((b: { beneficiaryId: number; status: string }) => [b.beneficiaryId, b.status]),
      ).toEqual([[mine, 'waitlisted']]);
      expect(seen.body.items[0].beneficiary).toEqual({
        id: mine,
        firstName: expect.stringMatching(/^Case/),
        lastName: null,
      });
      const all = await coordinator.call('GET', `/api/cip/sessions/${sessionId}/bookings`);
      expect(all.body.items.map((b: { beneficiaryId: number }) => b.beneficiaryId)).toEqual([theirs, mine]);
      expect(
        (await coordinator.call('GET', `/api/cip/sessions/${sessionId}/bookings?status=waitlisted`)).body.items.map(
          (b: { beneficiaryId: number }) => b.beneficiaryId,
        ),
      ).toEqual([mine]);
      const read = await db().auditEvent.findFirstOrThrow({
        where: { action: 'read', resource: 'booking', staffUserId: cip.id },
        orderBy: { id: 'desc' },
      });
      expect(read.detail).toEqual({ sessionId, ids: [seen.body.items[0].id] });
      expect((await cip.call('GET', '/api/cip/sessions/999999/bookings')).status).toBe(404);
      expect((await cip.call('GET', `/api/cip/sessions/${sessionId}/bookings?status=maybe`)).status).toBe(400);
      expect((await request(testApp(), 'GET', `/api/cip/sessions/${sessionId}/bookings`)).status).toBe(401);
    },
  );

  test(
    'cancelling a booking: the seat goes to the first in line, who is told (one notification); twice: 409; a ' +
      'waiting place: nobody promoted',
    async () => {
      const sessionId = await newSession(1);
      const [a, b, c] = [await newCase(), await newCase(), await newCase()];
      const seat = (await bookFor(sessionId, { beneficiaryId: a })).body;
      const waitB = (await bookFor(sessionId, { beneficiaryId: b })).body;
      const waitC = (await bookFor(sessionId, { beneficiaryId: c })).body;

      const res = await cip.call('DELETE', `/api/cip/bookings/${seat.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: seat.id, status: 'cancelled', promoted: true });
      expect(await db().booking.findUniqueOrThrow({ where: { id: waitB.id } })).toMatchObject({ status: 'booked' });
      expect(await db().workshopSession.findUniqueOrThrow({ where: { id: sessionId } })).toMatchObject({
        bookedCount: 1,
      });
      const cancelled = await db().caseEvent.findFirstOrThrow({
        where: { beneficiaryId: a, type: 'workshop_cancelled' },
      });
      expect(cancelled).toMatchObject({ actorType: 'staff', actorId: String(cip.id) });
      expect(await db().caseEvent.count({ where: { beneficiaryId: b, type: 'waitlist_promoted' } })).toBe(1);
      const notices = await db().message.findMany({ where: { beneficiaryId: b, kind: 'notification' } });
      expect(notices.map((m) => (m.payload as { key: string }).key)).toEqual(['notifications.waitlistPromoted']);
      expect(await auditCount(db(), 'update', 'booking', seat.id, { beneficiaryId: a })).toBe(1);

      expect((await cip.call('DELETE', `/api/cip/bookings/${seat.id}`)).body.error).toEqual(
        apiError('Conflict', 'booking.cancelledAlready', 'This booking is cancelled already.'),
      );
      const leaving = await cip.call('DELETE', `/api/cip/bookings/${waitC.id}`);
      expect(leaving.body).toMatchObject({ status: 'cancelled', promoted: false });
      expect(await db().message.count({ where: { beneficiaryId: { in: [a, c] }, kind: 'notification' } })).toBe(0);
    },
  );

  test("another CIP's booking or an unknown one: 404; a started session's: 409; no token: 401", async () => {
    const sessionId = await newSession(3);
    const theirs = (await bookFor(sessionId, { beneficiaryId: await newCase(1980, otherCip) }, otherCip)).body;
    expect((await cip.call('DELETE', `/api/cip/bookings/${theirs.id}`)).body.error.message).toBe('Booking not found.');
    expect((await db().booking.findUniqueOrThrow({ where: { id: theirs.id } })).status).toBe('booked');
    expect((await cip.call('DELETE', '/api/cip/bookings/999999')).status).toBe(404);
    expect((await request(testApp(), 'DELETE', `/api/cip/bookings/${theirs.id}`)).status).toBe(401);
    await db().workshopSession.update({ where: { id: sessionId }, data: { startsAt: new Date(Date.now() - 60_000) } });
    expect((await otherCip.call('DELETE', `/api/cip/bookings/${theirs.id}`)).body.error.message).toBe(
      'This session has started already: its bookings stay as they are.',
    );
  });
});
