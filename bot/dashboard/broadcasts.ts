// Invitations: invite an audience (stage, language, age group, structure, or all the people of one's
// scope) to a workshop session to come, after a preview of the message as the people will get it in
// their language (the same rendering as the notification); the broadcasts sent, with their counts.
// The send is the API's POST /api/cip/broadcasts (its rules: consent, stop, quiet hours, the scope),
// with an idempotency key made with the form: a double click sends once.
import crypto from 'node:crypto';
import { ApiError } from '../api/http';
import { LANGUAGE_CODES, type LanguageCode } from '../languages';
import { renderNotification } from '../../cards/notifications';
import type { PageContext, Pages } from './index';
import { STAGES } from './people';

const RTL = new Set(['ar', 'fa', 'ps']);

export function broadcastPages(pages: Pages, timeZone: string): void {
  async function page(p: PageContext, values: Record<string, string>, extra: Record<string, unknown> = {}, status = 200) {
    const today = new Date().toISOString().slice(0, 10);
    const [sessions, sent, structures] = await Promise.all([
      p.call('get', '/api/cip/sessions', { query: { from: today, to: new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10) } }),
      p.call('get', '/api/cip/broadcasts', { query: { limit: '50' } }),
      p.call('get', '/api/cip/structures', { query: { limit: '200' } }),
    ]);
    const upcoming = sessions.items.filter((s: { status: string; startsAt: Date }) => s.status !== 'cancelled' && new Date(s.startsAt) > new Date());
    const chosen = upcoming.find((s: { id: number }) => String(s.id) === values.sessionId);
    const languages: LanguageCode[] = values.language && (LANGUAGE_CODES as readonly string[]).includes(values.language) ? (['fr', values.language as LanguageCode].filter((l, i, a) => a.indexOf(l) === i) as LanguageCode[]) : ['fr'];
    const previews = chosen
      ? languages.map((lang) => ({
          lang,
          rtl: RTL.has(lang),
          text: String(renderNotification({ key: 'broadcasts.invitation', session: { workshopCode: chosen.workshopCode, title: chosen.title, startsAt: new Date(chosen.startsAt).toISOString(), endsAt: new Date(chosen.endsAt).toISOString(), place: chosen.place } }, lang, timeZone).text ?? ''),
        }))
      : [];
    const key = values.idempotencyKey || crypto.randomBytes(12).toString('base64url');
    await p.html('broadcasts', p.t('nav.broadcasts'), { sessions: upcoming, sent: sent.items, structures: structures.items, values: { ...values, idempotencyKey: key }, previews, STAGES, LANGUAGES: LANGUAGE_CODES, ...extra }, { current: 'broadcasts', status });
  }

  pages.get('/cip/broadcasts', async (p) => page(p, (p.req.query ?? {}) as Record<string, string>));

  pages.post('/cip/broadcasts', async (p) => {
    const form = await p.form();
    const audience = {
      ...(form.stage && { stage: form.stage }),
      ...(form.language && { language: form.language }),
      ...(form.ageGroup && { ageGroup: form.ageGroup }),
      ...(form.structureId && { structureId: form.structureId }),
    };
    const body = { sessionId: form.sessionId, audience: Object.keys(audience).length ? audience : { all: true }, idempotencyKey: form.idempotencyKey ?? '' };
    try {
      const r = await p.call('post', '/api/cip/broadcasts', { body });
      await page(p, {}, { done: r });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401 || err.status >= 500) throw err;
      await page(p, form, { error: err.messageIn(p.language) }, err.status);
    }
  });
}
