import type { GroupRepo } from '../port.js';
import type { Ctx } from './base.js';

export class GroupRepository implements GroupRepo {
  constructor(private readonly ctx: Ctx) {}

  async hasActiveMembership(userId: number): Promise<boolean> {
    const row = await this.ctx.db
      .selectFrom('group_user')
      .select('id')
      .where('user_id', '=', userId)
      .where('status', '=', 1)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}
