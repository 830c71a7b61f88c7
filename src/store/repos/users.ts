import { sql } from 'kysely';
import type { UserSearchRow } from '../../domain/friend.js';
import { EMPTY_PROFILE, UserStatus, type User, type UserInfo } from '../../domain/user.js';
import type { NewUser, SessionRecord, UserPatch, UserRepo } from '../port.js';
import { insertReturningId, precompiled, type Ctx } from './base.js';

const DEFAULTS = {
  nickname: '',
  devicefingeruuid: null,
  uniplatform: '',
  devicemodel: '',
  deviceos: '',
  devicebrand: '',
  userset: '',
  invite_confirm: 0,
  mobile: null,
  email: null,
  last_login: null,
  last_login_ip: null,
  register_ip: null,
  is_deleted: 0,
  wechat_openid: null,
  qq_openid: null,
  weibo_uid: null,
  is_email_verified: 0,
  is_mobile_verified: 0,
  order: 50,
} satisfies Partial<User>;

const byId = precompiled((db, id: number) => db.selectFrom('user').selectAll().where('id', '=', id));

const withSession = precompiled((db, id: number) =>
  db
    .selectFrom('user')
    .leftJoin('session', 'session.user_id', 'user.id')
    .selectAll('user')
    .select([
      'session.sid as s_sid',
      'session.role as s_role',
      'session.create_time as s_create_time',
      'session.expires_at as s_expires_at',
      'session.device as s_device',
    ])
    .where('user.id', '=', id),
);

export class UserRepository implements UserRepo {
  constructor(private readonly ctx: Ctx) {}

  private get db() {
    return this.ctx.db;
  }

  async findById(id: number): Promise<User | undefined> {
    return (await byId(this.ctx, id))[0];
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('user').selectAll().where('username', '=', username).executeTakeFirst();
    // MySQL collations compare with trailing spaces ignored: only an exact match counts.
    return row && row.username === username ? row : undefined;
  }

  findByUuid(uuid: string): Promise<User | undefined> {
    return this.db.selectFrom('user').selectAll().where('uuid', '=', uuid).executeTakeFirst();
  }

  async findActiveByIds(ids: number[]): Promise<User[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('user').selectAll().where('id', 'in', ids).where('status', '=', UserStatus.active).orderBy('id').execute();
  }

  async findByDevice(deviceId: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('user').selectAll().where('devicefingeruuid', '=', deviceId).executeTakeFirst();
    return row && row.devicefingeruuid === deviceId ? row : undefined;
  }

  async create(user: NewUser, now: number): Promise<User> {
    const id = await insertReturningId(this.ctx, 'user', {
      ...DEFAULTS,
      ...user,
      register_time: now,
      create_time: now,
      update_time: now,
    });
    await insertReturningId(this.ctx, 'user_info', {
      user_id: id,
      ...EMPTY_PROFILE,
      create_time: now,
      update_time: now,
    });
    const row = await this.findById(id);
    if (!row) throw new Error(`user ${id} vanished after insert`);
    return row;
  }

  async update(id: number, patch: UserPatch, now: number): Promise<void> {
    await this.db
      .updateTable('user')
      .set({ ...patch, update_time: now })
      .where('id', '=', id)
      .execute();
  }

  findInfo(userId: number): Promise<UserInfo | undefined> {
    return this.db
      .selectFrom('user_info')
      .select(['id', 'user_id', 'gender', 'birthday', 'bio', 'location', 'website'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  async findWithSession(id: number): Promise<{ user: User; session: SessionRecord | undefined } | undefined> {
    const [row] = await withSession(this.ctx, id);
    if (!row) return undefined;
    const { s_sid, s_role, s_create_time, s_expires_at, s_device, ...user } = row;
    const session =
      s_sid === null
        ? undefined
        : {
            user_id: id,
            sid: s_sid,
            role: s_role ?? '',
            create_time: s_create_time ?? 0,
            expires_at: s_expires_at ?? 0,
            device: s_device ?? null,
          };
    return { user, session };
  }

  async sessionStates(ids: number[]): Promise<{ id: number; status: number; sid: string | null; expires_at: number | null }[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom('user')
      .leftJoin('session', 'session.user_id', 'user.id')
      .select(['user.id as id', 'user.status as status', 'session.sid as sid', 'session.expires_at as expires_at'])
      .where('user.id', 'in', ids)
      .execute();
  }

  search(keyword: string, excludeId: number, limit: number): Promise<UserSearchRow[]> {
    const escaped = keyword.toLowerCase().replace(/[!%_]/g, '!$&');
    const name = sql<string>`lower(${sql.ref('username')})`;
    return this.db
      .selectFrom('user')
      .select(['id', 'username', 'avatar', 'role', 'uuid', 'nickname'])
      .where(sql<boolean>`${name} like ${`%${escaped}%`} escape '!'`)
      .where('status', '=', UserStatus.active)
      .where('role', '<>', 'visitor')
      .where('id', '<>', excludeId)
      .orderBy(sql`case when ${name} = ${keyword.toLowerCase()} then 0 when ${name} like ${`${escaped}%`} escape '!' then 1 else 2 end`)
      .orderBy(sql`length(${sql.ref('username')})`)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  activeAfter(afterId: number, limit: number): Promise<User[]> {
    return this.db
      .selectFrom('user')
      .selectAll()
      .where('id', '>', afterId)
      .where('status', '=', UserStatus.active)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  async counts(): Promise<{ registered: number; visitors: number; disabled: number }> {
    const rows = await this.db
      .selectFrom('user')
      .select((eb) => [
        'role',
        eb.fn.countAll<number | string>().as('n'),
        eb.fn.sum<number | string | null>(eb.case().when('status', '=', UserStatus.disabled).then(1).else(0).end()).as('off'),
      ])
      .groupBy('role')
      .execute();
    const out = { registered: 0, visitors: 0, disabled: 0 };
    for (const r of rows) {
      if (r.role === 'visitor') out.visitors += Number(r.n);
      else out.registered += Number(r.n);
      out.disabled += Number(r.off ?? 0);
    }
    return out;
  }
}
