// Personnes: the list (search, filters, pages: the API pages on the server), a new person with
// consent at intake, and a person's page with its actions (validate, profile, placement, exit,
// archive, erase). Each is a call of the API's route: its scope, rules and audit.
import { ApiError, notFound } from '../api/http';
import { activityContent } from '../api/messages';
import { EXIT_DETAILS } from '../services/exits';
import { PLACEMENT_KINDS as PLACEMENT_KINDS_ALL } from '../services/placements';
import { PAPERS } from '../services/cipMessages';
import { textOf } from '../i18n/translator';
import { pageForm, problem } from './forms';
import type { PageContext, Pages } from './pages';

const PAGE_SIZE = 25;
export const STAGES = ['diagnostic', 'sas_iae', 'siae', 'immersion', 'training', 'employment', 'exited'];
const STATUSES = ['pending', 'active', 'archived', 'erased'];
const SORTS = ['id', 'name', 'entry', 'stage'];
const LANGUAGES = ['fr', 'en', 'ar', 'fa', 'ps', 'ti', 'ru', 'uk'];
const PLACEMENT_KINDS = [...PLACEMENT_KINDS_ALL];
const PROFILE = [
  'firstName',
  'lastName',
  'phone',
  'language',
  'birthYear',
  'protectionStatus',
  'frenchLevel',
  'reads',
  'voiceMode',
  'stage',
  'entryDate',
] as const;

/** A form's profile fields as the API's body: empty means null (or left out when required). */
function profileBody(form: Record<string, string>, creating: boolean) {
  const body: Record<string, unknown> = {};
  for (const k of PROFILE) {
    if (!(k in form)) continue;
    const v = form[k].trim();
    if (k === 'birthYear') body[k] = v ? Number(v) : null;
    else if (k === 'firstName' || k === 'language' || k === 'stage' || k === 'entryDate') {
      if (v) body[k] = v;
    } else body[k] = v || (creating ? undefined : null);
  }
  if (creating) body.consent = form.consent === 'on';
  return body;
}

/** The API's body of the "write" form: the chosen message and its own fields only. */
function writeBody(form: Record<string, string>): Record<string, unknown> {
  switch (form.template) {
    case 'comeToOffice':
      return { template: form.template, day: form.officeDay ?? '', time: form.officeTime ?? '' };
    case 'bringPapers':
      return { template: form.template, papers: PAPERS.filter((k) => form[`paper-${k}`] === 'on') };
    case 'callMe':
      return { template: form.template, phone: form.phone ?? '' };
    case 'willCall':
      return { template: form.template, day: form.callDay ?? '' };
    case 'free':
      return { template: form.template, text: form.text ?? '' };
    default:
      return { template: form.template ?? 'received' };
  }
}

/** The papers' names in the staff member's language (the person gets them in theirs). */
const paperLabel = (p: PageContext) => {
  return (paper: string) => textOf(p.language, `cipMessages.papers.${paper}`);
};

