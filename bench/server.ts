import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabase, type DialectName, type FreshDatabase } from '../test/helpers/databases.js';
import { now, sleep } from './util.js';

/**
 * Natter as the benchmark's child process: a free port on 127.0.0.1, a fresh temp DATA_DIR and
 * database, the limits a load test needs lifted, and /proc readings of its CPU time and memory.
 */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Settings the benchmark's servers run with (printed with every result). */
export const BENCH_ENV = {
  SCRYPT_COST: '10',
  WS_CONNECTS_PER_MINUTE: '0',
  WS_FRAMES_PER_MINUTE: '1000000',
  LOGIN_MAX_FAILURES_PER_IP: '100000',
  // Every benchmark user registers from 127.0.0.1.
  REGISTER_MAX_PER_IP_HOUR: '1000000',
  LOG_LEVEL: 'warn',
} as const;

export interface ProcReading {
  /** User + system CPU time of the whole process, in microseconds. */
  cpuUs: number;
  rssKB: number;
  /** Peak RSS of the process's life (VmHWM). */
  hwmKB: number;
}

/** Reads /proc/<pid>: null when the process is gone or /proc is unavailable. */
export function readProc(pid: number): ProcReading | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { cpuUs: (ticks * 1e6) / TICKS, rssKB: kb('VmRSS'), hwmKB: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** CPU time the whole machine spent busy (user, nice, system, irq, softirq, steal), µs. */
export function machineBusyUs(): number {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]?.trim().split(/\s+/).map(Number) ?? [];
    const ticks = [1, 2, 3, 6, 7, 8].reduce((sum, i) => sum + (f[i] ?? 0), 0);
    return (ticks * 1e6) / TICKS;
  } catch {
    return 0;
  }
}

/** Share of the machine's CPU time that was idle over the next `ms` milliseconds (0–1). */
export async function idleShare(ms: number): Promise<number> {
  const cores = os.cpus().length;
  const b0 = machineBusyUs();
  const t0 = now();
  await sleep(ms);
  const wall = (now() - t0) * 1000 * cores;
  return wall > 0 ? Math.max(0, 1 - (machineBusyUs() - b0) / wall) : 1;
}

/** Samples a process every 100 ms and keeps the highest RSS since the last `mark()`. */
export class Sampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
  }
  sample(): ProcReading | null {
    const r = readProc(this.pid);
    if (r && r.rssKB > this.peak) this.peak = r.rssKB;
    return r;
  }
  mark(): void {
    this.peak = 0;
    this.sample();
  }
  get peakKB(): number {
    this.sample();
    return this.peak;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Polls GET /healthz until it answers 200; the time it took, in ms. */
export async function waitHealthy(base: string, child: ChildProcess | undefined, timeoutMs: number, started = now()): Promise<number> {
  const end = started + timeoutMs;
  while (now() < end) {
    if (child && child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before it was healthy`);
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return now() - started;
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  throw new Error(`${base} was not healthy within ${timeoutMs} ms`);
}

/** A fresh database and the dialect it is of (labels the results). */
export type FreshDb = FreshDatabase & { label: DialectName };

/** The dialect of --db: `sqlite`, or a PostgreSQL/MySQL URL. */
function dialectOf(spec: string): DialectName {
  if (spec === 'sqlite' || spec.startsWith('sqlite:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(spec)) return 'postgres';
  if (/^(mysql|mariadb):\/\//.test(spec)) return 'mysql';
  throw new Error(`--db: expected sqlite, postgres://… or mysql://…, got ${spec}`);
}

/**
 * A new database for one scenario, made by the tests' `freshDatabase`. `spec` is `sqlite` (a file
 * in `dir`) or a PostgreSQL/MySQL URL whose database is only used to create and drop a fresh one
 * next to it.
 */
export async function freshDb(spec: string, dir: string): Promise<FreshDb> {
  const dialect = dialectOf(spec);
  const admin = dialect === 'sqlite' ? undefined : spec.replace(/^mariadb:/, 'mysql:');
  return { ...(await freshDatabase(dialect, dir, admin)), label: dialect };
}

export interface ChildServer {
  base: string;
  options: ChildOptions;
  pid: number;
  startToHealthyMs: number;
  sampler: Sampler;
  logFile: string;
  /** Log lines at warn level or above (JSON objects). */
  warnings(): { count: number; samples: string[] };
  stop(): Promise<void>;
}

export interface ChildOptions {
  databaseUrl: string;
  dataDir: string;
  jwtSecret: string;
  redisUrl?: string;
  redisPrefix?: string;
  cpuProfDir?: string;
  /** Listen on this port (default: a free one). */
  port?: number;
  /** Entry file relative to the repository (default src/main.ts, run with tsx). */
  entry?: string;
  /** Extra environment (after the benchmark's own settings). */
  env?: Record<string, string>;
}

/** Starts `node dist/main.js` (or `node --import tsx src/main.ts`) and waits for /healthz. */
export async function startChild(o: ChildOptions): Promise<ChildServer> {
  const port = o.port ?? (await freePort());
  fs.mkdirSync(o.dataDir, { recursive: true });
  const logFile = path.join(o.dataDir, `server-${port}.log`);
  const fd = fs.openSync(logFile, 'a');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: o.dataDir,
    DATABASE_URL: o.databaseUrl,
    JWT_SECRET: o.jwtSecret,
    REDIS_URL: o.redisUrl ?? '',
    REDIS_PREFIX: o.redisPrefix ?? 'natter:',
    ...BENCH_ENV,
    ...o.env,
  };
  const entry = o.entry ?? 'dist/main.js';
  const args = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  if (o.cpuProfDir) args.push('--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`);
  args.push(entry);
  const started = now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  };
  let startToHealthyMs: number;
  try {
    startToHealthyMs = await waitHealthy(base, child, 60_000, started);
  } catch (e) {
    await stop();
    const tail = fs.readFileSync(logFile, 'utf8').slice(-2000);
    throw new Error(`${(e as Error).message}\n${tail}`);
  }
  const sampler = new Sampler(child.pid ?? 0);
  return {
    base,
    options: { ...o, port },
    pid: child.pid ?? 0,
    startToHealthyMs,
    sampler,
    logFile,
    warnings: () => {
      const lines = fs
        .readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => /"level":(4|5|6)\d/.test(l));
      return { count: lines.length, samples: lines.slice(0, 3).map((l) => l.slice(0, 300)) };
    },
    async stop() {
      sampler.stop();
      await stop();
    },
  };
}

export const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'natter-bench-'));
export const secret = (): string => randomBytes(32).toString('hex');

/** Newest modification time under a directory, ms (0 when it does not exist). */
function newest(dir: string): number {
  let max = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return max;
}

/** Runs `npm run build` when the server is to run from dist/ and dist/ is missing or older than src/. */
export function ensureBuilt(entry: string): void {
  if (!entry.startsWith('dist/')) return;
  const built = fs.existsSync(path.join(ROOT, entry)) ? newest(path.join(ROOT, 'dist')) : 0;
  if (built >= newest(path.join(ROOT, 'src'))) return;
  console.log('building dist/ (npm run build) …');
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}
