// The staff dashboard (/cip/) in a real browser: Debian's chromium driven by playwright-core, axe-core
// on every page (a serious or critical violation fails the test). A coordinator made like `npm run
// staff:create` does (createStaff) signs in, changes the one-time password, finds a person, opens their
// page, sees the timeline, acknowledges an alert (the count in the navigation follows without a
// reload); a CIP does not see another CIP's person (not in the list, 404 on the page).
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { App } from '../../bot/runtime/app';
import { projectRoot } from '../../bot/runtime/paths';
import { MediaStore, mediaUrl } from '../../bot/media/store';
import { createStaff } from '../../bot/services/staff';
import { samples } from '../support/mediaSamples';
import { axe, chromiumPath } from '../support/browser';
import { startBrowserApp, stopBrowserApp } from '../support/browserApp';
import { openCase, signedIn, type StaffClient } from '../support/cipApi';
import { DirectLineClient } from '../support/directLineClient';
import { translator } from '../../bot/i18n/translator';
import { cipMessageLines } from '../../cards/cipMessages';
import type { TempDatabase } from '../support/postgres';

const executablePath = process.env.PASSERELLE_TEST_CHROMIUM ?? chromiumPath() ?? '';
if (!executablePath)
  console.warn('*** NOTICE: chromium not found (set CHROMIUM_PATH): the dashboard browser suite is SKIPPED ***');
const describeInBrowser = executablePath ? describe : describe.skip;
const TEST_MS = 60_000;
const SHOTS = path.join(projectRoot, 'docs', 'screenshots');

