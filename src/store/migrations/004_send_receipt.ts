import type { Migration } from 'kysely';
import type { DialectName } from '../dialects/types.js';
import { SchemaKit, type AnyDb } from './helpers.js';

/**
 * `send_receipt`: which stored message a client id of a WebSocket `send` frame produced, per
 * sender (docs/protocol.md). Written in the message's transaction; the primary key makes a
 * resend on any node store nothing twice. Kept for a day (housekeeping).
 */
export function sendReceipt(dialect: DialectName): Migration {
  const k = new SchemaKit(dialect);
  return {
    async up(db: AnyDb) {
      await k
        .finish(
          db.schema
            .createTable('send_receipt')
            .addColumn('sender_id', 'integer', (c) => c.notNull().references('user.id').onDelete('cascade'))
            .addColumn('cid', 'varchar(64)', (c) => c.notNull())
            .addColumn('conversation_id', 'varchar(40)', (c) => c.notNull())
            .addColumn('msg_id', 'varchar(36)', (c) => c.notNull())
            .addColumn('create_time', 'bigint', (c) => c.notNull())
            .addPrimaryKeyConstraint('send_receipt_pk', ['sender_id', 'cid']),
        )
        .execute();
      await db.schema.createIndex('send_receipt_create_time').on('send_receipt').column('create_time').execute();
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('send_receipt').ifExists().execute();
    },
  };
}
