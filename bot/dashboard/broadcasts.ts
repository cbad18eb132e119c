// Invitations: invite an audience (stage, language, age group, structure, or all the people of one's
// scope) to a workshop session to come, after a preview of the message as the people will get it in
// their language (the same rendering as the notification); the broadcasts sent, with their counts.
// The send is the API's POST /api/cip/broadcasts (its rules: consent, stop, quiet hours, the scope),
// with an idempotency key made with the form: a double click sends once.
import crypto from 'node:crypto';
import { ApiError } from '../api/http';
import { LANGUAGE_CODES, type LanguageCode } from '../i18n/languages';
import { renderNotification } from '../../cards/notifications';
import type { PageContext, Pages } from './pages';
import { STAGES } from './people';

const RTL = new Set(['ar', 'fa', 'ps']);

/** The form's audience as the API takes it: the filters chosen, or everyone in one's scope. */
function audienceOf(form: Record<string, string>) {
  const audience = {
    ...(form.stage && { stage: form.stage }),
    ...(form.language && { language: form.language }),
    ...(form.ageGroup && { ageGroup: form.ageGroup }),
    ...(form.structureId && { structureId: form.structureId }),
  };
  return Object.keys(audience).length ? audience : { all: true };
}

/** A broadcast is still on its way while invitations wait, or for 10 minutes after it was made. */
const moving = (r: { counts: { queued: number }; createdAt: Date | string }) =>
  r.counts.queued > 0 || Date.now() - new Date(r.createdAt).getTime() < 10 * 60_000;

export function broadcastPages(pages: Pages, timeZone: string): void {
  async function page(
    p: PageContext,
    values: Record<string, string>,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const today = new Date().toISOString().slice(0, 10);
    const [sessions, sent, structures] = await Promise.all([
      p.call('get', '/api/cip/sessions', {
        query: { from: today, to: new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10) },
      }),
      p.call('get', '/api/cip/broadcasts', { query: { limit: '50' } }),
      p.call('get', '/api/cip/structures', { query: { limit: '200' } }),
    ]);
    const upcoming = sessions.items.filter(
      (s: { status: string; startsAt: Date }) => s.status !== 'cancelled' && new Date(s.startsAt) > new Date(),
    );
    const chosen = upcoming.find((s: { id: number }) => String(s.id) === values.sessionId);
    // The preview: who would be invited (by language) and who left out (why), sending nothing.
    const counts =
      chosen && !extra.done
        ? await p
            .call('post', '/api/cip/broadcasts/preview', {
              body: { sessionId: chosen.id, audience: audienceOf(values) },
            })
            .catch((err: unknown) => {
              if (err instanceof ApiError && err.status < 500 && err.status !== 401)
                return { error: err.messageIn(p.language) };
              throw err;
            })
        : undefined;
    // The message in French, in the language chosen as a filter, and in each language of the people invited (most
    // people first).
    const audienceLanguages = Object.entries((counts?.byLanguage ?? {}) as Record<string, number>)
      .sort((a, b) => b[1] - a[1])
      .map(([l]) => l);
    const languages = ['fr', values.language ?? '', ...audienceLanguages].filter(
      (l, i, a) => a.indexOf(l) === i && (LANGUAGE_CODES as readonly string[]).includes(l),
    ) as LanguageCode[];
    const previews = chosen
      ? languages.map((lang) => ({
          lang,
          rtl: RTL.has(lang),
          text: String(
            renderNotification(
              {
                key: 'broadcasts.invitation',
                session: {
                  workshopCode: chosen.workshopCode,
                  title: chosen.title,
                  startsAt: new Date(chosen.startsAt).toISOString(),
                  endsAt: new Date(chosen.endsAt).toISOString(),
                  place: chosen.place,
                },
              },
              lang,
              timeZone,
            ).text ?? '',
          ),
        }))
      : [];
    const key = values.idempotencyKey || crypto.randomBytes(12).toString('base64url');
    await p.html(
      'broadcasts',
      p.t('nav.broadcasts'),
      {
        sessions: upcoming,
        sent: sent.items,
        structures: structures.items,
        values: { ...values, idempotencyKey: key },
        previews,
        counts,
        STAGES,
        LANGUAGES: LANGUAGE_CODES,
        ...extra,
      },
      { current: 'broadcasts', status },
    );
  }

  pages.get('/cip/broadcasts', async (p) => page(p, (p.req.query ?? {}) as Record<string, string>));

  pages.post('/cip/broadcasts', async (p) => {
    const form = await p.form();
    const body = { sessionId: form.sessionId, audience: audienceOf(form), idempotencyKey: form.idempotencyKey ?? '' };
    try {
      const r = await p.call('post', '/api/cip/broadcasts', { body });
      await page(p, {}, { done: r });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401 || err.status >= 500) throw err;
      await page(p, form, { error: err.messageIn(p.language) }, err.status);
    }
  });

  // A broadcast's page: its counts (queued -> sent -> delivered -> read; accepted, waitlisted,
  // declined; skipped and why), refreshed by htmx while it moves, and its recipients.
  async function report(p: PageContext, fragment: boolean) {
    const id = String(p.req.params.id);
    const r = await p.call('get', '/api/cip/broadcasts/:id', { params: { id }, query: { limit: '200' } });
    const session = await p
      .call('get', '/api/cip/sessions/:id', { params: { id: String(r.sessionId) } })
      .catch(() => undefined);
    await p.html(
      fragment ? 'broadcast-counts' : 'broadcast',
      p.t('broadcasts.title', { id }),
      { r, session, moving: moving(r) },
      { current: 'broadcasts', fragment },
    );
  }
  pages.get('/cip/broadcasts/:id', async (p) => report(p, false));
  pages.get('/cip/broadcasts/:id/counts', async (p) => report(p, true));
}
