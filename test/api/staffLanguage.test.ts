// The dashboard's language belongs to the account (PATCH /api/cip/me): chosen once, it follows the
// member of staff to another computer (no cookie), and the API's refusals on the pages speak it too.
import { appForTests } from '../support/app';
import { request, signedIn } from '../support/cipApi';
import { dashboardClient } from '../support/dashboardClient';

const testApp = appForTests({ DEMO_DATA: 'off' });

const { send, signIn, account } = dashboardClient(testApp);

test('PATCH /api/cip/me sets the language (fr or en); anything else is a 400; no token, 401', async () => {
  const cip = await signedIn(testApp(), 'cip');
  expect((await cip.call('GET', '/api/cip/me')).body.language).toBe('fr');
  const set = await cip.call('PATCH', '/api/cip/me', { language: 'en' });
  expect(set.status).toBe(200);
  expect(set.body).toMatchObject({ id: cip.id, language: 'en' });
  expect((await cip.call('GET', '/api/cip/me')).body.language).toBe('en');
  expect(await testApp().db.prisma.staffUser.findUniqueOrThrow({ where: { id: cip.id } })).toMatchObject({
    language: 'en',
  });
  expect((await cip.call('PATCH', '/api/cip/me', { language: 'de' })).status).toBe(400);
  expect((await cip.call('PATCH', '/api/cip/me', { language: 'fr', role: 'admin' })).status).toBe(400);
  expect((await request(testApp(), 'PATCH', '/api/cip/me', { language: 'fr' })).status).toBe(401);
  expect((await testApp().db.prisma.staffUser.findUniqueOrThrow({ where: { id: cip.id } })).role).toBe('cip');
});

test('the switch on a page is kept in the account: another browser signs in and gets English', async () => {
  await account('lang@passerelle.test', 'cip');
  const first = await signIn('lang@passerelle.test');
  expect(await (await send('/cip/', { cookie: first.cookie })).text()).toContain('Tableau de bord');
  const switched = await send('/cip/language', { cookie: first.cookie, form: { language: 'en', back: '/cip/people' } });
  expect(switched.status).toBe(303);
  expect(switched.headers.get('location')).toBe('/cip/people');
  // Another computer: no language cookie, only the session's.
  const other = await signIn('lang@passerelle.test');
  const home = await (await send('/cip/', { cookie: other.cookie })).text();
  expect(home).toContain('Dashboard');
  expect(home).toContain('<html lang="en">');
  // A refusal of the API on a page, in the account's language.
  const missing = await send('/cip/people/999999', { cookie: other.cookie });
  expect(missing.status).toBe(404);
  expect(await missing.text()).toContain('Beneficiary not found.');
  // Back to French, from the page.
  await send('/cip/language', { cookie: other.cookie, form: { language: 'fr' } });
  expect(await (await send('/cip/', { cookie: first.cookie })).text()).toContain('Tableau de bord');
});
