import type { Migration } from 'kysely';
import type { DialectName } from '../dialects/types.js';
import { SchemaKit, type AnyDb } from './helpers.js';

/**
 * The complete schema: the seed's tables (spec §3) with their column names, plus the tables the
 * seed kept in Redis or nowhere: sessions, durable messages with per-conversation sequence
 * numbers, read-diffusion delivery cursors, send counters and shared rate-limit windows.
 */
export function initialMigration(dialect: DialectName): Migration {
  const k = new SchemaKit(dialect);
  return {
    async up(db: AnyDb) {
      await k
        .finish(
          k.common(
            k
              .id(db.schema.createTable('user'))
              .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
              .addColumn('username', 'varchar(50)', (c) => c.notNull().unique())
              .addColumn('password', 'varchar(255)', (c) => c.notNull())
              .addColumn('nickname', 'varchar(50)', (c) => c.notNull().defaultTo(''))
              .addColumn('avatar', 'varchar(1000)')
              .addColumn('devicefingeruuid', 'varchar(200)', (c) => c.unique())
              .addColumn('uniplatform', 'varchar(100)', (c) => c.notNull().defaultTo(''))
              .addColumn('devicemodel', 'varchar(100)', (c) => c.notNull().defaultTo(''))
              .addColumn('deviceos', 'varchar(100)', (c) => c.notNull().defaultTo(''))
              .addColumn('devicebrand', 'varchar(100)', (c) => c.notNull().defaultTo(''))
              .addColumn('userset', 'text', (c) => c.notNull())
              .addColumn('invite_confirm', 'smallint', (c) => c.notNull().defaultTo(0))
              .addColumn('mobile', 'varchar(20)', (c) => c.unique())
              .addColumn('email', 'varchar(100)', (c) => c.unique())
              .addColumn('status', 'smallint', (c) => c.notNull().defaultTo(1))
              .addColumn('last_login', 'bigint')
              .addColumn('last_login_ip', 'varchar(45)')
              .addColumn('register_time', 'bigint', (c) => c.notNull())
              .addColumn('register_ip', 'varchar(45)')
              .addColumn('is_deleted', 'smallint', (c) => c.notNull().defaultTo(0))
              .addColumn('wechat_openid', 'varchar(128)', (c) => c.unique())
              .addColumn('qq_openid', 'varchar(128)', (c) => c.unique())
              .addColumn('weibo_uid', 'varchar(128)', (c) => c.unique())
              .addColumn('role', 'varchar(20)', (c) => c.notNull().defaultTo('user'))
              .addColumn('is_email_verified', 'smallint', (c) => c.notNull().defaultTo(0))
              .addColumn('is_mobile_verified', 'smallint', (c) => c.notNull().defaultTo(0)),
          ),
        )
        .execute();

      await k
        .finish(
          k.common(
            k
              .id(db.schema.createTable('user_info'))
              .addColumn('user_id', 'integer', (c) => c.notNull().unique().references('user.id').onDelete('cascade'))
              .addColumn('gender', 'varchar(10)', (c) => c.notNull().defaultTo('unknown'))
              .addColumn('birthday', 'bigint')
              .addColumn('bio', 'varchar(200)')
              .addColumn('location', 'varchar(100)')
              .addColumn('website', 'varchar(255)'),
          ),
        )
        .execute();

      for (const table of ['goodfriend', 'goodfriendapply'] as const) {
        let tb = k
          .id(db.schema.createTable(table))
          .addColumn('user_id', 'integer', (c) => c.notNull().references('user.id').onDelete('cascade'))
          .addColumn('friend_id', 'integer', (c) => c.notNull().references('user.id').onDelete('cascade'))
          .addColumn('nickname', 'varchar(50)', (c) => c.notNull().defaultTo(''))
          .addColumn('friendlookme', 'smallint', (c) => c.notNull().defaultTo(1))
          .addColumn('melookfriend', 'smallint', (c) => c.notNull().defaultTo(1))
          .addColumn('ismystarfriend', 'smallint', (c) => c.notNull().defaultTo(0))
          .addColumn('isblack', 'smallint', (c) => c.notNull().defaultTo(0));
        tb =
          table === 'goodfriend'
            ? tb.addColumn('status', 'smallint', (c) => c.notNull().defaultTo(1))
            : tb
                .addColumn('status', 'varchar(10)', (c) => c.notNull().defaultTo('pending'))
                .addColumn('active_key', 'varchar(40)', (c) => c.unique());
        await k.finish(k.common(tb)).execute();
      }
      await db.schema.createIndex('goodfriend_pair').on('goodfriend').columns(['user_id', 'friend_id']).unique().execute();
      await db.schema.createIndex('goodfriend_friend').on('goodfriend').column('friend_id').execute();
      await db.schema.createIndex('goodfriendapply_target').on('goodfriendapply').columns(['friend_id', 'status']).execute();
      await db.schema.createIndex('goodfriendapply_applicant').on('goodfriendapply').column('user_id').execute();

      await k
        .finish(
          k.common(
            k
              .id(db.schema.createTable('group'))
              .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
              .addColumn('user_id', 'integer', (c) => c.notNull().references('user.id').onDelete('cascade'))
              .addColumn('name', 'varchar(50)', (c) => c.notNull())
              .addColumn('avatar', 'varchar(4000)')
              .addColumn('remark', 'text')
              .addColumn('invite_confirm', 'smallint', (c) => c.notNull().defaultTo(0))
              .addColumn('status', 'smallint', (c) => c.notNull().defaultTo(1)),
          ),
        )
        .execute();
      await db.schema.createIndex('group_owner').on('group').column('user_id').execute();

      await k
        .finish(
          k.common(
            k
              .id(db.schema.createTable('group_user'))
              .addColumn('group_id', 'integer', (c) => c.notNull().references('group.id').onDelete('cascade'))
              .addColumn('user_id', 'integer', (c) => c.notNull().references('user.id').onDelete('cascade'))
              .addColumn('nickname', 'varchar(50)', (c) => c.defaultTo(''))
              .addColumn('avatar', 'varchar(1000)', (c) => c.defaultTo(''))
              .addColumn('status', 'smallint', (c) => c.notNull().defaultTo(1)),
          ),
        )
        .execute();
      await db.schema.createIndex('group_user_member').on('group_user').columns(['group_id', 'user_id']).unique().execute();
      await db.schema.createIndex('group_user_user').on('group_user').column('user_id').execute();

      await k
        .finish(
          k
            .id(db.schema.createTable('chat_complaint'))
            .addColumn('user_id', 'integer', (c) => c.notNull())
            .addColumn('target_id', 'integer', (c) => c.notNull())
            .addColumn('target_type', 'varchar(10)', (c) => c.notNull())
            .addColumn('target_name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
            .addColumn('reason', 'varchar(500)', (c) => c.notNull())
            .addColumn('content', 'text')
            .addColumn('images', 'text')
            .addColumn('complaint_chatinfo', 'text')
            .addColumn('status', 'smallint', (c) => c.notNull().defaultTo(0))
            .addColumn('admin_reply', 'text')
            .addColumn('is_deleted', 'smallint', (c) => c.notNull().defaultTo(0))
            .addColumn('create_time', 'bigint', (c) => c.notNull())
            .addColumn('update_time', 'bigint', (c) => c.notNull()),
        )
        .execute();
      await db.schema.createIndex('chat_complaint_user').on('chat_complaint').column('user_id').execute();
      await db.schema.createIndex('chat_complaint_target').on('chat_complaint').columns(['target_id', 'target_type']).execute();

      await k
        .finish(
          db.schema
            .createTable('session')
            .addColumn('user_id', 'integer', (c) => c.primaryKey().references('user.id').onDelete('cascade'))
            .addColumn('sid', 'varchar(36)', (c) => c.notNull())
            .addColumn('role', 'varchar(20)', (c) => c.notNull())
            .addColumn('create_time', 'bigint', (c) => c.notNull())
            .addColumn('expires_at', 'bigint', (c) => c.notNull()),
        )
        .execute();

      await k
        .finish(
          db.schema
            .createTable('conversation')
            .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
            .addColumn('kind', 'varchar(10)', (c) => c.notNull())
            .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
            .addColumn('create_time', 'bigint', (c) => c.notNull()),
        )
        .execute();

      await k
        .finish(
          db.schema
            .createTable('conversation_member')
            .addColumn('conversation_id', 'varchar(40)', (c) => c.notNull().references('conversation.id').onDelete('cascade'))
            .addColumn('user_id', 'integer', (c) => c.notNull().references('user.id').onDelete('cascade'))
            .addColumn('delivered_seq', 'bigint', (c) => c.notNull().defaultTo(0))
            .addColumn('joined_seq', 'bigint', (c) => c.notNull().defaultTo(0))
            .addPrimaryKeyConstraint('conversation_member_pk', ['conversation_id', 'user_id']),
        )
        .execute();
      await db.schema.createIndex('conversation_member_user').on('conversation_member').column('user_id').execute();

      await k
        .finish(
          k
            .id(db.schema.createTable('message'), true)
            .addColumn('msg_id', 'varchar(36)', (c) => c.notNull())
            .addColumn('conversation_id', 'varchar(40)', (c) => c.notNull().references('conversation.id').onDelete('cascade'))
            .addColumn('seq', 'bigint', (c) => c.notNull())
            .addColumn('sender_id', 'integer')
            .addColumn('chat_type', 'varchar(10)', (c) => c.notNull())
            .addColumn('type', 'varchar(50)', (c) => c.notNull())
            .addColumn('body', 'text', (c) => c.notNull())
            .addColumn('revoked', 'smallint', (c) => c.notNull().defaultTo(0))
            .addColumn('create_time', 'bigint', (c) => c.notNull()),
        )
        .execute();
      await db.schema.createIndex('message_conversation_seq').on('message').columns(['conversation_id', 'seq']).unique().execute();
      await db.schema.createIndex('message_msg_id').on('message').column('msg_id').execute();
      await db.schema.createIndex('message_create_time').on('message').column('create_time').execute();

      await k
        .finish(
          db.schema
            .createTable('send_counter')
            .addColumn('sender_id', 'integer', (c) => c.notNull().references('user.id').onDelete('cascade'))
            .addColumn('recipient_id', 'integer', (c) => c.notNull().references('user.id').onDelete('cascade'))
            .addColumn('count', 'integer', (c) => c.notNull().defaultTo(0))
            .addPrimaryKeyConstraint('send_counter_pk', ['sender_id', 'recipient_id']),
        )
        .execute();

      await k
        .finish(
          db.schema
            .createTable('rate_limit')
            .addColumn('key', 'varchar(191)', (c) => c.primaryKey())
            .addColumn('count', 'integer', (c) => c.notNull())
            .addColumn('reset_at', 'bigint', (c) => c.notNull()),
        )
        .execute();
      await db.schema.createIndex('rate_limit_reset').on('rate_limit').column('reset_at').execute();
    },

    async down(db: AnyDb) {
      for (const t of [
        'rate_limit',
        'send_counter',
        'message',
        'conversation_member',
        'conversation',
        'session',
        'chat_complaint',
        'group_user',
        'group',
        'goodfriendapply',
        'goodfriend',
        'user_info',
        'user',
      ]) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}
