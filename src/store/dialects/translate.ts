import type { DatabaseConnection, Dialect, Driver } from 'kysely';
import { StoreError, storeBusy, waitBeforeRetry } from '../errors.js';
import type { DialectAdapter } from './types.js';

/**
 * Wraps a dialect so that every driver error leaves Kysely as a StoreError of a shared kind:
 * repos and services never see driver codes. Other members are passed through untouched
 * (bound to their own object, as drivers keep private state).
 */
export function translatingDialect(adapter: DialectAdapter): Dialect {
  const inner = adapter.kysely;
  const translate = (e: unknown): StoreError => (e instanceof StoreError ? e : new StoreError(adapter.translateError(e) ?? 'unknown', e));

  const wrapConnection = (conn: DatabaseConnection): DatabaseConnection =>
    new Proxy(conn, {
      get(target, prop) {
        if (prop === 'executeQuery') {
          return async (q: Parameters<DatabaseConnection['executeQuery']>[0]) => {
            const started = Date.now();
            for (let attempt = 1; ; attempt++) {
              try {
                return await target.executeQuery(q);
              } catch (e) {
                const err = translate(e);
                // Outside a transaction a locked database is waited for here, off the event loop.
                if (err.kind !== 'retryable' || !adapter.inTransaction || adapter.inTransaction()) throw err;
                const wait = waitBeforeRetry(attempt, started);
                if (wait === undefined) throw storeBusy(err);
                await new Promise((r) => setTimeout(r, wait));
              }
            }
          };
        }
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });

  const wrapDriver = (driver: Driver): Driver =>
    new Proxy(driver, {
      get(target, prop) {
        if (prop === 'acquireConnection') {
          return async () => wrapConnection(await target.acquireConnection());
        }
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });

  return {
    createAdapter: () => inner.createAdapter(),
    createDriver: () => wrapDriver(inner.createDriver()),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
  };
}
