import { sql, type Insertable, type Kysely } from 'kysely';
import type { DialectName } from '../dialects/types.js';
import type { Database } from '../schema.js';

/** A Kysely handle (the database or an open transaction) and the dialect's quirks. */
export interface Ctx {
  db: Kysely<Database>;
  dialect: DialectName;
}

type TableWithId = { [K in keyof Database]: Database[K] extends { id: unknown } ? K : never }[keyof Database];

/** Inserts one row and returns its generated id (RETURNING where the dialect has it, insertId elsewhere). */
export async function insertReturningId<T extends TableWithId>(
  ctx: Ctx,
  table: T,
  values: Insertable<Database[T]>,
): Promise<number> {
  // Kysely cannot relate a generic table name to its row type; the signature above keeps callers checked.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const q = ctx.db.insertInto(table).values(values as any);
  if (ctx.dialect === 'postgres') {
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
