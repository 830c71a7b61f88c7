import fs from 'node:fs';
import path from 'node:path';
import type { Options } from './args.js';
import { Api } from './client.js';
import { printProfile } from './profile.js';
import { freshDb, machineBusyUs, readProc, Sampler, secret, startChild, tempDir, type ChildServer } from './server.js';
import { round } from './util.js';

const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * What a scenario talks to: node A takes the HTTP sends (and setup), node B holds the receiving
 * sockets (the same node unless two are running). Either servers the benchmark started for this
 * scenario alone (fresh database, removed after) or servers given with --url.
 */
export class Target {
  /** HTTP to node A: registration, befriending, sends. */
  readonly api: Api;
  /** HTTP to node B (the receivers' node). */
  readonly recvApi: Api;
  readonly recvBase: string;
  readonly database: string;
  readonly bus: string;
  private readonly samplers: Sampler[];
  private cpuMark: number | null = null;
  /** The last measurement window on the monotonic clock, µs (comparable with --cpu-prof timestamps). */
  window: [number, number] = [0, 0];
  /** CPU cores that other processes (neither the measured servers nor this benchmark) kept busy in the last window. */
  otherCores: number | null = null;
  private machineMark = { busy: 0, client: 0 };

  private constructor(
    readonly bases: string[],
    private readonly children: ChildServer[],
    pids: number[],
    database: string,
    bus: string,
    private readonly cleanup: () => Promise<void>,
    maxSockets: number,
  ) {
    this.api = new Api(bases[0] as string, maxSockets);
    const b = bases[bases.length - 1] as string;
    this.recvBase = b;
    this.recvApi = b === bases[0] ? this.api : new Api(b, 64);
    this.samplers = children.length > 0 ? children.map((c) => c.sampler) : pids.map((p) => new Sampler(p));
    this.database = database;
    this.bus = bus;
  }

  static async open(o: Options, scenario: string, maxSockets = 256): Promise<Target> {
    if (o.url.length > 0) {
      const label = o.db.startsWith('postgres') ? 'postgres' : o.db.startsWith('mysql') ? 'mysql' : 'sqlite';
      const database = o.dbGiven ? label : 'database not stated (--db)';
      return new Target(o.url, [], o.pid, database, o.redis ? 'redis' : 'unstated', async () => undefined, maxSockets);
    }
    const dir = tempDir();
    const db = await freshDb(o.db, dir);
    const jwtSecret = secret();
    const prefix = `natterbench_${process.pid}_${Date.now().toString(36)}:`;
    const children: ChildServer[] = [];
    const ref: { t?: Target } = {};
    const cleanup = async () => {
      for (const c of children) await c.stop();
      await db.drop().catch((e: unknown) => console.error(`could not drop the benchmark database: ${(e as Error).message}`));
      if (o.cpuProf) {
        // Profiles are written at exit; keep them next to the results.
        const out = path.resolve(o.cpuProfDir);
        fs.mkdirSync(out, { recursive: true });
        for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) {
          const dest = path.join(out, `${scenario}-${f}`);
          fs.copyFileSync(path.join(dir, f), dest);
          console.log(`  cpu profile: ${dest}`);
          const w = ref.t?.window;
          if (w && w[1] > 0) printProfile(dest, 20, w);
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
      for (let i = 0; i < o.nodes; i++) {
        children.push(
          await startChild({
            databaseUrl: db.url,
            dataDir: path.join(dir, `node${i}`),
            jwtSecret,
            redisUrl: o.redis,
            redisPrefix: prefix,
            cpuProfDir: o.cpuProf ? dir : undefined,
            entry: o.entry,
          }),
        );
      }
    } catch (e) {
      await cleanup();
      throw e;
    }
    const bus = o.redis ? 'redis' : 'in-process';
    ref.t = new Target(
      children.map((c) => c.base),
      children,
      [],
      db.label,
      bus,
      cleanup,
      maxSockets,
    );
    return ref.t;
  }

  get nodes(): number {
    return this.bases.length;
  }

  /** Start-to-healthy of each started node (ms); empty with --url. */
  get startMs(): number[] {
    return this.children.map((c) => round(c.startToHealthyMs, 0));
  }

  get measured(): boolean {
    return this.samplers.length > 0;
  }

  /** Total CPU time of every measured node, µs; null when none is measured. */
  cpuUs(): number | null {
    if (!this.measured) return null;
    let sum = 0;
    for (const s of this.samplers) sum += readProc(s.pid)?.cpuUs ?? 0;
    return sum;
  }

  /** Starts a measurement window: CPU baseline and peak RSS reset. */
  mark(): void {
    for (const s of this.samplers) s.mark();
    this.cpuMark = this.cpuUs();
    this.window = [monoUs(), 0];
    const c = process.cpuUsage();
    this.machineMark = { busy: machineBusyUs(), client: c.user + c.system };
  }

  /** Server CPU µs spent since `mark()`. */
  cpuSinceMark(): number | null {
    const c = this.cpuUs();
    this.window[1] = monoUs();
    const server = c === null || this.cpuMark === null ? null : c - this.cpuMark;
    const u = process.cpuUsage();
    const wall = this.window[1] - this.window[0];
    const other = machineBusyUs() - this.machineMark.busy - (u.user + u.system - this.machineMark.client) - (server ?? 0);
    this.otherCores = wall > 0 && server !== null ? round(Math.max(0, other) / wall, 2) : null;
    return server;
  }

  /** Peak RSS of each node since `mark()`, in MB. */
  peakRssMB(): number[] {
    return this.samplers.map((s) => round(s.peakKB / 1024, 1));
  }

  /** Current RSS of each node, in MB. */
  rssMB(): number[] {
    return this.samplers.map((s) => round((readProc(s.pid)?.rssKB ?? 0) / 1024, 1));
  }

  /**
   * Restarts the receivers' node on the same port and database: a process without the garbage
   * of the setup phase, for memory figures. Only for servers the benchmark started.
   */
  async restartReceiverNode(): Promise<boolean> {
    const i = this.children.length - 1;
    const old = this.children[i];
    if (!old) return false;
    await old.stop();
    const fresh = await startChild(old.options);
    this.children[i] = fresh;
    this.samplers[i] = fresh.sampler;
    return true; // the same port, so the same log file: warnings keep counting
  }

  warnings(): { count: number; samples: string[] } {
    const all = this.children.map((c) => c.warnings());
    return { count: all.reduce((n, w) => n + w.count, 0), samples: all.flatMap((w) => w.samples).slice(0, 3) };
  }

  async close(): Promise<void> {
    this.api.close();
    if (this.recvApi !== this.api) this.recvApi.close();
    if (this.children.length === 0) for (const s of this.samplers) s.stop();
    await this.cleanup();
  }
}
