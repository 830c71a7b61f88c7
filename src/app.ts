import fs from 'node:fs';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import { systemClock, type Clock } from './domain/clock.js';
import { buildHttp } from './http/server.js';
import { Presenter } from './http/presenters.js';
import { loadOrCreateSecret } from './secrets.js';
import { AuthService } from './services/auth.js';
import { TokenService } from './services/tokens.js';
import { UserService } from './services/users.js';
import { openStore, type OpenedStore } from './store/kysely-store.js';

/**
 * The composition root: the only module that picks concrete adapters (database dialect, bus,
 * file store) and wires them into services, HTTP and realtime.
 */
export interface App {
  config: Readonly<Config>;
  http: FastifyInstance;
  store: OpenedStore;
  services: { auth: AuthService; users: UserService };
  /** Starts listening; resolves to the bound port. */
  listen(): Promise<number>;
  /** Graceful stop: refuse new work, finish in-flight requests, close the database. Idempotent. */
  close(): Promise<void>;
}

export interface AppOptions {
  clock?: Clock;
  logger?: FastifyServerOptions['logger'];
}

const VERSION = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function createApp(config: Readonly<Config>, opts: AppOptions = {}): Promise<App> {
  const clock = opts.clock ?? systemClock;
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secret = config.jwtSecret ?? loadOrCreateSecret(config.dataDir);

  const store = openStore(config.database);
  try {
    await store.migrate();
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }

  const tokens = new TokenService(secret, config.tokenTtl, clock);
  const auth = new AuthService(store, tokens, clock, { scryptCost: config.scryptCost, login: config.login });
  const users = new UserService(store, clock);

  let closing = false;
  const http = await buildHttp(
    {
      auth,
      users,
      present: new Presenter(config.displayTzOffsetMinutes),
      healthy: async () => {
        if (closing) return false;
        try {
          await store.ping();
          return true;
        } catch {
          return false;
        }
      },
    },
    {
      logger: opts.logger ?? { level: config.logLevel },
      trustProxy: config.trustProxy,
      bodyLimit: config.bodyLimit,
      version: VERSION,
    },
  );
  if (config.jwtSecret === undefined && config.database.kind !== 'sqlite') {
    http.log.warn('JWT_SECRET is unset: tokens are signed with a secret of this node only; set it when running several nodes');
  }
  for (const key of config.unknownKeys) http.log.warn({ key }, 'unknown configuration key ignored');

  let closed: Promise<void> | undefined;
  return {
    config,
    http,
    store,
    services: { auth, users },
    async listen() {
      await http.listen({ port: config.port, host: config.host });
      const addr = http.server.address();
      return typeof addr === 'object' && addr ? addr.port : config.port;
    },
    close() {
      closed ??= (async () => {
        closing = true;
        await http.close();
        await store.close();
      })();
      return closed;
    },
  };
}
