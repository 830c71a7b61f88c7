import os from 'node:os';
import path from 'node:path';

/** Command line of `npm run bench -- [scenario...] [flags]`. */

export const SCENARIOS = ['pairs', 'latency', 'group', 'connections', 'offline'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface Options {
  scenarios: Scenario[];
  /** Running servers (node A first); empty = start our own. */
  url: string[];
  /** Their process ids, for CPU and RSS figures. */
  pid: number[];
  db: string;
  /** --db was given (with --url it only labels the results). */
  dbGiven: boolean;
  redis: string | undefined;
  nodes: number;
  json: string | undefined;
  cpuProf: boolean;
  cpuProfDir: string;
  /** The server's entry file: .js as is (dist/main.js, built when stale), .ts with --import tsx. */
  entry: string;
  /** How pairs/latency senders send: HTTP E20 (the seed's way), or `send` frames on their own sockets. */
  send: 'http' | 'ws';
  /** Flags given explicitly (scenario defaults fill the rest). */
  given: Record<string, number>;
}

export const USAGE = `usage: npm run bench -- [${SCENARIOS.join('|')} ...] [flags]

  --url http://host:port[,http://host2:port]  target running servers (senders on the first,
                                              receivers on the last); default: start Natter here
  --pid 1234[,5678]        process ids of the --url servers, for CPU and memory figures
  --db sqlite|postgres://…|mysql://…   database of the servers started here (default sqlite);
                           a fresh database is created next to the one in the URL and dropped after
  --redis redis://…        Redis for the servers started here (required with --nodes 2)
  --nodes 1|2              servers to start (2: PostgreSQL/MySQL + Redis)
  --json out.jsonl         also append one JSON line per scenario to this file
  --cpu-prof               run the servers with --cpu-prof (profiles land in --cpu-prof-dir)
  --cpu-prof-dir dir       default <tmp>/natter-bench-profiles
  --entry file             server entry (default dist/main.js, built first when older than src/; src/main.ts runs with tsx)

  pairs/latency: --pairs P --messages M --window W [--rate msgs/s in total, 0 = as fast as allowed]
                 --warmup N: unmeasured messages sent first, in total (default 1000)
                 --send http|ws: senders POST sendmessage (default), or send frames on their
                 own sockets (docs/protocol.md) and wait for the acks; the window counts either
  group:         --members G --messages K --window W
  connections:   --connections C [--sources N: source addresses 127.0.0.1… to spread sockets over]
                 --rest s: also read RSS after s seconds of rest before and after connecting
                 (default 30; 0 skips it), once V8 has given back what the bursts left
  offline:       --waiting N --senders S
  every scenario: --time-limit seconds (default 180: each phase of a scenario stops by then)
                  --quiet seconds: first wait up to this long for the machine to be ≥ 60% idle
`;

const NUMERIC = [
  'warmup',
  'quiet',
  'pairs',
  'messages',
  'window',
  'rate',
  'members',
  'connections',
  'sources',
  'rest',
  'waiting',
  'senders',
  'time-limit',
  'concurrency',
];

export function parseArgs(argv: string[]): Options {
  const o: Options = {
    scenarios: [],
    url: [],
    pid: [],
    db: 'sqlite',
    dbGiven: false,
    redis: undefined,
    nodes: 1,
    json: undefined,
    cpuProf: false,
    cpuProfDir: path.join(os.tmpdir(), 'natter-bench-profiles'),
    entry: 'dist/main.js',
    send: 'http',
    given: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if ((SCENARIOS as readonly string[]).includes(a)) o.scenarios.push(a as Scenario);
    else if (a === '--url')
      o.url = value()
        .split(',')
        .map((u) => u.trim().replace(/\/+$/, ''));
    else if (a === '--pid') o.pid = value().split(',').map(Number);
    else if (a === '--db') {
      o.db = value();
      o.dbGiven = true;
    } else if (a === '--redis') o.redis = value();
    else if (a === '--nodes') o.nodes = Number(value());
    else if (a === '--json') o.json = value();
    else if (a === '--cpu-prof') o.cpuProf = true;
    else if (a === '--cpu-prof-dir') o.cpuProfDir = value();
    else if (a === '--entry') o.entry = value();
    else if (a === '--send') {
      const v = value();
      if (v !== 'http' && v !== 'ws') throw new Error('--send: http or ws');
      o.send = v;
    } else if (a === '--help' || a === '-h') throw new Error(USAGE);
    else if (a.startsWith('--') && NUMERIC.includes(a.slice(2))) {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw new Error(`${a}: expected a number ≥ 0`);
      o.given[a.slice(2)] = n;
    } else throw new Error(`unknown argument ${a}\n\n${USAGE}`);
  }
  if (o.scenarios.length === 0) o.scenarios = ['pairs', 'latency', 'group', 'offline'];
  if (o.nodes !== 1 && o.nodes !== 2) throw new Error('--nodes: 1 or 2');
  if (o.url.length > 0 && o.nodes !== 1) throw new Error('--nodes starts servers; with --url give both URLs instead');
  if (o.nodes === 2 && (!o.redis || o.db === 'sqlite'))
    throw new Error('--nodes 2 needs --db postgres://… (or mysql://…) and --redis redis://…');
  for (const u of o.url) {
    const host = new URL(u).hostname;
    if (!/^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/.test(host))
      throw new Error(`--url ${u}: the benchmark only sends traffic to loopback addresses`);
  }
  return o;
}

/** A scenario's setting: the flag when given, else the scenario's default. */
export const flag = (o: Options, name: string, def: number): number => o.given[name] ?? def;
