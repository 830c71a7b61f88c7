import type { SessionRecord, SessionRepo } from '../port.js';
import type { Ctx } from './base.js';

export class SessionRepository implements SessionRepo {
  constructor(private readonly ctx: Ctx) {}

  async put(s: SessionRecord): Promise<void> {
    const q = this.ctx.db.insertInto('session').values(s);
    const set = { sid: s.sid, role: s.role, create_time: s.create_time, expires_at: s.expires_at };
    await (this.ctx.dialect === 'mysql'
      ? q.onDuplicateKeyUpdate(set)
      : q.onConflict((oc) => oc.column('user_id').doUpdateSet(set))
    ).execute();
  }

  get(userId: number): Promise<SessionRecord | undefined> {
    return this.ctx.db.selectFrom('session').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  async end(userId: number, sid: string): Promise<boolean> {
    const res = await this.ctx.db
      .deleteFrom('session')
      .where('user_id', '=', userId)
      .where('sid', '=', sid)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async endOthers(userId: number, sid: string): Promise<string[]> {
    const others = await this.ctx.db
      .selectFrom('session')
      .select('sid')
      .where('user_id', '=', userId)
      .where('sid', '<>', sid)
      .execute();
    if (others.length === 0) return [];
    await this.ctx.db.deleteFrom('session').where('user_id', '=', userId).where('sid', '<>', sid).execute();
    return others.map((o) => o.sid);
  }
}
