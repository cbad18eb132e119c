// Editing workshops, sessions and structures in the staff dashboard, in a real browser (Debian's
// chromium driven by playwright-core, axe-core on every new page: a serious or critical violation
// fails the test). A coordinator creates a workshop (and meets the API's 409 for a code taken),
// changes it, adds a session, changes its seats (the 409 "below the people booked" in the form),
// cancels it after the confirmation that says how many people will be told, and finds each booked
// or waiting person's notification queued; creates a structure, changes it, sees its occupancy week
// by week, adds and changes a contact with a phone number. A CIP is not offered the managers' forms,
// gets the API's 403 as a sentence when trying anyway, and adds a contact without a phone number.
import type { Browser, Page } from 'playwright-core';
import type { App } from '../../bot/runtime/app';
import { localDay, zonedTime } from '../../bot/services/time';
import { axe, chromiumPath } from '../support/browser';
import { startBrowserApp, stopBrowserApp } from '../support/browserApp';
import { openCase, signedIn, type StaffClient } from '../support/cipApi';
import type { TempDatabase } from '../support/postgres';

const executablePath = process.env.PASSERELLE_TEST_CHROMIUM ?? chromiumPath() ?? '';
if (!executablePath)
  console.warn(
    '*** NOTICE: chromium not found (set CHROMIUM_PATH): the dashboard editing browser suite is SKIPPED ***',
  );
const describeInBrowser = executablePath ? describe : describe.skip;
const TEST_MS = 90_000;
const PASSWORD = 'a new password 123';
const DAY = 24 * 3600_000;

/** The Monday (midnight UTC) of the week `weeks` after this one, as the API counts weeks. */
function monday(weeks: number): Date {
  const now = new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - ((new Date(today).getUTCDay() + 6) % 7) * DAY + weeks * 7 * DAY);
}

