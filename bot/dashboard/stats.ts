// Statistiques: the figures of GET /api/cip/stats for a period (tables first: they are what screen
// readers and the printed report read), two charts drawn by Chart.js from the same figures
// (public/stats.js reads them from a JSON data block: no inline script), "Imprimer le bilan", and
// the CSV exports (/cip/exports/<name>.csv: the API's export route with the cookie's token).
import type { Pages } from './index';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function statsPages(pages: Pages): void {
  pages.get('/cip/stats', async (p) => {
    const q = (p.req.query ?? {}) as Record<string, string>;
    const query = { ...(DAY.test(q.from ?? '') && { from: q.from }), ...(DAY.test(q.to ?? '') && { to: q.to }) };
    const stats = await p.call('get', '/api/cip/stats', { query });
    const percent = (r: number | null) => (r === null ? '–' : `${Math.round(r * 100)}\u00a0%`);
    const chartData = {
      stages: stats.caseload.byStage.map((r: { key: string; active: number }) => ({ label: p.t(`stages.${r.key}`), value: r.active })),
      outcomes: Object.entries(stats.exits.byOutcome as Record<string, number>).map(([k, v]) => ({ label: p.t(`exits.${k}`), value: v })),
      labels: { active: p.t('stats.active'), exits: p.t('stats.exits') },
    };
    const exportQuery = new URLSearchParams(query as Record<string, string>).toString();
    await p.html('stats', p.t('nav.stats'), { stats, query, percent, chartData: JSON.stringify(chartData), exportQuery }, { current: 'stats' });
  });
}
