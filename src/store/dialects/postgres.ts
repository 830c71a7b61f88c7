import pg from 'pg';
import { PostgresDialect } from 'kysely';
import type { DialectAdapter } from './types.js';

const INT8 = 20;

/**
 * `onError` hears errors of idle pooled connections (the server restarted, the network dropped);
 * without a listener they would crash the process. The pool replaces such connections by itself.
 */
export function createPostgres(url: string, onError: (err: Error) => void = () => undefined): DialectAdapter {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // Counts and ids come back as int8; every value we store fits in a double.
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format),
    } as pg.CustomTypesConfig,
  });
  pool.on('error', onError);
  return {
    name: 'postgres',
    kysely: new PostgresDialect({ pool }),
    upsertStyle: 'on_conflict',
    translateError(err) {
      const code = (err as { code?: unknown }).code;
      if (code === '23505') return 'unique_violation';
      if (code === '23503') return 'foreign_key_violation';
      if (code === '40001' || code === '40P01') return 'retryable';
      return undefined;
    },
  };
}
