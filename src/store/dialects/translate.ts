import type { DatabaseConnection, Dialect, Driver } from 'kysely';
import { StoreError, storeBusy, waitBeforeRetry } from '../errors.js';
import type { DialectAdapter, DirectRunner } from './types.js';

const translator =
  (adapter: DialectAdapter) =>
  (e: unknown): StoreError =>
    e instanceof StoreError ? e : new StoreError(adapter.translateError(e) ?? 'unknown', e);

/** The adapter's direct runner (if it has one), its errors translated as the dialect's are. */
export function translatingDirect(adapter: DialectAdapter): DirectRunner | undefined {
  const run = adapter.direct;
  if (!run) return undefined;
  const translate = translator(adapter);
  return (sql, parameters) => {
    try {
      return run(sql, parameters);
    } catch (e) {
      throw translate(e);
    }
  };
}

/**
 * Wraps a dialect so that every driver error leaves Kysely as a StoreError of a shared kind:
 * repos and services never see driver codes. Other members are passed through untouched
 * (bound to their own object, as drivers keep private state).
 */
export function translatingDialect(adapter: DialectAdapter): Dialect {
  const inner = adapter.kysely;
  const translate = translator(adapter);

  // One wrapper per connection, made once (a connection is acquired for every query).
  const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const wrapConnection = (conn: DatabaseConnection): DatabaseConnection => {
    let w = wrapped.get(conn);
    if (w) return w;
    const executeQuery = async (q: Parameters<DatabaseConnection['executeQuery']>[0]) => {
      const started = Date.now();
      for (let attempt = 1; ; attempt++) {
        try {
          return await conn.executeQuery(q);
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
    w = new Proxy(conn, {
      get(target, prop) {
        if (prop === 'executeQuery') return executeQuery;
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    wrapped.set(conn, w);
    return w;
  };

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
