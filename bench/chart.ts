import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from './args.js';
import { runOne } from './runner.js';
import { ensureBuilt, ROOT } from './server.js';
import { lineChart } from './svg.js';
import { machine } from './util.js';

/**
 * `npm run bench:chart -- [--rates 50,100,…] [--pairs 100] [--window 10] [--seconds 6] [--db …]`:
 * the pairs scenario at several offered loads (each sender paced to its share of the rate, at
 * most W in flight), then delivered msgs/s and p99 latency against the offered rate, as
 * docs/benchmark-chart.svg, with the raw points in bench/results/chart.json.
 * `--loads 10,50,100,200` instead runs unpaced pairs (P pairs × window W in flight);
 * `--from bench/results/chart.json` redraws the SVG from saved points without measuring.
 */

interface Point {
  offered: number;
  pairs: number;
  window: number;
  messages: number;
  deliveredPerSec: number;
  p50: number | null;
  p99: number | null;
  lost: number;
  sendErrors: number;
  serverCpuUsPerMsg: number | null;
}

interface Saved {
  at: string;
  machine: ReturnType<typeof machine>;
  database: string;
  mode: 'loads' | 'rates';
  pairs: number;
  window: number;
  messages: number | null;
  seconds: number;
  points: Point[];
  runs: unknown[];
}

/** Runs one pairs scenario per offered load and collects the points. */
async function measure(argv: string[], take: (name: string) => string | undefined): Promise<Saved> {
  const rates = (take('--rates') ?? '100,250,500,1000,1500,2000,2500,3000,4000').split(',').map(Number);
  const loads = take('--loads')?.split(',').map(Number);
  const seconds = Number(take('--seconds') ?? 6);
  const base = parseArgs(['pairs', ...argv]);
  ensureBuilt(base.entry);
  const P = base.given.pairs ?? 100;
  const W = base.given.window ?? 10;
  const points: Point[] = [];
  const runs: unknown[] = [];
  let database = '';
  const m = machine();
  for (const step of loads ?? rates) {
    const pairs = loads ? step : P;
    const messages = loads ? (base.given.messages ?? 50) : Math.max(5, Math.ceil((step * seconds) / P));
    const o = { ...base, given: { ...base.given, pairs, window: W, messages, rate: loads ? 0 : step } };
    console.log(`\n-- ${loads ? `${pairs} pairs × window ${W}` : `${step} msgs/s offered`} (${pairs} pairs × ${messages} messages)`);
    const { result, line, target } = await runOne('pairs', o, Math.min(4096, pairs * W));
    database = `${target.database}, ${target.bus} bus, ${target.nodes} node${target.nodes > 1 ? 's' : ''}`;
    const r = result.results as Record<string, unknown> & { latencyMs: { p50: number | null; p99: number | null } };
    const point: Point = {
      offered: loads ? pairs * W : step,
      pairs,
      window: W,
      messages,
      deliveredPerSec: r.deliveredPerSec as number,
      p50: r.latencyMs.p50,
      p99: r.latencyMs.p99,
      lost: r.lost as number,
      sendErrors: r.sendErrors as number,
      serverCpuUsPerMsg: r.serverCpuUsPerMsg as number | null,
    };
    points.push(point);
    runs.push(JSON.parse(line));
    console.log(
      `   delivered ${point.deliveredPerSec} msgs/s, p50 ${point.p50} ms, p99 ${point.p99} ms, lost ${point.lost}, ${point.serverCpuUsPerMsg} µs/msg`,
    );
  }
  const mode = loads ? 'loads' : 'rates';
  return {
    at: new Date().toISOString(),
    machine: m,
    database,
    mode,
    pairs: P,
    window: W,
    messages: loads ? (base.given.messages ?? 50) : null,
    seconds,
    points,
    runs,
  };
}

function draw(d: Saved): string {
  const xs = d.points.map((p) => p.offered);
  const loads = d.mode === 'loads';
  return lineChart({
    title: 'Natter pairs: throughput and latency against offered load',
    subtitle: `${loads ? `P pairs × window ${d.window}, ${d.messages} msgs each` : `${d.pairs} pairs, window ${d.window}, ~${d.seconds} s per point`} — ${d.database} — ${d.machine.cores} cores, node ${d.machine.node}`,
    xLabel: loads ? 'offered load: requests in flight (pairs × window)' : 'offered load (msgs/s, all senders together)',
    leftLabel: 'delivered msgs/s',
    rightLabel: 'latency, send → receipt (ms, log scale)',
    rightLog: true,
    note: 'Targets (pairs 200 × 50, window 10): ≥ 6,000 delivered msgs/s; light load (5 pairs, window 1): p99 ≤ 10 ms.',
    series: [
      { name: 'delivered msgs/s', color: '#1f5fbf', axis: 'left', points: d.points.map((p) => ({ x: p.offered, y: p.deliveredPerSec })) },
      { name: 'p99 latency (ms)', color: '#d9480f', axis: 'right', points: d.points.map((p) => ({ x: p.offered, y: p.p99 ?? 0 })) },
      {
        name: 'p50 latency (ms)',
        color: '#f08c00',
        axis: 'right',
        dashed: true,
        points: d.points.map((p) => ({ x: p.offered, y: p.p50 ?? 0 })),
      },
      ...(loads
        ? []
        : [
            {
              name: 'delivered = offered',
              color: '#9aa5b1',
              axis: 'left' as const,
              dashed: true,
              reference: true,
              points: [
                { x: 0, y: 0 },
                { x: Math.max(...xs), y: Math.max(...xs) },
              ],
            },
          ]),
    ],
    marks: [{ axis: 'right', y: 10, label: '10 ms', color: '#d9480f' }],
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const take = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const [, v] = argv.splice(i, 2);
    return v;
  };
  const out = path.resolve(ROOT, take('--out') ?? 'docs/benchmark-chart.svg');
  const from = take('--from');
  const json = path.join(ROOT, 'bench/results/chart.json');
  let data: Saved;
  if (from) {
    data = JSON.parse(fs.readFileSync(path.resolve(from), 'utf8')) as Saved;
  } else {
    data = await measure(argv, take);
    fs.mkdirSync(path.dirname(json), { recursive: true });
    fs.writeFileSync(json, `${JSON.stringify(data, null, 2)}\n`);
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, draw(data));
  console.log(`\nwrote ${path.relative(ROOT, out)}${from ? '' : ` and ${path.relative(ROOT, json)}`}`);
}

main().catch((e: unknown) => {
  console.error((e as Error).stack ?? String(e));
  process.exit(1);
});
