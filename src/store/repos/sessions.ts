import { sql } from 'kysely';
import type { SessionRecord, SessionRepo } from '../port.js';
import type { Ctx } from './base.js';

export class SessionRepository implements SessionRepo {
  constructor(private readonly ctx: Ctx) {}

  async put(s: SessionRecord): Promise<void> {
    const set = { sid: s.sid, role: s.role, create_time: s.create_time, expires_at: s.expires_at, device: s.device };
    await this.ctx.quirks.upsert(this.ctx.db.insertInto('session').values(s), ['user_id'], set).execute();
  }

  async join(s: SessionRecord, now: number): Promise<string> {
    // One statement decides, so two sign-ins from one device at the same moment end in one session.
    const device = s.device ?? '';
    const keep = sql<boolean>`(${sql.ref('session.device')} = ${device} and ${sql.ref('session.role')} = ${s.role} and ${sql.ref('session.expires_at')} > ${now})`;
    const pick = <T>(col: 'sid' | 'role' | 'device' | 'create_time', value: T) =>
      sql<T>`case when ${keep} then ${sql.ref(`session.${col}`)} else ${value} end`;
    // MySQL assigns left to right and later expressions see earlier assignments: `keep` reads
    // device, role and expires_at, so those are assigned after sid and create_time.
    const set = {
      sid: pick('sid', s.sid),
      create_time: pick('create_time', s.create_time),
      role: pick('role', s.role),
      device: pick('device', s.device),
      expires_at: s.expires_at,
    };
    await this.ctx.quirks.upsert(this.ctx.db.insertInto('session').values(s), ['user_id'], set).execute();
    const row = await this.ctx.db.selectFrom('session').select('sid').where('user_id', '=', s.user_id).executeTakeFirst();
    return row?.sid ?? s.sid;
  }

  get(userId: number): Promise<SessionRecord | undefined> {
    return this.ctx.db.selectFrom('session').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  async end(userId: number, sid: string): Promise<boolean> {
    const res = await this.ctx.db.deleteFrom('session').where('user_id', '=', userId).where('sid', '=', sid).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async endOthers(userId: number, sid: string): Promise<string[]> {
    const others = await this.ctx.db.selectFrom('session').select('sid').where('user_id', '=', userId).where('sid', '<>', sid).execute();
    if (others.length === 0) return [];
    await this.ctx.db.deleteFrom('session').where('user_id', '=', userId).where('sid', '<>', sid).execute();
    return others.map((o) => o.sid);
  }
}
