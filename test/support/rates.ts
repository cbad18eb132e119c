// Counting events in time, for the tests of a send rate.

/** The most times in any window of `ms` (a sliding window). */
export function peak(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** How many times fall in each second of the clock (epoch ms), by second. */
export function perSecond(times: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const t of times) counts.set(Math.floor(t / 1000), (counts.get(Math.floor(t / 1000)) ?? 0) + 1);
  return counts;
}

/** The most times in any one second of the clock. */
export function busiestSecond(times: number[]): number {
  return Math.max(0, ...perSecond(times).values());
}
