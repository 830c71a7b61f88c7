import type { Migration } from 'kysely';
import type { AnyDb } from './helpers.js';

/**
 * `session.device`: the device id a session was started from (visitor routes send one), or NULL.
 * A new login from the same device retires the old session's sockets quietly instead of
 * signing that device out, and a visitor signing in again from its device joins its session.
 */
export const sessionDevice: Migration = {
  async up(db: AnyDb) {
    await db.schema.alterTable('session').addColumn('device', 'varchar(200)').execute();
  },
  async down(db: AnyDb) {
    await db.schema.alterTable('session').dropColumn('device').execute();
  },
};
