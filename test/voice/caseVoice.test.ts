// Staff set who hears the bot: the case's reading (`reads`) and the person's choice (`voiceMode`),
// through the CIP API and the dashboard's profile form; both show on the case.
import { appForTests, staffForTests } from '../support/app';
import { openCase } from '../support/cipApi';
import { dashboardClient } from '../support/dashboardClient';

const testApp = appForTests({ DEMO_DATA: 'off' });
const [cip] = staffForTests(testApp, 'coordinator');
const dashboard = dashboardClient(testApp);

test('the API reads and writes reads and voiceMode; an unknown mode is a 400', async () => {
  const id = await openCase(cip!, { reads: 'no' });
  expect((await cip!.call('GET', `/api/cip/beneficiaries/${id}`)).body).toMatchObject({ reads: 'no', voiceMode: null });
  const set = await cip!.call('PATCH', `/api/cip/beneficiaries/${id}`, { voiceMode: 'read' });
  expect(set.status).toBe(200);
  const row = await testApp().db.prisma.beneficiary.findUniqueOrThrow({ where: { id } });
  expect(row).toMatchObject({ reads: 'no', voiceMode: 'read' });
  expect((await cip!.call('PATCH', `/api/cip/beneficiaries/${id}`, { voiceMode: 'loud' })).status).toBe(400);
});

test("the dashboard's profile form shows both and saves them", async () => {
  await dashboard.account('voice.coordinator@passerelle.test');
  const { cookie } = await dashboard.signIn('voice.coordinator@passerelle.test');
  const id = await openCase(cip!, { reads: 'little' });
  const page = await (await dashboard.send(`/cip/people/${id}`, { cookie })).text();
  expect(page).toMatch(/<option value="little" selected>Lit un peu<\/option>/);
  expect(page).toContain('<select id="voiceMode" name="voiceMode">');
  const form = { firstName: 'Amina', language: 'fr', stage: 'diagnostic', reads: 'no', voiceMode: 'listen' };
  const saved = await dashboard.send(`/cip/people/${id}`, { cookie, form });
  expect(saved.status).toBe(303);
  const row = await testApp().db.prisma.beneficiary.findUniqueOrThrow({ where: { id } });
  expect(row).toMatchObject({ reads: 'no', voiceMode: 'listen' });
  const after = await (await dashboard.send(`/cip/people/${id}`, { cookie })).text();
  expect(after).toMatch(/<option value="listen" selected>À écouter \(voix et texte\)<\/option>/);
});
