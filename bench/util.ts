import os from 'node:os';
import { performance } from 'node:perf_hooks';

/** Small shared helpers of the benchmark: time, bounded pools, percentiles, formatting. */

export const now = (): number => performance.now();
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` over `items` with at most `concurrency` calls at once. Stops starting new calls at
 * `deadline` (a `now()` value) and then throws, so no setup step can run for ever.
 */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  deadline: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      if (now() > deadline) throw new Error(`gave up after the time limit (${i} of ${items.length} done)`);
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return out;
}

/** Resolves when `done()` holds, polling every `stepMs`; false when `timeoutMs` passed first. */
export async function waitFor(done: () => boolean, timeoutMs: number, stepMs = 5): Promise<boolean> {
  const end = now() + timeoutMs;
  while (!done()) {
    if (now() > end) return false;
    await sleep(stepMs);
  }
  return true;
}

export interface Summary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** Nearest-rank percentiles of the first `n` values (milliseconds in, milliseconds out). */
export function summarize(values: Float64Array | number[], n = values.length): Summary {
  if (n === 0) return { count: 0, p50: null, p95: null, p99: null, max: null, mean: null };
  const sorted = Float64Array.from(values.slice(0, n) as ArrayLike<number>).sort();
  const at = (q: number) => round(sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] ?? 0, 3);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i] ?? 0;
  return { count: n, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(sorted[n - 1] ?? 0, 3), mean: round(sum / n, 3) };
}

export const round = (v: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/** `12,345.6` style numbers; `n/a` for missing values. */
export function fmt(v: number | string | null | undefined, digits = 0): string {
  if (v === null || v === undefined) return 'n/a';
  if (typeof v === 'string') return v;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export interface Machine {
  cores: number;
  cpu: string;
  memoryMB: number;
  node: string;
  os: string;
  /** 1-minute load average when the figure was taken (other work on the machine skews results). */
  load1: number;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memoryMB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    load1: round(os.loadavg()[0] ?? 0, 2),
  };
}

/** Short random text safe for usernames (letters and digits). */
export const runKey = (): string => (Date.now() % 1e8).toString(36) + Math.random().toString(36).slice(2, 4);
