import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { BridgeBus } from '../bus/bridge-client.js';
import { MemoryBus } from '../bus/memory-bus.js';
import type { Bus } from '../bus/port.js';
import type { Config, DatabaseConfig } from '../config.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { defaultImages } from '../domain/images.js';
import type { Log } from '../domain/log.js';
import { askNodes } from '../realtime/census.js';
import { AdminService } from '../services/admin.js';
import { AuthService } from '../services/auth.js';
import { DeliveryService } from '../services/delivery.js';
import { TokenService } from '../services/tokens.js';
import { openStore, type OpenedStore } from '../store/kysely-store.js';
import { announcingStore } from './cache.js';
import { openBus } from './infrastructure.js';
import { announceSessions } from './realtime.js';
import { authOptions } from './services.js';

/** How long the database and Redis get to answer before the command gives up. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Over Redis, how long census answers are awaited (nodes answer from memory, at once). */
const CENSUS_WAIT_MS = 1_000;

/** How the command reaches running nodes: over Redis, through a node's local socket, or not at all. */
export type Reach = { via: 'redis' } | { via: 'socket'; file: string; listening: boolean; reason?: string } | { via: 'none' };

/** Sockets open on the nodes that answered a census. */
export interface Census {
  nodes: number;
  sockets: number;
  /** The requested user's sockets over all nodes, and whether one of them receives. */
  user?: { sockets: number; receiving: boolean };
}

export interface Admin {
  service: AdminService;
  reach: Reach;
  /** Asks the running nodes what they hold; undefined when no node can be asked. */
  census(user?: number): Promise<Census | undefined>;
  /** Waits for what is still being published, then closes the bus and the database. */
  close(): Promise<void>;
}

/** The database or Redis did not answer; `message` is one line for the operator. */
export class Unreachable extends Error {}

/** What the database is, without credentials: for messages. */
export function describeDatabase(db: DatabaseConfig): string {
  if (db.kind === 'sqlite') return `SQLite ${db.file}`;
  try {
    const u = new URL(db.url);
    return `${db.kind} at ${u.host}${u.pathname}`;
  } catch {
    return db.kind;
  }
}

const reasonOf = (e: unknown): string => {
  const err = e as { code?: unknown; message?: unknown; errors?: { message?: unknown }[] };
  const text = typeof err.message === 'string' && err.message !== '' ? err.message : String(err.errors?.[0]?.message ?? e);
  return (typeof err.code === 'string' && !text.includes(err.code) ? `${err.code} ${text}` : text).split('\n')[0] ?? '';
};

async function within<T>(ms: number, what: Promise<T>, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(onTimeout()), ms)));
  try {
    return await Promise.race([what, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function openDatabase(config: Readonly<Config>, log: Log): Promise<OpenedStore> {
  const what = describeDatabase(config.database);
  if (config.database.kind === 'sqlite' && !fs.existsSync(config.database.file))
    throw new Unreachable(`no database at ${config.database.file} (the server creates it when it first starts)`);
  let store: OpenedStore | undefined;
  try {
    return await within(
      CONNECT_TIMEOUT_MS,
      (async () => {
        store = await openStore(config.database, (err) => log.warn({ err }, 'database connection lost'));
        await store.migrate();
        return store;
      })(),
      () => new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`),
    );
  } catch (e) {
    await store?.close().catch(() => undefined);
    throw new Unreachable(`cannot reach the database (${what}): ${reasonOf(e)}`);
  }
}

/** Redis when configured (checked to answer), else the local bridge of a node on this host, if one is configured. */
async function openReach(config: Readonly<Config>, log: Log): Promise<{ bus: Bus; reach: Reach }> {
  if (config.redisUrl) {
    // Connection errors while Redis is first reached make one line, not a warning per retry.
    let reached = false;
    let cause: unknown;
    const quiet: Log = {
      ...log,
      warn: (obj, msg) => (reached ? log.warn(obj, msg) : (cause ??= (obj as { err?: unknown }).err)),
    };
    const bus = await openBus(config, quiet, `admin-${randomUUID()}`);
    try {
      await within(CONNECT_TIMEOUT_MS, bus.ping(), () => new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`));
      reached = true;
    } catch (e) {
      await within(1_000, bus.close(), () => new Error('close')).catch(() => undefined);
      throw new Unreachable(`cannot reach Redis (REDIS_URL): ${reasonOf(cause ?? e)}`);
    }
    return { bus, reach: { via: 'redis' } };
  }
  if (!config.adminSocket) return { bus: new MemoryBus(), reach: { via: 'none' } };
  const file = config.adminSocket.path;
  const bus = new BridgeBus(file, (err, context) => log.warn({ err, context }, 'local bridge'));
  const listening = await bus.connect();
  return { bus, reach: { via: 'socket', file, listening, ...(bus.reason === undefined ? {} : { reason: bus.reason }) } };
}

/**
 * The admin command's services on the configured database, wired as a node wires them: session
 * changes and notices are published on the bus every node hears (Redis), or through the local
 * bridge of the node on this host. Throws Unreachable when the database or Redis does not answer.
 */
export async function openAdmin(config: Readonly<Config>, log: Log, clock: Clock = systemClock): Promise<Admin> {
  const database = await openDatabase(config, log);
  let opened: { bus: Bus; reach: Reach };
  try {
    opened = await openReach(config, log);
  } catch (e) {
    await database.close();
    throw e;
  }
  const { bus, reach } = opened;
  // What the command changes is dropped from the nodes' caches, as when a node changes it.
  const store = announcingStore(database, bus, log);
  // The command signs and verifies no token: a secret of its own keeps DATA_DIR untouched.
  const tokens = new TokenService(randomBytes(32).toString('base64url'), config.tokenTtl, clock);
  const images = defaultImages(config.defaultsUrl);
  const auth = new AuthService(store, tokens, clock, authOptions(config));
  announceSessions(bus, log, auth, clock);
  const delivery = new DeliveryService(store, bus, clock, log);
  const service = new AdminService(store, auth, delivery, clock, { systemAvatar: images.systemAvatar });
  const canAsk = reach.via === 'redis' || (reach.via === 'socket' && reach.listening);
  return {
    service,
    reach,
    async census(user) {
      if (!canAsk) return undefined;
      // The in-process bus answers before the request's publish is acknowledged: no wait needed.
      const waitMs = reach.via === 'redis' ? CENSUS_WAIT_MS : 0;
      const answers = await askNodes(bus, { user, waitMs, replyId: randomUUID() });
      const out: Census = { nodes: answers.length, sockets: 0 };
      if (user !== undefined) out.user = { sockets: 0, receiving: false };
      for (const a of answers) {
        out.sockets += a.sockets;
        if (out.user && a.user) {
          out.user.sockets += a.user.sockets;
          out.user.receiving ||= a.user.receiving;
        }
      }
      return out;
    },
    async close() {
      await bus.close();
      await store.close();
    },
  };
}
