import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { DialectName } from '../dialects/types.js';

/** Schema-builder helpers for what the three dialects spell differently. */
export class SchemaKit {
  constructor(readonly dialect: DialectName) {}

  /** Auto-increment integer primary key (`big` for tables that can outgrow 2^31 rows). */
  id<T extends string>(tb: CreateTableBuilder<T, never>, big = false): CreateTableBuilder<T, 'id'> {
    if (this.dialect === 'postgres') {
      return tb.addColumn('id', big ? 'bigserial' : 'serial', (c) => c.primaryKey());
    }
    if (this.dialect === 'sqlite') {
      return tb.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
    }
    return tb.addColumn('id', big ? 'bigint' : 'integer', (c) => c.primaryKey().autoIncrement());
  }

  /** Table options: MySQL tables are InnoDB, utf8mb4 with binary collation (exact, case-sensitive). */
  finish<T extends string, C extends string>(tb: CreateTableBuilder<T, C>): CreateTableBuilder<T, C> {
    return this.dialect === 'mysql' ? tb.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : tb;
  }

  /** The common `order`, `create_time`, `update_time` columns of every seed table. */
  common<T extends string, C extends string>(tb: CreateTableBuilder<T, C>) {
    return tb
      .addColumn('order', 'integer', (c) => c.defaultTo(50))
      .addColumn('create_time', 'bigint', (c) => c.notNull())
      .addColumn('update_time', 'bigint', (c) => c.notNull());
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDb = Kysely<any>;
