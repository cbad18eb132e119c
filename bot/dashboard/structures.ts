// Structures: the list with their occupancy today (people placed / capacity; an SIAE holds 2 when
// not set), filtered by kind; a structure's page with its contacts (reading them is audited by the API).
import type { Pages } from './index';

const KINDS = ['siae', 'company', 'training', 'mission_locale'];
/** An SIAE takes 2 refugees at a time unless its capacity says otherwise (the placement rules). */
const seats = (s: { kind: string; capacity: number | null }) => s.capacity ?? (s.kind === 'siae' ? 2 : null);

export function structurePages(pages: Pages): void {
  pages.get('/cip/structures', async (p) => {
    const q = (p.req.query ?? {}) as Record<string, string>;
    const kind = KINDS.includes(q.kind) ? q.kind : undefined;
    const result = await p.call('get', '/api/cip/structures', { query: { limit: '500', ...(kind && { kind }) } });
    const items = result.items.map((s: { kind: string; capacity: number | null; currentPlacements: number }) => ({ ...s, seats: seats(s) }));
    await p.html('structures', p.t('nav.structures'), { items, kind, KINDS }, { current: 'structures' });
  });

  pages.get('/cip/structures/:id', async (p) => {
    const s = await p.call('get', '/api/cip/structures/:id', { params: { id: String(p.req.params.id) } });
    await p.html('structure', s.name, { s: { ...s, seats: seats(s) } }, { current: 'structures' });
  });
}
