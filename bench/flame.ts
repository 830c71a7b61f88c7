import fs from 'node:fs';
import { origin } from './profile.js';

/**
 * `tsx bench/flame.ts file.cpuprofile out.svg [--window fromUs,toUs] [--title text]`: a flame
 * graph of a V8 CPU profile (as written by `node --cpu-prof`, e.g. by `npm run bench -- --cpu-prof`)
 * as a standalone SVG. Stacks are merged by function and file, roots at the bottom, widths in
 * proportion to time; idle time is left out; frames narrower than 0.1 % are dropped. Hovering a
 * frame shows its name, origin and share of the busy time.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

interface Frame {
  name: string;
  where: string;
  us: number;
  children: Map<string, Frame>;
}

const WIDTH = 1200;
const ROW = 17;
const MIN_SHARE = 0.001;

const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Merged call tree of the samples taken inside `window` (µs on the monotonic clock). */
export function callTree(p: Profile, window?: [number, number]): Frame {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const root: Frame = { name: 'all', where: '', us: 0, children: new Map() };
  let at = p.startTime;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    at += dt;
    if (window && (at < window[0] || (window[1] > 0 && at > window[1]))) return;
    const stack: ProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n) stack.push(n);
    }
    const leaf = stack[0];
    if (!leaf || leaf.callFrame.functionName === '(idle)') return;
    root.us += dt;
    let f = root;
    // stack[last] is V8's "(root)": skip it.
    for (let k = stack.length - 2; k >= 0; k--) {
      const { functionName, url, lineNumber } = (stack[k] as ProfileNode).callFrame;
      const name = functionName || '(anonymous)';
      const where = url ? `${origin(url)}${/node_modules|^node:/.test(url) ? '' : `:${lineNumber + 1}`}` : '';
      const key = `${name}\u0000${where}`;
      let child = f.children.get(key);
      if (!child) {
        child = { name, where, us: 0, children: new Map() };
        f.children.set(key, child);
      }
      child.us += dt;
      f = child;
    }
  });
  return root;
}

/** A colour per origin: Natter's own code, SQLite/Kysely, Node and V8, other packages. */
function colour(where: string, name: string): string {
  if (where.startsWith('src/') || /^[a-z-]+\.(js|ts):/.test(where)) return '#f2a65a';
  if (where.startsWith('kysely') || where.startsWith('better-sqlite3')) return '#7aa6d8';
  if (where === '' || where === 'node internals' || name.startsWith('(')) return '#c9c9c9';
  return '#e88080';
}

export function flameSvg(root: Frame, title: string): string {
  const rows: { x: number; level: number; w: number; f: Frame; share: number }[] = [];
  let depth = 0;
  const scale = WIDTH / Math.max(1, root.us);
  const place = (f: Frame, x: number, level: number) => {
    depth = Math.max(depth, level);
    const w = f.us * scale;
    const share = f.us / Math.max(1, root.us);
    rows.push({ x, level, w, f, share });
    let cx = x;
    for (const c of [...f.children.values()].sort((a, b) => b.us - a.us)) {
      if (c.us / root.us < MIN_SHARE) continue;
      place(c, cx, level + 1);
      cx += c.us * scale;
    }
  };
  place(root, 0, 0);
  const height = (depth + 1) * ROW + 60;
  const rects = rows.map(({ x, level, w, f, share }) => {
    const y = height - 20 - (level + 1) * ROW;
    const label = `${f.name}${f.where ? ` ${f.where}` : ''} — ${(share * 100).toFixed(1)} %`;
    const text =
      w > 40 ? `<text x="${(x + 3).toFixed(1)}" y="${y + 12}" font-size="11">${escape(f.name.slice(0, Math.floor(w / 6.5)))}</text>` : '';
    return `<g><title>${escape(label)}</title><rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(0.5, w - 0.5).toFixed(1)}" height="${ROW - 1}" fill="${colour(f.where, f.name)}"/>${text}</g>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`,
    `<text x="${WIDTH / 2}" y="40" text-anchor="middle" font-size="11" fill="#555">width = share of the main thread's busy time; orange Natter, blue Kysely/SQLite, grey Node/V8, red other packages; hover for names</text>`,
    ...rects,
    '</svg>',
    '',
  ].join('\n');
}

function main(): void {
  const args = process.argv.slice(2);
  const take = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const windowText = take('--window');
  const title = take('--title') ?? 'Natter: where the CPU goes';
  const [file, out] = args;
  if (!file || !out) {
    console.error('usage: tsx bench/flame.ts <file.cpuprofile> <out.svg> [--window fromUs,toUs] [--title text]');
    process.exit(2);
  }
  const window = windowText ? (windowText.split(',').map(Number) as [number, number]) : undefined;
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  fs.writeFileSync(out, flameSvg(callTree(profile, window), title));
  console.log(`wrote ${out}`);
}

if (process.argv[1]?.endsWith('flame.ts')) main();
