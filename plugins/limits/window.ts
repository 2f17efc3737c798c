/**
 * Window arithmetic for rate limits, pure so it can be tested without a
 * clock. A window is `windowMs` long and numbered from the epoch, so every
 * instance that shares a store agrees on which window a moment falls in.
 */

/** `fixed`: the count of the current window. `sliding`: the previous window's count, weighted by how much of it still overlaps the last `windowMs`, plus the current one's. */
export type WindowKind = 'fixed' | 'sliding';

/** What the store holds for one caller and one limit. */
export interface WindowCounts {
  current: number;
  previous: number;
}

/** The number of the window `now` falls in. */
export function windowIndex(now: number, windowMs: number): number {
  return Math.floor(now / windowMs);
}

/** The count the limit is compared with at `now`. */
export function estimate(kind: WindowKind, counts: WindowCounts, now: number, windowMs: number): number {
  if (kind === 'fixed') return counts.current;
  const elapsed = (now % windowMs) / windowMs;
  return counts.previous * (1 - elapsed) + counts.current;
}

/** Whether one more unit fits under `limit`. */
export function admits(kind: WindowKind, counts: WindowCounts, now: number, windowMs: number, limit: number): boolean {
  return estimate(kind, counts, now, windowMs) + 1 <= limit;
}

/**
 * Milliseconds until one more unit fits under `limit`, if nothing else is
 * counted meanwhile: what `retry-after` says. Zero when it fits now.
 */
export function waitMs(kind: WindowKind, counts: WindowCounts, now: number, windowMs: number, limit: number): number {
  const elapsed = now % windowMs;
  const left = windowMs - elapsed;
  if (kind === 'fixed') return counts.current + 1 <= limit ? 0 : left;
  const room = limit - 1;
  if (counts.current <= room) {
    // Within this window: the previous window's weight has to fall to what is left.
    if (counts.previous === 0) return 0;
    return Math.max(0, Math.ceil(windowMs * (1 - (room - counts.current) / counts.previous) - elapsed));
  }
  // Only after this window ends, when its count becomes the previous one and starts to fade.
  return left + Math.max(0, Math.ceil(windowMs * (1 - room / counts.current)));
}
