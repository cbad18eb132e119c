// Booking from a person's page: a CIP books their person into a session (the API's rules: a
// second booking of the same session is refused with its sentence), then cancels it; a booking of
// someone else cannot be cancelled from this page.
import { translator } from '../../bot/i18n/translator';
import { appForTests } from '../support/app';
import { dashboardClient } from '../support/dashboardClient';
import { sessionOf } from '../support/workshopFixture';

const testApp = appForTests({ DEMO_DATA: 'off' });

const { send, signIn, account } = dashboardClient(testApp);

test('a CIP books their person into a session from the page, sees a refusal as a sentence, and cancels', async () => {
  const db = testApp().db.prisma;
  const cip = await account('book.cip@passerelle.test', 'cip');
  const workshop = await db.workshop.create({ data: { code: 'cv_test', title: 'Écrire son CV', category: 'emploi' } });
  const startsAt = new Date(Date.now() + 5 * 24 * 3600_000);
  const session = await sessionOf(db, workshop.id, startsAt, 6, { place: 'Salle B', audience: 'over25' });
  const person = await db.beneficiary.create({
    data: { firstName: 'Karim', status: 'active', cipId: cip.id, birthYear: 1988, consentAt: new Date() },
  });
  const other = await db.beneficiary.create({
    data: { firstName: 'Olga', status: 'active', cipId: cip.id, birthYear: 1990 },
  });
  const othersBooking = await db.booking.create({
    data: { sessionId: session.id, beneficiaryId: other.id, status: 'booked' },
  });
  const { cookie } = await signIn('book.cip@passerelle.test');

  const page = await (await send(`/cip/people/${person.id}`, { cookie })).text();
  expect(page).toContain(`<option value="${session.id}">`);
  const booked = await send(`/cip/people/${person.id}/book`, { cookie, form: { sessionId: String(session.id) } });
  expect(booked.status).toBe(303);
  const row = await db.booking.findFirstOrThrow({ where: { sessionId: session.id, beneficiaryId: person.id } });
  expect(row.status).toBe('booked');
  expect(await db.caseEvent.count({ where: { beneficiaryId: person.id, type: 'workshop_booked' } })).toBe(1);

  // Twice: the API's refusal, as a sentence on the page; nothing more written.
  const again = await send(`/cip/people/${person.id}/book`, { cookie, form: { sessionId: String(session.id) } });
  expect(again.status).toBe(409);
  expect(await again.text()).toMatch(/role="alert"><p>[^<]+<\/p>/);
  expect(await db.booking.count({ where: { sessionId: session.id, beneficiaryId: person.id } })).toBe(1);

  // Someone else's booking, from Karim's page: not found.
  const wrong = await send(`/cip/people/${person.id}/cancel-booking`, {
    cookie,
    form: { bookingId: String(othersBooking.id) },
  });
  expect(wrong.status).toBe(404);
  expect((await db.booking.findUniqueOrThrow({ where: { id: othersBooking.id } })).status).toBe('booked');

  const cancelled = await send(`/cip/people/${person.id}/cancel-booking`, {
    cookie,
    form: { bookingId: String(row.id) },
  });
  expect(cancelled.status).toBe(303);
  expect((await db.booking.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('cancelled');
  const after = await (await send(`/cip/people/${person.id}`, { cookie })).text();
  expect(after).toContain(translator('fr')('dashboard.bookingStatus.cancelled'));
});