describeInBrowser('editing workshops and structures in the dashboard', () => {
  let tmp: TempDatabase;
  let app: App;
  let browser: Browser;
  let coordinator: StaffClient;
  let cip: StaffClient;
  let people: number[];

  beforeAll(async () => {
    ({ tmp, app, browser } = await startBrowserApp(executablePath));
    coordinator = await signedIn(app, 'coordinator', 'coord.edit@passerelle.test');
    cip = await signedIn(app, 'cip', 'cip.edit@passerelle.test');
    people = [];
    for (const [firstName, phone] of [
      ['Amina', '+33612345001'],
      ['Karim', '+33612345002'],
      ['Lidia', '+33612345003'],
    ]) {
      people.push(
        await openCase(cip, { firstName, lastName: 'Test', phone, birthYear: 1985, language: 'fa', consent: true }),
      );
    }
  }, TEST_MS);

  afterAll(() => stopBrowserApp({ tmp, app, browser }));

  async function signIn(email: string): Promise<Page> {
    // bypassCSP only so that the test can inject axe-core.
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'fr-FR',
      bypassCSP: true,
    });
    const page = await context.newPage();
    await page.goto(`${app.url}/cip/`);
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    expect(page.url()).toBe(`${app.url}/cip/`);
    return page;
  }

  /** A form post as the browser would send it (same origin), with fields the page did not offer. */
  const craftedPost = (page: Page, path: string, form: Record<string, string>) =>
    page.request.post(`${app.url}${path}`, { form, headers: { Origin: app.url }, maxRedirects: 0 });

  test(
    'a coordinator creates and changes a workshop, adds a session, changes its seats, ' +
      'cancels it (the people are told); creates a structure with its occupancy and a contact',
    async () => {
      const db = app.db.prisma;
      const page = await signIn('coord.edit@passerelle.test');

      // Nouvel atelier: its code made from the title.
      await page
        .getByRole('navigation', { name: 'Navigation principale' })
        .getByRole('link', { name: 'Ateliers' })
        .click();
      expect(await axe(page)).toEqual([]);
      await page.getByRole('link', { name: 'Nouvel atelier' }).click();
      await expect(page.locator('h1').textContent()).resolves.toBe('Nouvel atelier');
      expect(await axe(page)).toEqual([]);
      await page.getByLabel('Titre').fill('Écrire son CV pas à pas');
      await page.getByLabel('Catégorie').selectOption({ label: "Recherche d'emploi" });
      await page.getByLabel('Description').fill('Un CV clair en une page');
      await page.getByLabel('Durée (minutes)').fill('90');
      await page.getByRole('button', { name: 'Enregistrer' }).click();
      expect(page.url()).toBe(`${app.url}/cip/workshops?saved=workshop`);
      await expect(page.getByRole('status').textContent()).resolves.toBe("L'atelier est enregistré.");
      const workshop = await db.workshop.findUniqueOrThrow({ where: { code: 'ecrire_son_cv_pas_a_pas' } });
      expect(workshop).toMatchObject({
        title: 'Écrire son CV pas à pas',
        category: 'job_search',
        description: 'Un CV clair en une page',
        durationMinutes: 90,
        active: true,
      });
      expect(
        await db.auditEvent.count({
          where: {
            action: 'create',
            resource: 'workshop',
            resourceId: String(workshop.id),
            staffUserId: coordinator.id,
          },
        }),
      ).toBe(1);
      await expect(
        page
          .locator('#catalogue')
          .getByRole('row', { name: /Écrire son CV pas à pas/ })
          .textContent(),
      ).resolves.toContain('Aucune séance à venir');

      // The same title again: the same code, the API's 409 as a sentence in the form.
      await page.getByRole('link', { name: 'Nouvel atelier' }).click();
      await page.getByLabel('Titre').fill('Écrire son CV pas à pas');
      await page.getByLabel('Durée (minutes)').fill('60');
      const taken = page.waitForResponse(
        (r) => r.url().endsWith('/cip/workshops/new') && r.request().method() === 'POST',
      );
      await page.getByRole('button', { name: 'Enregistrer' }).click();
      expect((await taken).status()).toBe(409);
      await expect(page.getByRole('alert').textContent()).resolves.toContain(
        'Un atelier avec le code « ecrire_son_cv_pas_a_pas » existe déjà.',
      );
      expect(await axe(page)).toEqual([]);
      expect(await db.workshop.count({ where: { title: 'Écrire son CV pas à pas' } })).toBe(1);

      // Modifier: the title and duration; the code stays.
      await page.goto(`${app.url}/cip/workshops`);
      await page.getByRole('link', { name: 'Modifier : Écrire son CV pas à pas' }).click();
      expect(page.url()).toBe(`${app.url}/cip/workshops/${workshop.id}/edit`);
      await expect(page.getByLabel('Titre').inputValue()).resolves.toBe('Écrire son CV pas à pas');
      expect(await axe(page)).toEqual([]);
      await page.getByLabel('Titre').fill('Écrire son CV');
      await page.getByLabel('Durée (minutes)').fill('120');
      await page.getByRole('button', { name: 'Enregistrer' }).click();
      expect(await db.workshop.findUniqueOrThrow({ where: { id: workshop.id } })).toMatchObject({
        title: 'Écrire son CV',
        durationMinutes: 120,
        code: 'ecrire_son_cv_pas_a_pas',
        active: true,
      });
      expect(
        await db.auditEvent.findFirst({
          where: { action: 'update', resource: 'workshop', resourceId: String(workshop.id) },
        }),
      ).toMatchObject({ staffUserId: coordinator.id });

      // Nouvelle séance: a day and times in the service's time zone.
      await page.getByRole('link', { name: 'Nouvelle séance : Écrire son CV' }).click();
      await expect(page.locator('h1').textContent()).resolves.toBe('Nouvelle séance : Écrire son CV');
      expect(await axe(page)).toEqual([]);
      const day = localDay(new Date(Date.now() + 10 * DAY), 'Europe/Paris');
      await page.getByLabel('Date').fill(day);
      await page.getByLabel('Début').fill('09:30');
      await page.getByLabel('Fin').fill('11:30');
      await page.getByLabel('Lieu').fill('Salle Voltaire, Blois');
      await page.getByLabel('Places').fill('2');
      await page.getByLabel('Public').selectOption('over25');
      await page.getByRole('button', { name: 'Enregistrer' }).click();
      const session = await db.workshopSession.findFirstOrThrow({ where: { workshopId: workshop.id } });
      const [y, m, d] = day.split('-').map(Number);
      expect(session).toMatchObject({
        place: 'Salle Voltaire, Blois',
        capacity: 2,
        audience: 'over25',
        status: 'scheduled',
        startsAt: zonedTime(y, m, d, 9, 30, 'Europe/Paris'),
        endsAt: zonedTime(y, m, d, 11, 30, 'Europe/Paris'),
      });
      expect(page.url()).toBe(`${app.url}/cip/workshops/sessions/${session.id}?saved=session`);
      await expect(page.getByRole('status').textContent()).resolves.toBe('La séance est enregistrée.');

      // Two people booked, one waiting (their CIP books them through the API).
      for (const id of people)
        expect((await cip.call('POST', `/api/cip/sessions/${session.id}/bookings`, { beneficiaryId: id })).status).toBe(
          201,
        );
      expect((await db.workshopSession.findUniqueOrThrow({ where: { id: session.id } })).bookedCount).toBe(2);

      // Seats below the people booked: the API's 409 in the form; nothing changed.
      await page.goto(`${app.url}/cip/workshops/sessions/${session.id}`);
      expect(await axe(page)).toEqual([]);
      await page.getByLabel('Places').fill('1');
      const below = page.waitForResponse((r) => r.url().endsWith(`/cip/workshops/sessions/${session.id}/edit`));
      await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
      expect((await below).status()).toBe(409);
      await expect(page.locator('.session-manage [role="alert"]').textContent()).resolves.toContain(
        '2 personnes sont inscrites à cette séance : sa capacité ne peut pas être plus basse.',
      );
      expect(await axe(page)).toEqual([]);
      expect((await db.workshopSession.findUniqueOrThrow({ where: { id: session.id } })).capacity).toBe(2);
      // A place and more seats: saved.
      await page.getByLabel('Lieu').fill('Salle Hugo, Blois');
      await page.getByLabel('Places').fill('6');
      await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
      expect(page.url()).toBe(`${app.url}/cip/workshops/sessions/${session.id}?saved=session`);
      expect(await db.workshopSession.findUniqueOrThrow({ where: { id: session.id } })).toMatchObject({
        place: 'Salle Hugo, Blois',
        capacity: 6,
      });

      // Annuler la séance: the confirmation says who will be told; then the API tells them.
      await page.getByRole('link', { name: 'Annuler la séance' }).click();
      expect(page.url()).toBe(`${app.url}/cip/workshops/sessions/${session.id}/cancel`);
      await expect(page.locator('#who-is-told').textContent()).resolves.toBe('3 personnes seront prévenues.');
      expect(await axe(page)).toEqual([]);
      expect((await db.workshopSession.findUniqueOrThrow({ where: { id: session.id } })).status).toBe('scheduled');
      await page.getByRole('button', { name: 'Annuler la séance' }).click();
      expect(page.url()).toBe(`${app.url}/cip/workshops/sessions/${session.id}?saved=cancelled`);
      await expect(page.getByRole('status').textContent()).resolves.toContain('La séance est annulée.');
      expect((await db.workshopSession.findUniqueOrThrow({ where: { id: session.id } })).status).toBe('cancelled');
      const told = await db.message.findMany({
        where: {
          direction: 'out',
          kind: 'notification',
          dedupeKey: { startsWith: `session_cancelled:${session.id}:` },
        },
        orderBy: { beneficiaryId: 'asc' },
      });
      expect(told.map((m) => [m.beneficiaryId, (m.payload as { key: string }).key])).toEqual(
        people.map((id) => [id, 'notifications.sessionCancelled']),
      );
      expect(
        await db.caseEvent.count({
          where: { type: 'session_cancelled', beneficiaryId: { in: people }, attention: true },
        }),
      ).toBe(3);
      // A cancelled session offers no more changes.
      await expect(page.getByRole('link', { name: 'Annuler la séance' }).count()).resolves.toBe(0);

      // Nouvelle structure: an SIAE, 2 seats unless told.
      await page
        .getByRole('navigation', { name: 'Navigation principale' })
        .getByRole('link', { name: 'Structures' })
        .click();
      await page.getByRole('link', { name: 'Nouvelle structure' }).click();
      expect(await axe(page)).toEqual([]);
      await page.getByLabel('Nom', { exact: true }).fill('Ressourcerie du Cher');
      await page.getByLabel('Type').selectOption({ label: 'SIAE' });
      await page.getByLabel('Secteur').fill('Réemploi');
      await page.getByLabel('Ville').fill('Vierzon');
      await page.getByRole('button', { name: 'Enregistrer' }).click();
      // (The post, its redirect and the new page all done before the next step: on a loaded machine
      // a reload during the redirect found the page detached.)
      await page.waitForURL(/\/cip\/structures\/\d+\?saved=structure$/);
      await page.waitForLoadState('load');
      const structure = await db.structure.findFirstOrThrow({ where: { name: 'Ressourcerie du Cher' } });
      expect(structure).toMatchObject({
        kind: 'siae',
        capacity: 2,
        sector: 'Réemploi',
        city: 'Vierzon',
        address: null,
        active: true,
      });
      expect(page.url()).toBe(`${app.url}/cip/structures/${structure.id}?saved=structure`);
      expect(
        await db.auditEvent.count({
          where: { action: 'create', resource: 'structure', resourceId: String(structure.id) },
        }),
      ).toBe(1);

      // Its occupancy: Amina placed in weeks 1 and 2, Karim in week 2 (as the API counts them).
      await db.placement.create({
        data: {
          beneficiaryId: people[0],
          structureId: structure.id,
          kind: 'sas_iae',
          status: 'planned',
          startDate: monday(1),
          endDate: new Date(monday(2).getTime() + 2 * DAY),
        },
      });
      await db.placement.create({
        data: {
          beneficiaryId: people[1],
          structureId: structure.id,
          kind: 'immersion',
          status: 'planned',
          startDate: new Date(monday(2).getTime() + 4 * DAY),
          endDate: new Date(monday(2).getTime() + 6 * DAY),
        },
      });
      await page.reload();
      const rows = page.locator('#occupancy tbody tr');
      await expect(rows.count()).resolves.toBe(8);
      const cells = await rows.evaluateAll((trs) =>
        trs.map((tr) =>
          Array.from((tr as unknown as { cells: { textContent: string }[] }).cells).map((c) => c.textContent.trim()),
        ),
      );
      expect(cells.map((c) => c.slice(1))).toEqual([
        ['0', '0 / 2', 'libres : 2'],
        ['1', '1 / 2', 'libres : 1'],
        ['2', '2 / 2', 'complet'],
        ...Array.from({ length: 5 }, () => ['0', '0 / 2', 'libres : 2']),
      ]);
      const fr = (date: Date) => date.toISOString().slice(0, 10).split('-').reverse().join('/');
      expect(cells[1][0]).toBe(`du ${fr(monday(1))} au ${fr(new Date(monday(1).getTime() + 6 * DAY))}`);
      expect(await axe(page)).toEqual([]);
      // The list's compact form: this week first.
      await page.goto(`${app.url}/cip/structures?kind=siae`);
      const weeks = page.getByRole('row', { name: /Ressourcerie du Cher/ }).locator('ol.structure-weeks li');
      await expect(
        weeks.evaluateAll((lis) =>
          lis.map((li) => (li as unknown as { textContent: string }).textContent.replace(/.*: /, '')),
        ),
      ).resolves.toEqual(['0', '1', '2', '0', '0', '0', '0', '0']);
      expect(await axe(page)).toEqual([]);

      // Modifier: 3 seats, an address.
      await page.getByRole('link', { name: 'Ressourcerie du Cher' }).click();
      await page.getByRole('link', { name: 'Modifier', exact: true }).click();
      expect(await axe(page)).toEqual([]);
      await page.getByLabel('Capacité (personnes à la fois)').fill('3');
      await page.getByLabel('Adresse').fill('4 rue des Forges');
      await page.getByRole('button', { name: 'Enregistrer' }).click();
      expect(await db.structure.findUniqueOrThrow({ where: { id: structure.id } })).toMatchObject({
        capacity: 3,
        address: '4 rue des Forges',
        active: true,
      });
      await expect(page.locator('#occupancy tbody tr').nth(2).textContent()).resolves.toContain('2 / 3');

      // Ajouter un contact, with a phone number (a coordinator may).
      await page.getByLabel('Prénom').fill('Sylvain');
      await page.getByLabel('Nom de famille').fill('Roux');
      await page.getByLabel('Téléphone').fill('06 11 22 33 44');
      await page.getByLabel('Rôle').selectOption({ label: 'tuteur' });
      await page.getByRole('button', { name: 'Ajouter un contact' }).click();
      expect(page.url()).toBe(`${app.url}/cip/structures/${structure.id}?saved=contact`);
      const contact = await db.contact.findFirstOrThrow({ where: { structureId: structure.id } });
      expect(contact).toMatchObject({
        firstName: 'Sylvain',
        lastName: 'Roux',
        phone: '+33611223344',
        role: 'tutor',
        language: 'fr',
        active: true,
      });
      await expect(page.locator('#contacts').textContent()).resolves.toContain('Sylvain Roux (tuteur)');
      // Changing it: another number.
      await page.getByRole('link', { name: 'Modifier : Sylvain Roux' }).click();
      expect(await axe(page)).toEqual([]);
      await page.getByLabel('Téléphone').fill('+33611223355');
      await page.getByRole('button', { name: 'Enregistrer' }).click();
      expect(page.url()).toBe(`${app.url}/cip/structures/${structure.id}?saved=contact`);
      expect((await db.contact.findUniqueOrThrow({ where: { id: contact.id } })).phone).toBe('+33611223355');
      expect(
        await db.auditEvent.findFirst({
          where: { action: 'update', resource: 'contact', resourceId: String(contact.id) },
        }),
      ).toMatchObject({ staffUserId: coordinator.id, detail: { fields: expect.arrayContaining(['phone']) } });
      await page.context().close();
    },
    TEST_MS,
  );

  test(
    "a CIP is not offered the managers' forms, gets the API's 403 as " +
      'a sentence when trying, and adds a contact without a phone number',
    async () => {
      const db = app.db.prisma;
      const workshop = await db.workshop.findFirstOrThrow({ where: { active: true }, orderBy: { id: 'asc' } });
      const session = await db.workshopSession.create({
        data: {
          workshopId: workshop.id,
          startsAt: new Date(Date.now() + 5 * DAY),
          endsAt: new Date(Date.now() + 5 * DAY + 7200_000),
          place: 'Salle des CIP',
          capacity: 5,
        },
      });
      const structure = await db.structure.findFirstOrThrow({ where: { name: 'Les Jardins du Val de Loire' } });
      const page = await signIn('cip.edit@passerelle.test');

      await page
        .getByRole('navigation', { name: 'Navigation principale' })
        .getByRole('link', { name: 'Ateliers' })
        .click();
      await expect(page.locator('#catalogue').count()).resolves.toBe(1);
      await expect(page.getByRole('link', { name: 'Nouvel atelier' }).count()).resolves.toBe(0);
      await expect(page.getByRole('link', { name: /^Modifier/ }).count()).resolves.toBe(0);
      await expect(page.getByRole('link', { name: /^Nouvelle séance/ }).count()).resolves.toBe(0);
      expect(await axe(page)).toEqual([]);
      await page.goto(`${app.url}/cip/workshops/sessions/${session.id}`);
      await expect(page.getByText('Salle des CIP').count()).resolves.toBe(1);
      await expect(page.locator('form[action$="/edit"]').count()).resolves.toBe(0);
      await expect(page.getByRole('link', { name: 'Annuler la séance' }).count()).resolves.toBe(0);
      expect(await axe(page)).toEqual([]);

      // The forms' addresses anyway: the API's 403 as a sentence, nothing written.
      const forbidden = 'Votre rôle (cip) ne permet pas de faire cela.';
      for (const path of [
        '/cip/workshops/new',
        `/cip/workshops/${workshop.id}/edit`,
        `/cip/workshops/${workshop.id}/sessions/new`,
        `/cip/workshops/sessions/${session.id}/cancel`,
        '/cip/structures/new',
        `/cip/structures/${structure.id}/edit`,
      ]) {
        const res = await page.goto(`${app.url}${path}`);
        expect({ path, status: res!.status() }).toEqual({ path, status: 403 });
        await expect(page.getByRole('alert').textContent()).resolves.toBe(forbidden);
      }
      expect(await axe(page)).toEqual([]);
      const posted = await craftedPost(page, '/cip/workshops/new', {
        title: 'Atelier du CIP',
        category: 'digital',
        durationMinutes: '60',
      });
      expect(posted.status()).toBe(403);
      expect(await posted.text()).toContain(forbidden);
      expect(await db.workshop.count({ where: { title: 'Atelier du CIP' } })).toBe(0);
      const cancel = await craftedPost(page, `/cip/workshops/sessions/${session.id}/cancel`, {});
      expect(cancel.status()).toBe(403);
      expect((await db.workshopSession.findUniqueOrThrow({ where: { id: session.id } })).status).toBe('scheduled');
      const seats = await craftedPost(page, `/cip/workshops/sessions/${session.id}/edit`, {
        place: 'Ailleurs',
        capacity: '50',
      });
      expect(seats.status()).toBe(403);
      expect(await seats.text()).toContain(forbidden);
      expect(await db.workshopSession.findUniqueOrThrow({ where: { id: session.id } })).toMatchObject({
        place: 'Salle des CIP',
        capacity: 5,
      });

      // Structures: no new structure, no change of it; a contact without a phone field.
      await page.goto(`${app.url}/cip/structures`);
      await expect(page.getByRole('link', { name: 'Nouvelle structure' }).count()).resolves.toBe(0);
      await page.getByRole('link', { name: 'Les Jardins du Val de Loire' }).click();
      await expect(page.getByRole('link', { name: 'Modifier', exact: true }).count()).resolves.toBe(0);
      await expect(page.locator('#occupancy tbody tr').count()).resolves.toBe(8);
      await expect(page.getByLabel('Téléphone').count()).resolves.toBe(0);
      expect(await axe(page)).toEqual([]);
      await page.getByLabel('Prénom').fill('Nadia');
      await page.getByLabel('Nom de famille').fill('Benali');
      await page.getByRole('button', { name: 'Ajouter un contact' }).click();
      const nadia = await db.contact.findFirstOrThrow({ where: { structureId: structure.id, firstName: 'Nadia' } });
      expect(nadia).toMatchObject({ lastName: 'Benali', phone: null, role: 'supervisor' });
      // A phone number sent anyway: the API's 403 sentence in the form, no contact made.
      const phone = await craftedPost(page, `/cip/structures/${structure.id}/contacts`, {
        firstName: 'Omar',
        phone: '0611223366',
        role: 'tutor',
        language: 'fr',
      });
      expect(phone.status()).toBe(403);
      expect(await phone.text()).toContain(
        'Seul un coordinateur ou un administrateur peut saisir ou changer le numéro',
      );
      expect(await db.contact.count({ where: { firstName: 'Omar' } })).toBe(0);
      // Changing a contact that has a phone number: shown, not offered; kept as it is.
      const sylvie = await db.contact.findFirstOrThrow({ where: { structureId: structure.id, firstName: 'Sylvie' } });
      await page.goto(`${app.url}/cip/structures/${structure.id}/contacts/${sylvie.id}`);
      await expect(page.getByLabel('Téléphone').count()).resolves.toBe(0);
      expect(await axe(page)).toEqual([]);
      await page.getByLabel('Nom de famille').fill('Moreau-Petit');
      await page.getByRole('button', { name: 'Enregistrer' }).click();
      expect(page.url()).toBe(`${app.url}/cip/structures/${structure.id}?saved=contact`);
      expect(await db.contact.findUniqueOrThrow({ where: { id: sylvie.id } })).toMatchObject({
        lastName: 'Moreau-Petit',
        phone: sylvie.phone,
      });
      const other = await craftedPost(page, `/cip/structures/${structure.id}/contacts/${sylvie.id}`, {
        firstName: 'Sylvie',
        phone: '0611223377',
        active: 'on',
      });
      expect(other.status()).toBe(403);
      expect((await db.contact.findUniqueOrThrow({ where: { id: sylvie.id } })).phone).toBe(sylvie.phone);
      await page.context().close();
    },
    TEST_MS,
  );
});
