import { sql, type Compilable, type CompiledQuery, type Insertable, type Kysely } from 'kysely';
import type { RepoQuirks } from '../dialects/quirks.js';
import type { DialectName, DirectRunner } from '../dialects/types.js';
import type { Database } from '../schema.js';

/** A Kysely handle (the database or an open transaction) and the dialect's quirks. */
export interface Ctx {
  db: Kysely<Database>;
  /** Names the database for caches of compiled SQL only; behaviour follows `quirks`. */
  dialect: DialectName;
  quirks: RepoQuirks;
  /** Inside a transaction on SQLite: runs precompiled statements straight on the connection. */
  direct?: DirectRunner;
}

type TableWithId = { [K in keyof Database]: Database[K] extends { id: unknown } ? K : never }[keyof Database];

/** Inserts one row and returns its generated id (RETURNING where the dialect has it, insertId elsewhere). */
export async function insertReturningId<T extends TableWithId>(ctx: Ctx, table: T, values: Insertable<Database[T]>): Promise<number> {
  // Kysely cannot relate a generic table name to its row type; the signature above keeps callers checked.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const q = ctx.db.insertInto(table).values(values as any);
  if (ctx.quirks.returning) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const row = await q.returning('id' as any).executeTakeFirstOrThrow();
    return Number((row as { id: unknown }).id);
  }
  const res = await q.executeTakeFirstOrThrow();
  return Number(res.insertId);
}

/** Rows of a directed pair table (`user_id`, `friend_id`) between two users, in either direction. */
export const eitherDirection = (a: number, b: number) =>
  sql<boolean>`((${sql.ref('user_id')} = ${a} and ${sql.ref('friend_id')} = ${b}) or (${sql.ref('user_id')} = ${b} and ${sql.ref('friend_id')} = ${a}))`;

const MARK = '\u0000natter-parameter-';

/**
 * A query built and compiled to SQL once per dialect, then run with each call's values. Kysely
 * otherwise builds and compiles the query tree on every call, which on the message path costs
 * about as much as SQLite running the statement. `build` receives stand-ins for the arguments
 * and must use each one as a plain bound value (not inside `in` lists or SQL text), so that the
 * compiled parameters can be swapped one for one; a query where that fails is refused the first
 * time it is built.
 */
export function precompiled<A extends unknown[], R>(
  build: (db: Kysely<Database>, ...args: A) => Compilable<R>,
): (ctx: Ctx, ...args: A) => Promise<R[]> {
  const compiled = new Map<DialectName, { query: CompiledQuery<R>; slots: number[] }>();
  return async (ctx, ...args) => {
    let c = compiled.get(ctx.dialect);
    if (!c) {
      const marks = args.map((_, i) => `${MARK}${i}`) as A;
      const query = build(ctx.db, ...marks).compile();
      const slots = query.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? Number(p.slice(MARK.length)) : -1));
      if (args.some((_, i) => !slots.includes(i)) || query.sql.includes(MARK)) {
        throw new Error(`precompiled query does not bind every argument as a value: ${query.sql}`);
      }
      c = { query, slots };
      compiled.set(ctx.dialect, c);
    }
    const { query, slots } = c;
    const parameters = slots.map((slot, i) => (slot >= 0 ? args[slot] : query.parameters[i]));
    if (ctx.direct) return ctx.direct(query.sql, parameters) as R[];
    return (await ctx.db.executeQuery<R>({ ...query, parameters })).rows;
  };
}
