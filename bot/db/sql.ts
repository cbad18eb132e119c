// Tiny helpers for the few raw statements of the hot path, written once for both providers.
import type { Provider } from './migrate';

/** The provider's placeholder for the n-th parameter (1-based). */
export function placeholder(provider: Provider, n: number): string {
  return provider === 'postgresql' ? `$${n}` : '?';
}

/** "(p1, p2, ...), (...)" for `rows` rows of `width` parameters, numbered from `start`. */
export function valuesList(provider: Provider, rows: number, width: number, start = 1): string {
  const out: string[] = [];
  let n = start;
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < width; c++) cells.push(placeholder(provider, n++));
    out.push(`(${cells.join(', ')})`);
  }
  return out.join(', ');
}

/** "p1, p2, ..." for an IN list. */
export function inList(provider: Provider, count: number, start = 1): string {
  return Array.from({ length: count }, (_, i) => placeholder(provider, start + i)).join(', ');
}
