// Ateliers: the sessions of the last and next 14 days; a session's seats and waiting list (the
// people of one's scope), and once it has ended, who came (POST /api/cip/sessions/:id/attendance).
import { ApiError } from '../api/http';
import type { PageContext, Pages } from './index';

export function workshopPages(pages: Pages): void {
  pages.get('/cip/workshops', async (p) => {
    const sessions = await p.call('get', '/api/cip/sessions');
    await p.html('workshops', p.t('nav.workshops'), { sessions: sessions.items, now: new Date() }, { current: 'workshops' });
  });

  async function sessionPage(p: PageContext, id: string, extra: Record<string, unknown> = {}, status = 200) {
    const session = await p.call('get', '/api/cip/sessions/:id', { params: { id } });
    const bookings = await p.call('get', '/api/cip/sessions/:id/bookings', { params: { id } });
    const saved = (p.req.query as Record<string, string> | undefined)?.saved === '1';
    await p.html('session', `${session.title}`, { session, bookings: bookings.items, ended: new Date(session.endsAt) <= new Date(), saved, ...extra }, { current: 'workshops', status });
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
}