describeInBrowser('staff dashboard in a browser', () => {
  let tmp: TempDatabase;
  let app: App;
  let browser: Browser;
  let cipA: StaffClient;
  let cipB: StaffClient;
  let amina: number;
  let yonas: number;
  let voice: string;
  let samir: number;
  let workshopTitle: string;

  beforeAll(async () => {
    ({ tmp, app, browser } = await startBrowserApp(executablePath));
    cipA = await signedIn(app, 'cip', 'cip.a@passerelle.test');
    cipB = await signedIn(app, 'cip', 'cip.b@passerelle.test');
    amina = await openCase(cipA, {
      firstName: 'Amina',
      lastName: 'Diallo',
      phone: '+33612340001',
      language: 'fa',
      consent: true,
    });
    yonas = await openCase(cipB, { firstName: 'Yonas', lastName: 'Tesfaye', phone: '+33612340002', language: 'ti' });
    await app.db.prisma.caseEvent.create({
      data: { beneficiaryId: amina, type: 'absence_reported', actorType: 'beneficiary', attention: true },
    });
    const session = await app.db.prisma.workshopSession.findFirstOrThrow({
      include: { workshop: true },
      orderBy: { startsAt: 'asc' },
    });
    workshopTitle = session.workshop.title;
    await app.db.prisma.booking.create({ data: { sessionId: session.id, beneficiaryId: amina, status: 'booked' } });
    samir = (
      await app.db.prisma.beneficiary.create({ data: { firstName: 'Samir', status: 'pending', language: 'ar' } })
    ).id;
    // A voice note for the CIP, as the chat stores it, and a conversation.
    const file = path.join(app.config.media.dir, 'incoming.ogg');
    fs.writeFileSync(file, samples.oggOpus);
    voice = (await new MediaStore(app.config.media.dir).add(file, 'audio/ogg', 'voice.ogg')).id;
    await app.db.prisma.caseEvent.create({
      data: {
        beneficiaryId: amina,
        type: 'message_to_cip',
        actorType: 'beneficiary',
        payload: {
          text: 'Question sur le planning',
          attachments: [{ contentType: 'audio/ogg', url: mediaUrl(voice) }],
        },
      },
    });
    await app.db.prisma.message.create({
      data: {
        direction: 'in',
        channel: 'whatsapp',
        beneficiaryId: amina,
        status: 'received',
        payload: { type: 'message', text: 'Bonjour, je suis en retard' },
      },
    });
    await app.db.prisma.message.create({
      data: {
        direction: 'out',
        channel: 'whatsapp',
        beneficiaryId: amina,
        status: 'sent',
        payload: { type: 'message', text: 'Merci, votre CIP est prévenue.' },
      },
    });
  }, TEST_MS);

  afterAll(() => stopBrowserApp({ tmp, app, browser }));

  async function newPage(): Promise<Page> {
    // bypassCSP only so that the test can inject axe-core; the page's own CSP is checked below.
    const context = await browser.newContext({
      viewport: { width: 1024, height: 768 },
      locale: 'fr-FR',
      bypassCSP: true,
    });
    return context.newPage();
  }

  async function signIn(page: Page, email: string, password: string) {
    await page.goto(`${app.url}/cip/`);
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
  }

  test(
    'a coordinator signs in, changes the one-time password, finds a person, sees the timeline, acknowledges an alert',
    async () => {
      const { password } = await createStaff(app.db.prisma, {
        email: 'coord@passerelle.test',
        role: 'coordinator',
        name: 'Claire Coordination',
      });
      const page = await newPage();
      const response = await page.goto(`${app.url}/cip/`);
      expect(page.url()).toBe(`${app.url}/cip/login`);
      expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
      expect(await axe(page)).toEqual([]);

      // A wrong password: the sentence, no session.
      await page.getByLabel('Adresse e-mail').fill('coord@passerelle.test');
      await page.getByLabel('Mot de passe', { exact: true }).fill('not the password');
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toMatch(/\S/);
      expect((await page.context().cookies()).find((c) => c.name === 'passerelle_cip')).toBeUndefined();

      await signIn(page, 'coord@passerelle.test', password);
      expect(page.url()).toBe(`${app.url}/cip/password`);
      await expect(page.locator('h1').textContent()).resolves.toBe('Nouveau mot de passe');
      const cookie = (await page.context().cookies()).find((c) => c.name === 'passerelle_cip')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/cip', secure: false });
      expect(await axe(page)).toEqual([]);
      // Until it is changed, the other pages send back here.
      await page.goto(`${app.url}/cip/people`);
      expect(page.url()).toBe(`${app.url}/cip/password`);
      await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('un mot de passe 2026');
      await page.getByLabel('Nouveau mot de passe (encore)').fill('un mot de passe 2026');
      await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
      expect(page.url()).toBe(`${app.url}/cip/?changed=1`);
      await expect(page.locator('h1').textContent()).resolves.toBe('Tableau de bord');
      expect(
        await app.db.prisma.staffUser.findUniqueOrThrow({ where: { email: 'coord@passerelle.test' } }),
      ).toMatchObject({ mustChangePassword: false });
      for (const name of [
        'Tableau de bord',
        'Personnes',
        'Alertes',
        'Problèmes',
        'Ateliers',
        'Invitations',
        'Structures',
        'Statistiques',
      ]) {
        await expect(
          page
            .getByRole('navigation', { name: 'Navigation principale' })
            .getByRole('link', { name: new RegExp(`^${name}`) })
            .count(),
        ).resolves.toBe(1);
      }
      await expect(page.locator('#alert-count').textContent()).resolves.toBe('1');
      await expect(page.getByText('Absence signalée').count()).resolves.toBe(1);
      expect(await axe(page)).toEqual([]);
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, 'dashboard.png') });

      // Personnes: search, then the person's page and timeline.
      await page.getByRole('link', { name: 'Personnes' }).click();
      expect(await axe(page)).toEqual([]);
      await page.getByLabel('Nom ou téléphone').fill('Amina');
      await page.getByRole('button', { name: 'Rechercher' }).click();
      await expect(page.getByRole('status').textContent()).resolves.toBe('Résultats : 1');
      // Nouvelle personne, with consent at intake.
      await page.getByRole('link', { name: 'Nouvelle personne' }).click();
      expect(await axe(page)).toEqual([]);
      await page.getByLabel('Prénom').fill('Lina');
      await page.getByLabel('Nom de famille').fill('Haddad');
      await page.getByLabel('Téléphone').fill('06 12 34 00 09');
      await page.getByLabel('Langue').selectOption('ar');
      await page.getByLabel('La personne accepte de recevoir des messages de Passerelle').check();
      await page.getByRole('button', { name: 'Enregistrer' }).click();
      const lina = await app.db.prisma.beneficiary.findFirstOrThrow({ where: { firstName: 'Lina' } });
      expect(lina).toMatchObject({ lastName: 'Haddad', phone: '+33612340009', language: 'ar', status: 'active' });
      expect(lina.consentAt).not.toBeNull();
      expect(page.url()).toBe(`${app.url}/cip/people/${lina.id}`);
      // The same phone again: the API's sentence in the form, nothing created.
      await page.goto(`${app.url}/cip/people/new`);
      await page.getByLabel('Prénom').fill('Lina bis');
      await page.getByLabel('Téléphone').fill('+33612340009');
      await page.getByRole('button', { name: 'Enregistrer' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toMatch(/\S/);
      expect(await app.db.prisma.beneficiary.count({ where: { phone: '+33612340009' } })).toBe(1);

      await page.goto(`${app.url}/cip/people?q=Amina`);
      await page.getByRole('link', { name: 'Amina Diallo' }).click();
      expect(page.url()).toBe(`${app.url}/cip/people/${amina}`);
      await expect(page.locator('#timeline').textContent()).resolves.toContain('Dossier ouvert');
      await expect(page.locator('#timeline').textContent()).resolves.toContain('Accord donné');
      expect(await axe(page)).toEqual([]);
      await page.screenshot({ path: path.join(SHOTS, 'person.png'), fullPage: false });
      // The reads are audited as in the API.
      const reads = await app.db.prisma.auditEvent.findMany({
        where: { resource: 'timeline', beneficiaryId: amina, staffUser: { email: 'coord@passerelle.test' } },
      });
      expect(reads).toHaveLength(2); // the timeline, and its messages to the CIP

      await expect(page.locator('#bookings').textContent()).resolves.toContain(workshopTitle);
      // The messages to the CIP, the voice note playable (through the media route: audited).
      await expect(page.getByText('Question sur le planning').count()).resolves.toBe(1);
      await expect(page.locator(`audio[src="/cip/media/${voice}"]`).count()).resolves.toBe(1);
      const audio = await page.request.get(`${app.url}/cip/media/${voice}`);
      expect(audio.status()).toBe(200);
      expect(audio.headers()['content-type']).toBe('audio/ogg');
      expect(
        await app.db.prisma.auditEvent.count({
          where: { resource: 'media', resourceId: voice, staffUser: { email: 'coord@passerelle.test' } },
        }),
      ).toBe(1);
      // The conversation log, behind a click, audited.
      await page.getByRole('link', { name: 'Voir la conversation' }).click();
      await expect(page.locator('#conversation').textContent()).resolves.toContain('Bonjour, je suis en retard');
      await expect(page.locator('#conversation').textContent()).resolves.toContain('Merci, votre CIP est prévenue.');
      expect(await app.db.prisma.auditEvent.count({ where: { resource: 'conversation', beneficiaryId: amina } })).toBe(
        1,
      );
      expect(await axe(page)).toEqual([]);
      await page.getByRole('link', { name: 'Retour à la fiche' }).click();

      // A placement the SIAE rules refuse (a sas IAE step in a company): the API's 409 as a sentence in the form.
      await page.getByLabel('Structure').selectOption({ label: 'La Table du Château' });
      await page.getByLabel('Type', { exact: true }).selectOption('sas_iae');
      await page.getByLabel('Début').fill('2026-03-02');
      await page.getByLabel('Fin (incluse)').fill('2026-03-20');
      const refused = page.waitForResponse((r) => r.url().endsWith(`/cip/people/${amina}/placements`));
      await page.getByRole('button', { name: "Ajouter l'étape" }).click();
      expect((await refused).status()).toBe(409);
      await expect(page.locator('#h-placement + .error').textContent()).resolves.toContain('La Table du Château');
      expect(await app.db.prisma.placement.count({ where: { beneficiaryId: amina } })).toBe(0);
      expect(await axe(page)).toEqual([]);
      // An accepted one is listed in the journey.
      await page.getByLabel('Structure').selectOption({ label: 'Les Jardins du Val de Loire' });
      await page.getByLabel('Type', { exact: true }).selectOption('sas_iae');
      await page.getByLabel('Début').fill('2026-03-02');
      await page.getByLabel('Fin (incluse)').fill('2026-03-20');
      await page.getByRole('button', { name: "Ajouter l'étape" }).click();
      expect(page.url()).toBe(`${app.url}/cip/people/${amina}`);
      expect(await app.db.prisma.placement.count({ where: { beneficiaryId: amina } })).toBe(1);
      await expect(page.getByText('Les Jardins du Val de Loire –').count()).resolves.toBe(1);

      // Assign the case to another CIP (coordinators): the API's PATCH, on the case.
      await page.getByLabel('CIP du dossier').selectOption({ label: 'Camille Martin' });
      await page.getByRole('button', { name: 'Attribuer' }).click();
      const camille = await app.db.prisma.staffUser.findFirstOrThrow({ where: { name: 'Camille Martin' } });
      expect((await app.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: amina } })).cipId).toBe(camille.id);
      await expect(page.getByText('Suivi par : Camille Martin').count()).resolves.toBe(1);

      // The profile, edited; the exit, recorded (the IAE categories in the form).
      await page.getByLabel('Année de naissance').fill('1990');
      await page.getByRole('button', { name: 'Enregistrer', exact: true }).first().click();
      expect((await app.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: amina } })).birthYear).toBe(1990);
      const today = new Date().toISOString().slice(0, 10);
      await page.getByLabel('Date de sortie').fill(today);
      await page.getByLabel('Type de sortie').selectOption({ label: 'CDD de 6 mois ou plus' });
      await page.getByRole('button', { name: 'Enregistrer la sortie' }).click();
      expect(await app.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: amina } })).toMatchObject({
        stage: 'exited',
        exitOutcome: 'durable',
        exitDetail: 'cdd_6m_plus',
      });
      await expect(page.locator('#timeline').textContent()).resolves.toContain('Sortie enregistrée');

      // A pending case (opened on the chat), validated from its page.
      await page.goto(`${app.url}/cip/`);
      await page.getByRole('link', { name: 'Samir' }).click();
      await page.getByRole('button', { name: 'Valider le dossier' }).click();
      expect((await app.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: samir } })).status).toBe('active');

      // Alertes: acknowledge; the row and the count change without a reload.
      await page.getByRole('link', { name: /^Alertes/ }).click();
      expect(await axe(page)).toEqual([]);
      await page.getByRole('button', { name: 'Marquer comme vue' }).click();
      await page.getByText(/^Vue le/).waitFor();
      await page.locator('#alert-count', { hasText: /^0$/ }).waitFor();
      const alert = await app.db.prisma.caseEvent.findFirstOrThrow({
        where: { beneficiaryId: amina, type: 'absence_reported' },
      });
      expect(alert.acknowledgedAt).not.toBeNull();

      await page.getByRole('link', { name: 'Problèmes' }).click();
      expect(await axe(page)).toEqual([]);

      // English, chosen for this browser.
      await page.getByRole('button', { name: 'English' }).click();
      await expect(page.locator('h1').textContent()).resolves.toBe('Problems');
      expect(await axe(page)).toEqual([]);
      await page.getByRole('button', { name: 'Français' }).click();

      // Signing out ends the session (the token is revoked).
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      expect(page.url()).toBe(`${app.url}/cip/login`);
      expect(
        await app.db.prisma.staffSession.count({
          where: { staffUser: { email: 'coord@passerelle.test' }, revokedAt: null },
        }),
      ).toBe(0);
      await page.context().close();
    },
    TEST_MS,
  );

  test(
    'Écrire à la personne: a CIP previews a ready-made message in Dari ' +
      "and French, sends it, and it arrives in the person's open web chat",
    async () => {
      // Fereshta wrote to the bot in Dari on the web chat; she is followed by CIP B.
      const chat = await DirectLineClient.withToken(app.url, 'wc_dash_write_fereshta_0123', 'fa-AF');
      try {
        const fa = translator('fa');
        await chat.waitForBotMessages(2);
        await chat.say('1'); // "Dari?" 1 yes
        await chat.sayUntil('1', fa('voice.question'));
        await chat.sayUntil('1', fa('onboarding.consent.question')); // read
        await chat.sayUntil('1', fa('onboarding.name.question'));
        await chat.sayUntil('Fereshta', fa('onboarding.thanks', { firstName: 'Fereshta' }));
        const fereshta = await app.db.prisma.beneficiary.findFirstOrThrow({ where: { firstName: 'Fereshta' } });
        await app.db.prisma.beneficiary.update({
          where: { id: fereshta.id },
          data: { cipId: cipB.id, status: 'active' },
        });

        const page = await newPage();
        await signIn(page, 'cip.b@passerelle.test', 'a new password 123');
        await page.goto(`${app.url}/cip/people/${fereshta.id}`);
        const section = page.locator('#write');
        await section.getByLabel('Venez au bureau le … à …').check();
        const day = new Date(Date.now() + 3 * 24 * 3600_000).toISOString().slice(0, 10);
        await section.getByLabel('Jour').first().fill(day);
        await section.getByLabel('Heure').fill('10:30');
        await section.getByRole('button', { name: 'Aperçu' }).click();
        // The preview: what she reads in Dari, and its French.
        const content = { template: 'comeToOffice' as const, day, time: '10:30' };
        const dari = cipMessageLines(content, 'cip', 'fa').join('\n');
        await expect(page.locator('#write .bubble[lang="fa"]').textContent()).resolves.toBe(dari);
        await expect(page.locator('#write .bubble[lang="fr"]').textContent()).resolves.toBe(
          cipMessageLines(content, 'cip', 'fr').join('\n'),
        );
        expect(await axe(page)).toEqual([]);
        await page.locator('#write').getByRole('button', { name: 'Envoyer' }).click();
        await page.getByText('Message envoyé dans la file').waitFor();
        // Her chat is open: the message is there, in Dari.
        expect((await chat.waitForText(dari)).locale).toBe('fa');
        await page.reload();
        await expect(page.locator('#sent-list li').first().getAttribute('data-state')).resolves.toBe('sent');
        await expect(page.locator('#sent-list li').first().textContent()).resolves.toContain('Envoyé');
        // Someone with no chat and no number (and no WhatsApp here): the refusal is a sentence, nothing is queued.
        const nowhere = (
          await app.db.prisma.beneficiary.create({
            data: { firstName: 'Nadia', status: 'active', cipId: cipB.id, consentAt: new Date() },
          })
        ).id;
        await page.goto(`${app.url}/cip/people/${nowhere}`);
        await page.locator('#write').getByRole('button', { name: 'Envoyer' }).click();
        await expect(page.locator('#write [role="alert"]').textContent()).resolves.toContain(
          translator('fr')('api.errors.message.unreachable'),
        );
        expect(await app.db.prisma.message.count({ where: { beneficiaryId: nowhere, kind: 'cip' } })).toBe(0);
        await page.context().close();
      } finally {
        chat.end();
      }
    },
    TEST_MS,
  );

  test(
    "a CIP does not see another CIP's person: not in the list, 404 on the page",
    async () => {
      const page = await newPage();
      await signIn(page, 'cip.b@passerelle.test', 'a new password 123');
      expect(page.url()).toBe(`${app.url}/cip/`);
      await page.goto(`${app.url}/cip/people`);
      await expect(page.getByRole('link', { name: 'Yonas Tesfaye' }).count()).resolves.toBe(1);
      await expect(page.getByRole('link', { name: 'Amina Diallo' }).count()).resolves.toBe(0);
      const other = await page.goto(`${app.url}/cip/people/${amina}`);
      expect(other!.status()).toBe(404);
      expect(await axe(page)).toEqual([]);
      const own = await page.goto(`${app.url}/cip/people/${yonas}`);
      expect(own!.status()).toBe(200);
      await page.context().close();
    },
    TEST_MS,
  );

  test(
    'Ateliers: a CIP marks who came to a session that has ended (their people only); Structures with ' +
      'occupancy and contacts; Invitations with a preview; Statistiques with charts and a CSV export',
    async () => {
      const workshop = await app.db.prisma.workshop.findFirstOrThrow({ orderBy: { id: 'asc' } });
      const startsAt = new Date(Date.now() - 26 * 3600_000);
      const past = await app.db.prisma.workshopSession.create({
        data: {
          workshopId: workshop.id,
          startsAt,
          endsAt: new Date(startsAt.getTime() + 2 * 3600_000),
          place: 'Salle du passé',
          capacity: 10,
          bookedCount: 2,
        },
      });
      await app.db.prisma.booking.create({ data: { sessionId: past.id, beneficiaryId: yonas, status: 'booked' } });
      const hana = (
        await app.db.prisma.beneficiary.create({ data: { firstName: 'Hana', status: 'active', cipId: cipA.id } })
      ).id;
      await app.db.prisma.booking.create({ data: { sessionId: past.id, beneficiaryId: hana, status: 'booked' } });
      const page = await newPage();
      await signIn(page, 'cip.b@passerelle.test', 'a new password 123');
      await page.getByRole('link', { name: 'Ateliers' }).click();
      expect(await axe(page)).toEqual([]);
      await page.locator(`a[href="/cip/workshops/sessions/${past.id}"]`).click();
      await expect(page.getByText('Salle du passé').count()).resolves.toBe(1);
      // Hana is followed by another CIP: not shown to this one.
      await expect(page.getByRole('link', { name: 'Hana' }).count()).resolves.toBe(0);
      expect(await axe(page)).toEqual([]);
      await page.getByRole('group', { name: 'Présence de Yonas Tesfaye' }).getByLabel('présent').check();
      await page.getByRole('button', { name: 'Enregistrer les présences' }).click();
      await page.getByText('Les présences sont enregistrées.').waitFor();
      expect(
        (await app.db.prisma.booking.findFirstOrThrow({ where: { sessionId: past.id, beneficiaryId: yonas } })).status,
      ).toBe('attended');
      expect(
        (await app.db.prisma.booking.findFirstOrThrow({ where: { sessionId: past.id, beneficiaryId: hana } })).status,
      ).toBe('booked');

      // Structures: occupancy, a structure's contacts (audited).
      await page.getByRole('link', { name: 'Structures' }).click();
      await expect(page.getByRole('row', { name: /Les Jardins du Val de Loire/ }).textContent()).resolves.toContain(
        '0 / 2',
      );
      expect(await axe(page)).toEqual([]);
      await page.getByRole('link', { name: 'Les Jardins du Val de Loire' }).click();
      await expect(page.locator('#contacts').textContent()).resolves.toContain('Sylvie Moreau');
      expect(await axe(page)).toEqual([]);
      const cipBId = (await app.db.prisma.staffUser.findUniqueOrThrow({ where: { email: 'cip.b@passerelle.test' } }))
        .id;
      expect(await app.db.prisma.auditEvent.count({ where: { staffUserId: cipBId, resource: 'contact' } })).toBe(1);

      // Invitations: a preview in French and in the audience's language, then the send (the API's rules).
      await page.getByRole('link', { name: 'Invitations' }).click();
      expect(await axe(page)).toEqual([]);
      await page.getByLabel('Langue').selectOption('ti');
      await page.getByRole('button', { name: 'Prévisualiser' }).click();
      await expect(page.locator('pre.preview[lang="fr"]').textContent()).resolves.toContain(
        'Vous êtes invité à un atelier.',
      );
      await expect(page.locator('pre.preview[lang="ti"]').count()).resolves.toBe(1);
      expect(await axe(page)).toEqual([]);
      await expect(page.locator('#preview-invited').textContent()).resolves.toMatch(/Personnes invitées : \d+/);
      await page.getByRole('button', { name: "Envoyer l'invitation" }).click();
      await expect(page.getByRole('status').textContent()).resolves.toContain('Invitation envoyée');
      expect(await app.db.prisma.broadcast.count({ where: { createdById: cipBId } })).toBe(1);
      // Its own page: the counts (refreshed while it moves), the people.
      await page.getByRole('link', { name: "Suivre l'envoi" }).click();
      await expect(page.locator('[data-count="audience"]').textContent()).resolves.toMatch(/^\d+$/);
      expect(await axe(page)).toEqual([]);

      // Statistiques: the tables, the charts (Chart.js from node_modules), the print button, a CSV export in scope.
      await page.getByRole('link', { name: 'Statistiques' }).click();
      await expect(page.locator('#caseload').textContent()).resolves.toContain('Total');
      await page.waitForFunction(
        () =>
          (globalThis as unknown as { Chart?: { getChart(id: string): unknown } }).Chart?.getChart('chart-stages') !==
          undefined,
      );
      await expect(page.getByRole('button', { name: 'Imprimer le bilan' }).count()).resolves.toBe(1);
      expect(await axe(page)).toEqual([]);
      await page.screenshot({ path: path.join(SHOTS, 'stats.png') });
      const csv = await page.request.get(`${app.url}/cip/exports/cases.csv`);
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-type']).toContain('text/csv');
      const text = await csv.text();
      expect(text).toContain('Tesfaye');
      expect(text).not.toContain('Diallo');
      expect(
        await app.db.prisma.auditEvent.count({ where: { staffUserId: cipBId, action: 'export', resource: 'cases' } }),
      ).toBe(1);
      await page.context().close();
    },
    TEST_MS,
  );
});
