import type { Migration } from 'kysely';
import type { AnyDb } from './helpers.js';

/**
 * `conversation_member.left_seq`: the last message of the conversation a member who left may
 * still receive (NULL while they are a member). Leaving stops delivery of later messages without
 * losing earlier ones that were not delivered yet.
 */
export const memberLeftSeq: Migration = {
  async up(db: AnyDb) {
    await db.schema.alterTable('conversation_member').addColumn('left_seq', 'bigint').execute();
  },
  async down(db: AnyDb) {
    await db.schema.alterTable('conversation_member').dropColumn('left_seq').execute();
  },
};
