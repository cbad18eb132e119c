// The staff dashboard's browser session, attacked: a form posted from another site (or without an
// Origin) is refused, the cookie cannot be read by scripts nor sent cross-site, a session left idle
// ends, and pages only load our own scripts. Each time the legitimate use still works.
import { appForTests } from '../support/app';
import { dashboardClient } from '../support/dashboardClient';

let clock = new Date('2026-03-02T09:00:00Z');
const testApp = appForTests({ TRUST_PROXY: '127.0.0.1' }, { now: () => clock });

const { send, signIn, account } = dashboardClient(testApp);

test('the cookie is HttpOnly, SameSite=Strict, limited to /cip; Secure when a trusted proxy says HTTPS', async () => {
  await account('cookie@passerelle.test');
  const plain = await signIn('cookie@passerelle.test');
  expect(plain.setCookie).toMatch(/^passerelle_cip=[\w-]{40,}; Path=\/cip; HttpOnly; SameSite=Strict$/);
  const tls = await signIn('cookie@passerelle.test', { 'X-Forwarded-Proto': 'https' });
  expect(tls.setCookie).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
  // The cookie opens the pages.
  const home = await send('/cip/', { cookie: plain.cookie });
  expect(home.status).toBe(200);
  expect(await home.text()).toContain('Tableau de bord');
});

test('a form posted from another origin, or without an Origin, is refused and changes nothing', async () => {
  const staff = await account('origin@passerelle.test');
  const { cookie } = await signIn('origin@passerelle.test');
  const person = await testApp().db.prisma.beneficiary.create({
    data: { firstName: 'Nour', status: 'active', cipId: staff.id },
  });
  const alert = await testApp().db.prisma.caseEvent.create({
    data: { beneficiaryId: person.id, type: 'absence_reported', actorType: 'beneficiary', attention: true },
  });
  for (const origin of ['https://evil.example', null, 'null']) {
    const res = await send(`/cip/alerts/${alert.id}/acknowledge`, { form: {}, cookie, origin });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Cette demande ne vient pas de cette page');
  }
  // Signing out from another site does not sign out either.
  expect((await send('/cip/logout', { form: {}, cookie, origin: 'https://evil.example' })).status).toBe(403);
  expect(
    (await testApp().db.prisma.caseEvent.findUniqueOrThrow({ where: { id: alert.id } })).acknowledgedAt,
  ).toBeNull();
  // From our own page: done, audited.
  const ok = await send(`/cip/alerts/${alert.id}/acknowledge`, { form: {}, cookie });
  expect(ok.status).toBe(303);
  expect((await testApp().db.prisma.caseEvent.findUniqueOrThrow({ where: { id: alert.id } })).acknowledgedById).toBe(
    staff.id,
  );
  expect(
    await testApp().db.prisma.auditEvent.count({
      where: { staffUserId: staff.id, resource: 'alert', action: 'update', resourceId: String(alert.id) },
    }),
  ).toBe(1);
});

test(
  'a session left idle ends after DASHBOARD_IDLE_MINUTES (30); each page moves the end, never past ' +
    'STAFF_SESSION_HOURS',
  async () => {
    await account('idle@passerelle.test');
    const { cookie } = await signIn('idle@passerelle.test');
    const session = await testApp().db.prisma.staffSession.findFirstOrThrow({
      where: { staffUser: { email: 'idle@passerelle.test' } },
      orderBy: { id: 'desc' },
    });
    expect(session.expiresAt.getTime() - clock.getTime()).toBe(30 * 60_000);
    // Active: a page every 20 minutes keeps it open.
    for (let i = 0; i < 3; i++) {
      clock = new Date(clock.getTime() + 20 * 60_000);
      expect((await send('/cip/people', { cookie })).status).toBe(200);
    }
    // Left alone for 31 minutes: signed out, for the API too (the same token).
    clock = new Date(clock.getTime() + 31 * 60_000);
    const res = await send('/cip/people', { cookie });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/cip/login');
    const token = decodeURIComponent(cookie.split('=')[1]);
    expect((await fetch(`${testApp().url}/api/cip/me`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(
      401,
    );
    // However active, a session ends STAFF_SESSION_HOURS (12) after the sign-in.
    const again = await signIn('idle@passerelle.test');
    const fresh = await testApp().db.prisma.staffSession.findFirstOrThrow({
      where: { staffUser: { email: 'idle@passerelle.test' } },
      orderBy: { id: 'desc' },
    });
    await testApp().db.prisma.staffSession.update({
      where: { id: fresh.id },
      data: { createdAt: new Date(clock.getTime() - 12 * 3600_000 + 10 * 60_000) },
    });
    clock = new Date(clock.getTime() + 2 * 60_000);
    expect((await send('/cip/people', { cookie: again.cookie })).status).toBe(200);
    const capped = await testApp().db.prisma.staffSession.findUniqueOrThrow({ where: { id: fresh.id } });
    expect(capped.expiresAt.getTime()).toBe(capped.createdAt.getTime() + 12 * 3600_000);
  },
);

test('pages load only our own scripts and styles (strict CSP, no inline script, no other site)', async () => {
  const res = await send('/cip/login');
  const csp = res.headers.get('content-security-policy')!;
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(res.headers.get('cache-control')).toBe('no-store');
  const html = await res.text();
  expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
  expect(html).not.toMatch(/(src|href)="https?:/);
  const htmx = await send('/cip/static/htmx.min.js');
  expect(htmx.status).toBe(200);
  expect((await htmx.text()).length).toBeGreaterThan(10_000);
  expect((await send('/cip/static/..%2F..%2Fpackage.json')).status).toBe(404);
});

test('a CIP cannot open another CIP’s person through the pages, nor post to them', async () => {
  const a = await account('cip.one@passerelle.test', 'cip');
  await account('cip.two@passerelle.test', 'cip');
  const theirs = await testApp().db.prisma.beneficiary.create({
    data: { firstName: 'Hamid', status: 'active', cipId: a.id },
  });
  const { cookie } = await signIn('cip.two@passerelle.test');
  expect((await send(`/cip/people/${theirs.id}`, { cookie })).status).toBe(404);
  expect((await send(`/cip/people/${theirs.id}/archive`, { form: {}, cookie })).status).toBe(404);
  expect((await testApp().db.prisma.beneficiary.findUniqueOrThrow({ where: { id: theirs.id } })).status).toBe('active');
  const own = await send(`/cip/people/${theirs.id}`, { cookie: (await signIn('cip.one@passerelle.test')).cookie });
  expect(own.status).toBe(200);
});
