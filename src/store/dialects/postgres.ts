import { PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { onConflictQuirks } from './quirks.js';
import type { DialectAdapter } from './types.js';

const INT8 = 20;

/** Distinct statements kept prepared per connection at most. */
const MAX_PREPARED = 256;
/**
 * `cached plan must not change result type`: a prepared `select *` after its table changed.
 * Its code, 0A000, is PostgreSQL's general "feature not supported", hence the message check.
 */
const planChanged = (e: unknown): boolean =>
  (e as { code?: unknown }).code === '0A000' &&
  /cached plan must not change result type/.test(String((e as { message?: unknown }).message));

/**
 * Runs repeated statements as named prepared statements: PostgreSQL then parses and plans each
 * one once per connection instead of on every call, which was most of its CPU per message.
 * Statements without parameters (BEGIN, COMMIT…) and `in (…)` lists of varying length stay
 * unnamed. When a table changes under a prepared `select *` (a migration run by another node),
 * PostgreSQL refuses the old plan: the statement gets a new name; outside a transaction it is run
 * again at once, inside one the error is reported as retryable and the transaction runs again.
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  let generation = 0;
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED && !/\bin \(\$/i.test(text)) {
      name = `natter_${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  const renamed = (text: string) => names.set(text, `natter_${names.size}_${++generation}`);
  return {
    connect: async (): Promise<PostgresPoolClient> => {
      const client = await pool.connect();
      let inTransaction = false;
      const query = async (text: string, values: unknown[]) => {
        const head = text.trimStart().slice(0, 8).toLowerCase();
        if (head.startsWith('begin') || head.startsWith('start')) inTransaction = true;
        else if (head.startsWith('commit') || head.startsWith('rollback')) inTransaction = false;
        const name = values.length > 0 ? nameOf(text) : undefined;
        if (!name) return client.query(text, values);
        try {
          return await client.query({ name, text, values });
        } catch (e) {
          if (!planChanged(e)) throw e;
          renamed(text);
          if (inTransaction) throw e;
          return client.query({ name: names.get(text), text, values });
        }
      };
      return { query, release: () => client.release() } as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

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
    kysely: new PostgresDialect({ pool: preparingPool(pool) }),
    quirks: onConflictQuirks({ singleWriter: false }),
    translateError(err) {
      const code = (err as { code?: unknown }).code;
      if (code === '23505') return 'unique_violation';
      if (code === '23503') return 'foreign_key_violation';
      if (code === '40001' || code === '40P01' || planChanged(err)) return 'retryable';
      return undefined;
    },
  };
}
