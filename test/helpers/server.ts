import fs from 'node:fs';
import { Writable } from 'node:stream';
import { createApp, type App } from '../../src/app.js';
import type { Bus } from '../../src/bus/port.js';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/domain/clock.js';
import type { DeliveryFaults } from '../../src/services/delivery.js';
import { Client } from './client.js';
import { freshDatabase, tempDir, type DialectName } from './databases.js';

/** A clock tests move by hand: windows and expiries without sleeping. */
export class ManualClock implements Clock {
  constructor(private t = Date.now()) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface TestServer {
  app: App;
  url: string;
  port: number;
  dialect: DialectName;
  databaseUrl: string;
  client: Client;
  /** Log lines the server wrote (JSON objects). */
  logs: Record<string, unknown>[];
  /** Stops the server and drops its database; fails when the server answered any 5xx. */
  close(): Promise<void>;
}

export interface StartOptions {
  dialect?: DialectName;
  env?: Record<string, string>;
  clock?: Clock;
  /** Allow 5xx answers (tests of failure handling). */
  allow5xx?: boolean;
  faults?: DeliveryFaults;
  /** A bus shared with other servers of this process (several nodes without Redis). */
  bus?: Bus;
  /** Use this database (e.g. another node's, from `server.databaseUrl`) instead of a fresh one; it is not dropped. */
  databaseUrl?: string;
}

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789';

/** Starts the real server on an ephemeral port with a fresh database of the given dialect. */
export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dialect = opts.dialect ?? 'sqlite';
  const dir = tempDir();
  const db = opts.databaseUrl ? { url: opts.databaseUrl, drop: async () => undefined } : await freshDatabase(dialect, dir);
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    DATA_DIR: dir,
    JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    SCRYPT_COST: '12',
    // Every test user registers from 127.0.0.1: the per-address limits are tested on their own.
    REGISTER_MAX_PER_IP_HOUR: '1000000',
    VISITOR_MAX_PER_IP_HOUR: '1000000',
    ...opts.env,
  });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          logs.push({ msg: line });
        }
      }
      cb();
    },
  });
  const app = await createApp(config, { clock: opts.clock, logStream: sink, faults: opts.faults, bus: opts.bus });
  const errors: string[] = [];
  app.http.addHook('onResponse', async (req, reply) => {
    if (reply.statusCode >= 500) errors.push(`${req.method} ${req.url} -> ${reply.statusCode}`);
  });
  const port = await app.listen();
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    port,
    dialect,
    databaseUrl: db.url,
    client: new Client(url),
    logs,
    async close() {
      await app.close();
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
      if (errors.length > 0 && !opts.allow5xx) {
        throw new Error(
          `server answered 5xx:\n${errors.join('\n')}\n${JSON.stringify(
            logs.filter((l) => Number(l.level) >= 50),
            null,
            1,
          )}`,
        );
      }
    },
  };
}
