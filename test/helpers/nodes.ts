import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import type { DialectName } from './databases.js';
import { redisRelay } from './redis-relay.js';
import { startServer, type TestServer } from './server.js';

/** Two nodes on one database: how they are started, and how node B is cut off the bus (Redis only). */
export interface NodesSetup {
  name: string;
  start(): Promise<[TestServer, TestServer]>;
  /** Closes node B's subscriber connection, as Redis does past its output-buffer limit. */
  cutOff?: (b: TestServer) => Promise<void>;
}

/** One SQLite file with one in-process bus shared by both apps. */
export const sqliteNodes: NodesSetup = {
  name: 'one SQLite file and an in-process bus',
  async start() {
    const bus = new MemoryBus(() => undefined);
    const a = await startServer({ dialect: 'sqlite', bus });
    return [a, await startServer({ dialect: 'sqlite', bus, databaseUrl: a.databaseUrl })];
  },
};

/**
 * Two nodes on a fresh database of `dialect` with Redis, as deployed; `ownPrefix`: channels of
 * their own; `farMs`: node B reaches Redis through a relay that hands it what Redis sends that
 * much later (a node in another zone), so B hears every event well after A's publish returned.
 */
export function redisNodes(redisUrl: string, dialect: DialectName, name: string, ownPrefix = false, farMs = 0): NodesSetup {
  return {
    name,
    async start() {
      const env: Record<string, string> = { REDIS_URL: redisUrl };
      if (ownPrefix) env.REDIS_PREFIX = `natter-${randomUUID()}:`;
      const a = await startServer({ dialect, env });
      const bUrl = farMs > 0 ? (await redisRelay(redisUrl, farMs)).url : redisUrl;
      return [a, await startServer({ dialect, env: { ...env, REDIS_URL: bUrl }, databaseUrl: a.databaseUrl })];
    },
    async cutOff(b) {
      const admin = new Redis(redisUrl);
      try {
        const list = (await admin.client('LIST')) as string;
        const ids = [...list.matchAll(/(?:^|\s)id=(\d+)\s.*\bname=(\S+)/gm)].filter((m) => m[2] === `natter-${b.app.nodeId}-sub`);
        expect(ids).toHaveLength(1);
        expect(await admin.client('KILL', 'ID', ids[0]?.[1] as string)).toBe(1);
      } finally {
        admin.disconnect();
      }
    },
  };
}
