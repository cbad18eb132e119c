// Structures: the list with their occupancy today (people placed / seats; an SIAE holds 2 when not
// set) and over the next 8 weeks, filtered by kind; a structure's page with its occupancy week by
// week and its contacts (reading them is audited by the API). Coordinators and admins add and change
// structures; any member of staff adds and changes contacts, but only coordinators and admins are
// offered a contact's phone number (the API refuses it to a CIP: the bot knows employers by it).
import { apiError } from '../api/http';
import { contactRole } from '../api/contacts';
import { structureKind } from '../api/structures';
import { LANGUAGE_CODES } from '../i18n/languages';
import { isManager, pageForm, problem, recordForms, statusOf, type Problem } from './forms';
import type { PageContext, Pages } from './pages';

const KINDS = structureKind.options;
const ROLES = contactRole.options;
const WEEKS = 8;
/** An SIAE takes 2 refugees at a time unless its capacity says otherwise (the placement rules). */
const seats = (s: { kind: string; capacity: number | null }) => s.capacity ?? (s.kind === 'siae' ? 2 : null);

/** A form's text: trimmed; empty is left out of a new record and null in a change. */
const optional = (form: Record<string, string>, key: string, creating: boolean) => {
  const v = (form[key] ?? '').trim();
  return v ? v : creating ? undefined : null;
};

function structureBody(form: Record<string, string>, creating: boolean) {
  const capacity = (form.capacity ?? '').trim();
  return {
    name: (form.name ?? '').trim(),
    kind: form.kind,
    sector: optional(form, 'sector', creating),
    address: optional(form, 'address', creating),
    city: optional(form, 'city', creating),
    capacity: capacity ? Number(capacity) : creating ? undefined : null,
    ...(!creating && { active: form.active === 'on' }),
  };
}

/**
 * The phone only when the form offered it (coordinators and admins); a CIP's form has none, so their change keeps it.
 */
function contactBody(form: Record<string, string>, creating: boolean) {
  return {
    firstName: (form.firstName ?? '').trim(),
    lastName: optional(form, 'lastName', creating),
    ...('phone' in form && { phone: optional(form, 'phone', creating) }),
    language: form.language || undefined,
    role: form.role || undefined,
    ...(!creating && { active: form.active === 'on' }),
  };
}

export function structurePages(pages: Pages): void {
  pages.get('/cip/structures', async (p) => {
    const q = (p.req.query ?? {}) as Record<string, string>;
    const kind = (KINDS as readonly string[]).includes(q.kind) ? q.kind : undefined;
    const result = await p.call('get', '/api/cip/structures', {
      query: { limit: '500', occupancyWeeks: String(WEEKS), ...(kind && { kind }) },
    });
    const items = result.items.map((s: { kind: string; capacity: number | null; currentPlacements: number }) => ({
      ...s,
      seats: seats(s),
    }));
    await p.html(
      'structures',
      p.t('nav.structures'),
      { items, kind, KINDS, manager: isManager(p), saved: q.saved === '1' },
      { current: 'structures' },
    );
  });

  // A structure: new, or changed (coordinators and admins).
  recordForms<{ id: number; name: string; capacity: number | null; active: boolean }>(pages, {
    page: '/cip/structures',
    api: '/api/cip/structures',
    view: 'structure-form',
    nav: 'structures',
    name: 'structure',
    title: (p, s) => (s ? p.t('structures.editTitle', { name: s.name }) : p.t('structures.new')),
    data: { KINDS },
    blank: { kind: 'siae' },
    values: (s) => ({ ...s, capacity: s.capacity ?? '', active: s.active ? 'on' : '' }),
    body: structureBody,
    saved: (id) => `/cip/structures/${id}?saved=structure`,
  });

  // A structure's page: occupancy week by week, contacts, a new contact.
  async function structurePage(p: PageContext, id: string, extra: Record<string, unknown> = {}, status = 200) {
    const s = await p.call('get', '/api/cip/structures/:id', { params: { id } });
    const occupancy = await p.call('get', '/api/cip/structures/:id/occupancy', {
      params: { id },
      query: { weeks: String(WEEKS) },
    });
    const saved = (p.req.query as Record<string, string> | undefined)?.saved;
    await p.html(
      'structure',
      s.name,
      {
        s: { ...s, seats: seats(s) },
        occupancy,
        manager: isManager(p),
        ROLES,
        LANGUAGES: LANGUAGE_CODES,
        saved,
        values: { language: 'fr', role: 'supervisor' },
        ...extra,
      },
      { current: 'structures', status },
    );
  }

  pages.get('/cip/structures/:id', async (p) => structurePage(p, String(p.req.params.id)));

  pageForm(pages, {
    path: '/cip/structures/:id/contacts',
    run: (p, id, form) =>
      p.call('post', '/api/cip/structures/:id/contacts', { params: { id }, body: contactBody(form, true) }),
    saved: (id) => `/cip/structures/${id}?saved=contact`,
    again: (p, id, contactError, values, status) => structurePage(p, id, { contactError, values }, status),
  });

  // A contact, changed: its structure's page read (the API audits it), then the contact's form.
  async function contactForm(
    p: PageContext,
    id: string,
    contactId: string,
    values?: Record<string, unknown>,
    error?: Problem,
    status = 200,
  ) {
    const s = await p.call('get', '/api/cip/structures/:id', { params: { id } });
    const contact = s.contacts.find((c: { id: number }) => String(c.id) === contactId);
    if (!contact) throw apiError(404, 'NotFound', 'notFound.Contact');
    const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
    await p.html(
      'structure-contact',
      p.t('structures.editContact', { name }),
      {
        s,
        contact,
        values: values ?? { ...contact, active: contact.active ? 'on' : '' },
        manager: isManager(p),
        ROLES,
        LANGUAGES: LANGUAGE_CODES,
        error,
      },
      { current: 'structures', status },
    );
  }

  pages.get('/cip/structures/:id/contacts/:contactId', async (p) =>
    contactForm(p, String(p.req.params.id), String(p.req.params.contactId)),
  );
  pages.post('/cip/structures/:id/contacts/:contactId', async (p) => {
    const [id, contactId] = [String(p.req.params.id), String(p.req.params.contactId)];
    const form = await p.form();
    try {
      const updated = await p.call('patch', '/api/cip/contacts/:id', {
        params: { id: contactId },
        body: contactBody(form, false),
      });
      p.redirect(`/cip/structures/${updated.structureId}?saved=contact`);
    } catch (err) {
      const error = problem(err, p);
      if (statusOf(err) === 404) throw err;
      await contactForm(p, id, contactId, form, error, statusOf(err));
    }
  });
}
