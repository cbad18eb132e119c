// Ateliers: the sessions of the last and next 14 days and the catalogue of workshops with their next
// sessions; a session's seats and waiting list (the people of one's scope), and once it has ended,
// who came (POST /api/cip/sessions/:id/attendance). Coordinators and admins (the API's MANAGERS)
// also add and change workshops, add sessions, change a session's place and seats, and cancel a
// session after a confirmation that says how many people will be told. Each form is the API's
// route: its refusal (403 for a CIP, 409 seats below the people booked...) shown in the form.
import { ApiError } from '../api/http';
import { workshopCategory } from '../api/workshops';
import { zonedTime } from '../services/time';
import { isManager, managersOnly, pageForm, problem, recordForms, statusOf, type Problem } from './forms';
import type { PageContext, Pages } from './pages';

const CATEGORIES = workshopCategory.options;
const AUDIENCES = ['over25', 'under25'];

/** A code for a new workshop when none is typed: its title in lower snake case ("Écrire son CV" -> ecrire_son_cv). */
export function codeOf(title: string): string {
  const slug = title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 50)
    .replace(/_+$/, '');
  return slug && /^[a-z]/.test(slug) ? slug : slug ? `atelier_${slug}` : '';
}

function workshopBody(form: Record<string, string>, creating: boolean) {
  const text = (k: string) => (form[k] ?? '').trim();
  const body: Record<string, unknown> = {
    title: text('title'),
    category: text('category'),
    durationMinutes: text('durationMinutes') ? Number(text('durationMinutes')) : undefined,
  };
  if (text('description')) body.description = text('description');
  else if (!creating) body.description = null;
  if (creating) body.code = text('code') || codeOf(text('title')) || undefined;
  else body.active = form.active === 'on';
  return body;
}

/**
 * "2026-03-10" and "09:30" in the time zone of the service, as the API's date and time; '' when unreadable (the API
 * says which field).
 */
function instant(day: string | undefined, time: string | undefined, timeZone: string): string {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day ?? '');
  const t = /^(\d{2}):(\d{2})$/.exec(time ?? '');
  if (!d || !t) return '';
  return zonedTime(Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2]), timeZone).toISOString();
}

