// Alertes and Problèmes: lists with filters, acknowledging an alert, a blocker's status with a
// note. With htmx the row is swapped in place and the navigation's count refreshed (HX-Trigger);
// without it, the form posts and the page comes back.
import { ApiError } from '../api/http';
import type { Pages } from './pages';

const BLOCKER_STATUSES = ['open', 'in_progress', 'resolved'];

export function alertPages(pages: Pages): void {
  pages.get('/cip/alerts', async (p) => {
    const q = (p.req.query ?? {}) as Record<string, string>;
    const acknowledged = q.acknowledged === 'true';
    const result = await p.call('get', '/api/cip/alerts', {
      query: { acknowledged: String(acknowledged), limit: '100' },
    });
    const type = typeof q.type === 'string' && /^[a-z_]{1,60}$/.test(q.type) ? q.type : undefined;
    const items = type ? result.items.filter((a: { type: string }) => a.type === type) : result.items;
    const types = [...new Set<string>(result.items.map((a: { type: string }) => a.type))].sort();
    await p.html(
      'alerts',
      p.t('nav.alerts'),
      { items, total: result.total, acknowledged, type, types },
      { current: 'alerts' },
    );
  });

  pages.get('/cip/alerts/count', async (p) => {
    const result = await p.call('get', '/api/cip/alerts', { query: { limit: '1' } });
    p.res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    p.res.end(String(result.total));
  });

  pages.post('/cip/alerts/:id/acknowledge', async (p) => {
    const alert = await p.call('post', '/api/cip/alerts/:id/acknowledge', { params: { id: String(p.req.params.id) } });
    if (!p.htmx) return p.redirect('/cip/alerts');
    p.res.setHeader('HX-Trigger', 'alertsChanged');
    await p.html('alert-row', '', { a: alert }, { fragment: true });
  });

  pages.get('/cip/blockers', async (p) => {
    const q = (p.req.query ?? {}) as Record<string, string>;
    const status = BLOCKER_STATUSES.includes(q.status) ? q.status : undefined;
    const result = await p.call('get', '/api/cip/blockers', { query: { limit: '100', ...(status && { status }) } });
    await p.html(
      'blockers',
      p.t('nav.blockers'),
      { items: result.items, total: result.total, status, BLOCKER_STATUSES },
      { current: 'blockers' },
    );
  });

  pages.post('/cip/blockers/:id', async (p) => {
    const form = await p.form();
    const id = String(p.req.params.id);
    try {
      await p.call('patch', '/api/cip/blockers/:id', {
        params: { id },
        body: { status: form.status, note: form.note ?? '' },
      });
      p.redirect('/cip/blockers');
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 400) throw err;
      const result = await p.call('get', '/api/cip/blockers', { query: { limit: '100' } });
      await p.html(
        'blockers',
        p.t('nav.blockers'),
        {
          items: result.items,
          total: result.total,
          BLOCKER_STATUSES,
          error: { id: Number(id), message: p.t('blockers.noteNeeded') },
        },
        { current: 'blockers', status: 400 },
      );
    }
  });
}
