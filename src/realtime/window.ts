/** A fixed one-minute window of counted events. */
export interface Window {
  count: number;
  resetAt: number;
}

export const MINUTE_MS = 60_000;

/** Counts one more event for `key` in its current window (a new window when the last one ended); returns the count. */
export function countInWindow<K>(
  windows: { get(key: K): Window | undefined; set(key: K, w: Window): unknown },
  key: K,
  now: number,
): number {
  const w = windows.get(key);
  if (!w || w.resetAt <= now) {
    windows.set(key, { count: 1, resetAt: now + MINUTE_MS });
    return 1;
  }
  return ++w.count;
}