/** The time zone is the service's (APP_TIMEZONE): the dashboard passes it; Europe/Paris is its default. */
export function workshopPages(pages: Pages, timeZone = 'Europe/Paris'): void {
  pages.get('/cip/workshops', async (p) => {
    const [sessions, workshops] = await Promise.all([
      p.call('get', '/api/cip/sessions'),
      p.call('get', '/api/cip/workshops'),
    ]);
    const saved = (p.req.query as Record<string, string> | undefined)?.saved === 'workshop';
    await p.html(
      'workshops',
      p.t('nav.workshops'),
      { sessions: sessions.items, workshops: workshops.items, manager: isManager(p), saved, now: new Date() },
      { current: 'workshops' },
    );
  });

  // A workshop: new, or changed.
  recordForms<{ id: number; active: boolean }>(pages, {
    page: '/cip/workshops',
    api: '/api/cip/workshops',
    view: 'workshop-form',
    nav: 'workshops',
    name: 'workshop',
    title: (p, w) => (w ? p.t('workshops.editWorkshop') : p.t('workshops.newWorkshop')),
    data: { CATEGORIES },
    blank: { durationMinutes: 120 },
    values: (w) => ({ ...w, active: w.active ? 'on' : '' }),
    body: workshopBody,
    saved: () => '/cip/workshops?saved=workshop',
  });

  // A new session of a workshop.
  const sessionForm = (
    p: PageContext,
    workshop: { id: number; title: string },
    values: Record<string, unknown>,
    error?: Problem,
    status = 200,
  ) =>
    p.html(
      'session-new',
      p.t('workshops.newSessionOf', { title: workshop.title }),
      { workshop, values, error, AUDIENCES },
      { current: 'workshops', status },
    );

  pages.get('/cip/workshops/:id/sessions/new', async (p) => {
    const workshop = await p.call('get', '/api/cip/workshops/:id', { params: { id: String(p.req.params.id) } });
    managersOnly(p);
    await sessionForm(p, workshop, { audience: 'over25' });
  });
  pages.post('/cip/workshops/:id/sessions/new', async (p) => {
    const id = String(p.req.params.id);
    const workshop = await p.call('get', '/api/cip/workshops/:id', { params: { id } });
    const form = await p.form();
    const body = {
      startsAt: instant(form.day, form.start, timeZone),
      endsAt: instant(form.day, form.end, timeZone),
      place: (form.place ?? '').trim(),
      capacity: form.capacity ? Number(form.capacity) : undefined,
      audience: form.audience,
    };
    try {
      const created = await p.call('post', '/api/cip/workshops/:id/sessions', { params: { id }, body });
      p.redirect(`/cip/workshops/sessions/${created.id}?saved=session`);
    } catch (err) {
      await sessionForm(p, workshop, form, problem(err, p), statusOf(err));
    }
  });

  // A session's page: seats, waiting list, attendance; for coordinators, its place and seats, and its cancellation.
  async function sessionPage(p: PageContext, id: string, extra: Record<string, unknown> = {}, status = 200) {
    const session = await p.call('get', '/api/cip/sessions/:id', { params: { id } });
    const bookings = await p.call('get', '/api/cip/sessions/:id/bookings', { params: { id } });
    const saved = (p.req.query as Record<string, string> | undefined)?.saved;
    await p.html(
      'session',
      `${session.title}`,
      {
        session,
        bookings: bookings.items,
        ended: new Date(session.endsAt) <= new Date(),
        saved,
        manager: isManager(p),
        values: session,
        ...extra,
      },
      { current: 'workshops', status },
    );
  }

  pages.get('/cip/workshops/sessions/:id', async (p) => sessionPage(p, String(p.req.params.id)));

  pages.post('/cip/workshops/sessions/:id/attendance', async (p) => {
    const id = String(p.req.params.id);
    const form = await p.form();
    const attendance = Object.entries(form)
      .filter(([k, v]) => /^person-\d+$/.test(k) && (v === 'attended' || v === 'no_show'))
      .map(([k, v]) => ({ beneficiaryId: Number(k.slice('person-'.length)), status: v }));
    try {
      await p.call('post', '/api/cip/sessions/:id/attendance', { params: { id }, body: { attendance } });
      p.redirect(`/cip/workshops/sessions/${id}?saved=1`);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 404 || err.status >= 500 || err.status === 401) throw err;
      await sessionPage(p, id, { error: err.messageIn(p.language) }, err.status);
    }
  });

  pageForm(pages, {
    path: '/cip/workshops/sessions/:id/edit',
    run: (p, id, form) => {
      const body = { place: (form.place ?? '').trim(), capacity: form.capacity ? Number(form.capacity) : undefined };
      return p.call('patch', '/api/cip/sessions/:id', { params: { id }, body });
    },
    saved: (id) => `/cip/workshops/sessions/${id}?saved=session`,
    // A CIP has no such form on the page: the refusal goes where the page says what went wrong.
    again: (p, id, error, values, status) =>
      sessionPage(p, id, isManager(p) ? { editError: error, values } : { error: error.message }, status),
  });

  // Cancelling: a confirmation first, which says who will be told (the API tells them when it cancels).
  async function cancelPage(p: PageContext, id: string, error?: Problem, status = 200) {
    const session = await p.call('get', '/api/cip/sessions/:id', { params: { id } });
    const bookings = await p.call('get', '/api/cip/sessions/:id/bookings', { params: { id } });
    const told = bookings.items.filter((b: { status: string }) => b.status === 'booked' || b.status === 'waitlisted');
    await p.html(
      'session-cancel',
      p.t('workshops.cancelTitle', { title: session.title }),
      { session, told, started: new Date(session.startsAt) <= new Date(), error },
      { current: 'workshops', status },
    );
  }

  pages.get('/cip/workshops/sessions/:id/cancel', async (p) => {
    const id = String(p.req.params.id);
    if (!isManager(p)) {
      await p.call('get', '/api/cip/sessions/:id', { params: { id } });
      managersOnly(p);
    }
    await cancelPage(p, id);
  });
  pages.post('/cip/workshops/sessions/:id/cancel', async (p) => {
    const id = String(p.req.params.id);
    try {
      await p.call('patch', '/api/cip/sessions/:id', { params: { id }, body: { status: 'cancelled' } });
      p.redirect(`/cip/workshops/sessions/${id}?saved=cancelled`);
    } catch (err) {
      const error = problem(err, p);
      if (statusOf(err) === 404) throw err;
      await cancelPage(p, id, error, statusOf(err));
    }
  });
}
