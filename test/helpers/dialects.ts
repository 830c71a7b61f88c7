import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { testDialects, type DialectName } from './databases.js';
import { startServer, type StartOptions, type TestServer } from './server.js';

export interface ServerHandle {
  readonly server: TestServer;
  readonly dialect: DialectName;
}

/**
 * Declares the suite once per configured dialect (TEST_DB), each with its own server on a
 * fresh database, started before the suite's tests and closed after them.
 */
export function describeEachDialect(name: string, body: (h: ServerHandle) => void, opts: Omit<StartOptions, 'dialect'> = {}): void {
  for (const dialect of testDialects()) {
    describe(`${name} [${dialect}]`, () => {
      let server: TestServer | undefined;
      const handle: ServerHandle = {
        get server() {
          if (!server) throw new Error('server not started');
          return server;
        },
        dialect,
      };
      beforeAll(async () => {
        server = await startServer({ ...opts, dialect });
      });
      afterAll(async () => {
        await server?.close();
      });
      body(handle);
    });
  }
}

/** Starts a server of the suite's dialect for one test; every one started is closed after the test. */
export type StartFor = (opts?: Omit<StartOptions, 'dialect'>) => Promise<TestServer>;

/**
 * Declares the suite once per configured dialect (TEST_DB) for tests that need servers of their
 * own (settings, clocks): `start` makes one, closed after the test that made it.
 */
export function describeEachDialectWithServers(name: string, body: (start: StartFor, dialect: DialectName) => void): void {
  for (const dialect of testDialects()) {
    describe(`${name} [${dialect}]`, () => {
      const started: TestServer[] = [];
      afterEach(async () => {
        for (const s of started.splice(0)) await s.close();
      });
      body(async (opts = {}) => {
        const s = await startServer({ ...opts, dialect });
        started.push(s);
        return s;
      }, dialect);
    });
  }
}
