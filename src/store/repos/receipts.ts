import type { ReceiptRepo, SendReceipt } from '../port.js';
import { precompiled, type Ctx } from './base.js';

const insertReceipt = precompiled((db, sender_id: number, cid: string, conversation_id: string, msg_id: string, create_time: number) =>
  db.insertInto('send_receipt').values({ sender_id, cid, conversation_id, msg_id, create_time }),
);

const findBody = precompiled((db, sender_id: number, cid: string) =>
  db
    .selectFrom('send_receipt as r')
    .innerJoin('message as m', (j) => j.onRef('m.conversation_id', '=', 'r.conversation_id').onRef('m.msg_id', '=', 'r.msg_id'))
    .select(['m.conversation_id', 'm.seq', 'm.body'])
    .where('r.sender_id', '=', sender_id)
    .where('r.cid', '=', cid)
    .orderBy('m.seq')
    .limit(1),
);

/** Client ids of WebSocket sends and the message each one stored. */
export class ReceiptRepository implements ReceiptRepo {
  constructor(private readonly ctx: Ctx) {}

  async record(r: SendReceipt): Promise<void> {
    await insertReceipt(this.ctx, r.sender_id, r.cid, r.conversation_id, r.msg_id, r.create_time);
  }

  async find(senderId: number, cid: string): Promise<{ conversation_id: string; seq: number; body: string } | undefined> {
    const [row] = await findBody(this.ctx, senderId, cid);
    return row && { conversation_id: row.conversation_id, seq: Number(row.seq), body: row.body };
  }

  async purgeBefore(cutoff: number, limit: number): Promise<number> {
    const { db, quirks } = this.ctx;
    if (quirks.deleteWithLimit) {
      const res = await db.deleteFrom('send_receipt').where('create_time', '<', cutoff).limit(limit).executeTakeFirst();
      return Number(res.numDeletedRows);
    }
    // The oldest `limit` receipts by time (a few more when times tie): no row-value IN needed.
    const edge = await db
      .selectFrom('send_receipt')
      .select('create_time')
      .where('create_time', '<', cutoff)
      .orderBy('create_time')
      .offset(limit - 1)
      .limit(1)
      .executeTakeFirst();
    const before = edge ? Math.min(cutoff, Number(edge.create_time) + 1) : cutoff;
    const res = await db.deleteFrom('send_receipt').where('create_time', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