export function personRoutes(pages: Pages): void {
  pages.get('/cip/people', async (p) => {
    const q = (p.req.query ?? {}) as Record<string, string>;
    const pageNo = Math.max(1, Number(q.page) || 1);
    const filters = {
      q: q.q?.trim() || undefined,
      stage: STAGES.includes(q.stage) ? q.stage : undefined,
      status: STATUSES.includes(q.status) ? q.status : undefined,
      language: LANGUAGES.includes(q.language) ? q.language : undefined,
      scope: ['mine', 'unassigned'].includes(q.scope) ? q.scope : 'all',
      cipId: /^\d{1,9}$/.test(q.cipId ?? '') ? q.cipId : undefined,
      structureId: /^\d{1,9}$/.test(q.structureId ?? '') ? q.structureId : undefined,
      sort: SORTS.includes(q.sort) ? q.sort : undefined,
    };
    const [staff, structures] = await Promise.all([
      p.call('get', '/api/cip/staff'),
      p.call('get', '/api/cip/structures', { query: { limit: '200' } }),
    ]);
    const result = await p.call('get', '/api/cip/beneficiaries', {
      query: {
        ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)),
        limit: String(PAGE_SIZE),
        offset: String((pageNo - 1) * PAGE_SIZE),
      },
    });
    const pagesCount = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    const given = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined));
    const link = (n: number) =>
      `/cip/people?${new URLSearchParams({ ...(given as Record<string, string>), page: String(n) })}`;
    await p.html(
      'people',
      p.t('nav.people'),
      {
        result,
        filters,
        pageNo,
        pagesCount,
        link,
        STAGES,
        STATUSES,
        LANGUAGES,
        SORTS,
        cips: staff.items.filter((m: { role: string }) => m.role === 'cip'),
        structures: structures.items,
      },
      { current: 'people' },
    );
  });

  const newForm = (
    p: PageContext,
    values: Record<string, string>,
    error?: { message: string; fields: { path: string; message: string }[] },
    status = 200,
  ) => p.html('person-new', p.t('people.new'), { values, error, STAGES, LANGUAGES }, { current: 'people', status });

  pages.get('/cip/people/new', async (p) => newForm(p, {}));
  pages.post('/cip/people/new', async (p) => {
    const form = await p.form();
    try {
      const created = await p.call('post', '/api/cip/beneficiaries', { body: profileBody(form, true) });
      p.redirect(`/cip/people/${created.id}`);
    } catch (err) {
      await newForm(p, form, problem(err, p), (err as ApiError).status);
    }
  });

  async function personPage(p: PageContext, id: string, extra: Record<string, unknown> = {}, status = 200) {
    const params = { id };
    const q = (p.req.query ?? {}) as Record<string, string>;
    const type = typeof q.type === 'string' && /^[a-z_]{1,60}$/.test(q.type) ? q.type : undefined;
    const person = await p.call('get', '/api/cip/beneficiaries/:id', { params });
    const [timeline, placements, shifts, blockers, alerts, toCip, bookings, checkIns] = await Promise.all([
      p.call('get', '/api/cip/beneficiaries/:id/timeline', { params, query: { limit: '100', ...(type && { type }) } }),
      p.call('get', '/api/cip/beneficiaries/:id/placements', { params }),
      p.call('get', '/api/cip/beneficiaries/:id/shifts', { params }),
      p.call('get', '/api/cip/blockers', { query: { beneficiaryId: id, limit: '50' } }),
      p.call('get', '/api/cip/alerts', { query: { beneficiaryId: id, limit: '50' } }),
      p.call('get', '/api/cip/beneficiaries/:id/timeline', { params, query: { limit: '20', type: 'message_to_cip' } }),
      p.call('get', '/api/cip/beneficiaries/:id/bookings', { params }),
      p.call('get', '/api/cip/beneficiaries/:id/checkins', { params }),
    ]);
    const messages = toCip.items.map((e: { id: number; createdAt: Date; payload: unknown }) => ({
      id: e.id,
      createdAt: e.createdAt,
      ...activityContent(e.payload),
    }));
    const today = new Date().toISOString().slice(0, 10);
    const inTwoMonths = new Date(Date.now() + 61 * 24 * 3600_000).toISOString().slice(0, 10);
    const [structures, staff, sent, sessions] = await Promise.all([
      p.call('get', '/api/cip/structures', { query: { limit: '200' } }),
      p.call('get', '/api/cip/staff'),
      p.call('get', '/api/cip/beneficiaries/:id/staff-messages', { params }),
      p.call('get', '/api/cip/sessions', { query: { from: today, to: inTwoMonths } }),
    ]);
    // The sessions one may book the person into: still to come, not cancelled.
    const upcoming = sessions.items.filter(
      (x: { status: string; startsAt: Date }) => x.status !== 'cancelled' && new Date(x.startsAt) > new Date(),
    );
    const types: string[] = [...new Set<string>([...timeline.items.map((e: { type: string }) => e.type)])].sort();
    await p.html(
      'person',
      [person.firstName, person.lastName].filter(Boolean).join(' ') || `#${person.id}`,
      {
        person,
        timeline,
        placements,
        shifts,
        blockers,
        alerts,
        messages,
        bookings,
        checkIns,
        structures: structures.items,
        cips: staff.items.filter((m: { role: string }) => m.role === 'cip'),
        type,
        types,
        STAGES,
        LANGUAGES,
        PLACEMENT_KINDS,
        EXIT_DETAILS,
        sent,
        PAPERS,
        paperLabel: paperLabel(p),
        written: q.written === '1',
        upcoming,
        ...extra,
      },
      { current: 'people', status },
    );
  }

  pages.get('/cip/people/:id', async (p) => personPage(p, String(p.req.params.id)));

  // The conversation log, behind a click: its reading is audited by the API.
  pages.get('/cip/people/:id/conversation', async (p) => {
    const params = { id: String(p.req.params.id) };
    const person = await p.call('get', '/api/cip/beneficiaries/:id', { params });
    const log = await p.call('get', '/api/cip/beneficiaries/:id/messages', { params, query: { limit: '200' } });
    await p.html(
      'conversation',
      p.t('person.conversationOf', {
        name: [person.firstName, person.lastName].filter(Boolean).join(' ') || `#${person.id}`,
      }),
      { person, log },
      { current: 'people' },
    );
  });

  /** A form of the person's page: the API call, then back to the page (or the page with the refusal's sentence). */
  const action = (
    suffix: string,
    run: (p: PageContext, id: string, form: Record<string, string>) => Promise<unknown>,
  ) =>
    pageForm(pages, {
      path: `/cip/people/:id${suffix}`,
      run,
      saved: (id) => `/cip/people/${id}`,
      again: (p, id, error, values, status) =>
        personPage(p, id, { error, errorAt: suffix || '/profile', values }, status),
    });

  action('', (p, id, form) =>
    p.call('patch', '/api/cip/beneficiaries/:id', { params: { id }, body: profileBody(form, false) }),
  );
  action('/validate', (p, id, form) =>
    p.call('post', '/api/cip/beneficiaries/:id/validate', {
      params: { id },
      body: form.cipId ? { cipId: form.cipId } : {},
    }),
  );
  action('/assign', (p, id, form) =>
    p.call('patch', '/api/cip/beneficiaries/:id', {
      params: { id },
      body: { cipId: form.cipId ? Number(form.cipId) : null },
    }),
  );
  action('/archive', (p, id, form) =>
    p.call('post', '/api/cip/beneficiaries/:id/archive', {
      params: { id },
      body: form.reason ? { reason: form.reason } : {},
    }),
  );
  action('/exit', (p, id, form) => {
    const [outcome, detail] = String(form.outcome ?? '').split(':');
    return p.call('post', '/api/cip/beneficiaries/:id/exit', {
      params: { id },
      body: { date: form.date, outcome, detail, ...(form.note ? { note: form.note } : {}) },
    });
  });
  // Écrire à la personne: a preview (the page again, with the message in both languages), or the send.
  pages.post('/cip/people/:id/write', async (p) => {
    const id = String(p.req.params.id);
    const form = await p.form();
    const body = writeBody(form);
    try {
      if (form.do === 'preview') {
        const preview = await p.call('post', '/api/cip/beneficiaries/:id/messages/preview', { params: { id }, body });
        return await personPage(p, id, { preview, writeValues: form });
      }
      await p.call('post', '/api/cip/beneficiaries/:id/messages', { params: { id }, body });
      p.redirect(`/cip/people/${id}?written=1#write`);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 404 || err.status >= 500 || err.status === 401) throw err;
      const fields = [...new Set((err.fields ?? []).map((f) => f.path.split('.')[0] || 'template'))].map((f) =>
        p.t(`write.fix.${f}`, { defaultValue: p.t('write.fix.template') }),
      );
      await personPage(
        p,
        id,
        { writeError: { message: err.messageIn(p.language), fields }, writeValues: form },
        err.status,
      );
    }
  });

  // The sent messages' states, for htmx's refresh.
  pages.get('/cip/people/:id/staff-messages', async (p) => {
    const params = { id: String(p.req.params.id) };
    const sent = await p.call('get', '/api/cip/beneficiaries/:id/staff-messages', { params });
    await p.html('person-sent', '', { sent, person: { id: params.id } }, { fragment: true });
  });

  action('/book', (p, id, form) =>
    p.call('post', '/api/cip/sessions/:id/bookings', {
      params: { id: form.sessionId ?? '' },
      body: { beneficiaryId: Number(id) },
    }),
  );
  action('/cancel-booking', async (p, id, form) => {
    // Only a booking of this person, from this person's page.
    const own = await p.call('get', '/api/cip/beneficiaries/:id/bookings', { params: { id } });
    if (!own.items.some((x: { id: number }) => String(x.id) === form.bookingId)) throw notFound('Booking');
    return p.call('del', '/api/cip/bookings/:id', { params: { id: form.bookingId } });
  });
  action('/erase', (p, id, form) =>
    p.call('post', '/api/cip/beneficiaries/:id/erase', { params: { id }, body: { reason: form.reason ?? '' } }),
  );
  action('/placements', (p, id, form) =>
    p.call('post', '/api/cip/placements', {
      body: {
        beneficiaryId: id,
        structureId: form.structureId,
        kind: form.kind,
        startDate: form.startDate,
        endDate: form.endDate,
      },
    }),
  );
}
