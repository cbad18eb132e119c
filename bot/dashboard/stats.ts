// Statistiques: the figures of GET /api/cip/stats for a period (tables first: they are what screen
// readers and the printed report read), two charts drawn by Chart.js from the same figures
// (public/stats.js reads them from a JSON data block: no inline script), "Imprimer le bilan", and
// the CSV exports (/cip/exports/<name>.csv: the API's export route with the cookie's token).
import type { Pages } from './pages';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function statsPages(pages: Pages): void {
  pages.get('/cip/stats', async (p) => {
    const q = (p.req.query ?? {}) as Record<string, string>;
    const ID = /^\d{1,9}$/;
    const query = {
      ...(DAY.test(q.from ?? '') && { from: q.from }),
      ...(DAY.test(q.to ?? '') && { to: q.to }),
      // one CIP's people (a CIP sees only their own: no choice), or the people placed at one structure
      ...(p.me.role !== 'cip' && ID.test(q.cipId ?? '') && { cipId: q.cipId }),
      ...(ID.test(q.structureId ?? '') && { structureId: q.structureId }),
    };
    const [stats, staff, structures] = await Promise.all([
      p.call('get', '/api/cip/stats', { query }),
      p.me.role === 'cip' ? { items: [] } : p.call('get', '/api/cip/staff'),
      p.call('get', '/api/cip/structures', { query: { limit: '500' } }),
    ]);
    const cips = staff.items.filter((m: { role: string }) => m.role === 'cip');
    const percent = (r: number | null) => (r === null ? '–' : `${Math.round(r * 100)}\u00a0%`);
    const chartData = {
      stages: stats.caseload.byStage.map((r: { key: string; active: number }) => ({
        label: p.t(`stages.${r.key}`),
        value: r.active,
      })),
      outcomes: Object.entries(stats.exits.byOutcome as Record<string, number>).map(([k, v]) => ({
        label: p.t(`exits.${k}`),
        value: v,
      })),
      labels: { active: p.t('stats.active'), exits: p.t('stats.exits') },
    };
    const exportQuery = new URLSearchParams(query as Record<string, string>).toString();
    await p.html(
      'stats',
      p.t('nav.stats'),
      { stats, query, percent, chartData: JSON.stringify(chartData), exportQuery, cips, structures: structures.items },
      { current: 'stats' },
    );
  });
}
