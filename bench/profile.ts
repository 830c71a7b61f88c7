import fs from 'node:fs';
import path from 'node:path';

/**
 * `tsx bench/profile.ts file.cpuprofile [top]`: top self-time functions and packages of a V8 CPU
 * profile (as written by `node --cpu-prof`), in percent of the busy (non-idle) time.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Line {
  name: string;
  where: string;
  ms: number;
  pct: number;
}

/** Where a frame's code lives: a package, a file of src/, node internals or a V8 pseudo-frame. */
export function origin(url: string): string {
  if (url === '') return 'v8';
  if (url.startsWith('node:')) return 'node internals';
  const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1] as string;
  const src = /\/(src|bench|test)\/(.*)$/.exec(url);
  return src ? `${src[1]}/${src[2]}` : path.basename(url);
}

/**
 * Self time per function and per origin. `window` ([from, to] on the monotonic clock in µs, as
 * the benchmark's JSON lines give it) keeps only the samples taken while a scenario measured.
 */
export function summarizeProfile(
  file: string,
  top = 25,
  window?: [number, number],
): { busyMs: number; idleMs: number; functions: Line[]; origins: Line[] } {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = p.startTime;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    at += dt;
    if (window && (at < window[0] || (window[1] > 0 && at > window[1]))) return;
    self.set(id, (self.get(id) ?? 0) + dt);
  });
  let idle = 0;
  let busy = 0;
  const fns = new Map<string, { name: string; where: string; us: number }>();
  const origins = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const name = functionName || '(anonymous)';
    const where = url ? `${origin(url)}${url.startsWith('node:') || /node_modules/.test(url) ? '' : `:${lineNumber + 1}`}` : '';
    const key = `${name}\u0000${url}\u0000${lineNumber}`;
    const f = fns.get(key) ?? { name, where, us: 0 };
    f.us += us;
    fns.set(key, f);
    const o = url === '' ? name : origin(url);
    origins.set(o, (origins.get(o) ?? 0) + us);
  }
  const pct = (us: number) => Math.round((us / busy) * 1000) / 10;
  return {
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    functions: [...fns.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: Math.round(f.us / 1000), pct: pct(f.us) })),
    origins: [...origins.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, where: '', ms: Math.round(us / 1000), pct: pct(us) })),
  };
}

function main(): void {
  const args = process.argv.slice(2);
  const w = args.indexOf('--window');
  const window = w >= 0 ? ((args.splice(w, 2)[1] ?? '').split(',').map(Number) as [number, number]) : undefined;
  const [file, topText] = args;
  if (!file) {
    console.error('usage: tsx bench/profile.ts <file.cpuprofile> [top] [--window fromUs,toUs]');
    process.exit(2);
  }
  printProfile(file, Number(topText ?? 25), window);
}

export function printProfile(file: string, top: number, window?: [number, number]): void {
  const s = summarizeProfile(file, top, window);
  console.log(
    `${file}${window ? ' (measured window only)' : ''}: ${s.busyMs} ms busy, ${s.idleMs} ms idle\n  self time by function (% of busy time):`,
  );
  for (const f of s.functions) console.log(`  ${String(f.pct).padStart(5)}%  ${String(f.ms).padStart(6)} ms  ${f.name}  ${f.where}`);
  console.log('  self time by origin:');
  for (const o of s.origins) console.log(`  ${String(o.pct).padStart(5)}%  ${String(o.ms).padStart(6)} ms  ${o.name}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) main();
