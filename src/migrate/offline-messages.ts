import { Conversation } from '../domain/message.js';
import type { ImportTarget } from '../store/import-target.js';
import type { ImportOptions, ImportReport, Progress, TableSummary } from './report.js';
import { mapOfflineMessage } from './seed-rows.js';
import type { SeedRedis } from './seed-source.js';

/** What the offline copy shares with the table copy before it. */
export interface OfflineRun {
  target: ImportTarget;
  o: ImportOptions;
  report: ImportReport;
  progress: Progress;
  /** Users present in Natter after the table copy. */
  users: ReadonlySet<number>;
  reject(table: string, id: string | number, reason: string, summary?: TableSummary): void;
}

/**
 * The offline lists `chat_getmessage_<userId>` into each user's notice stream (`u:<userId>`),
 * in list order, so that the user is pushed them once on the next catch-up. A message whose id
 * the stream already holds is skipped; with `consume`, a list taken whole is trimmed from Redis.
 */
export class OfflineCopy {
  constructor(private readonly r: OfflineRun) {}

  async run(redis: SeedRedis): Promise<void> {
    const summary: TableSummary = { table: 'offline message', read: 0, written: 0, skipped: 0, rejected: 0 };
    this.r.report.tables.push(summary);
    const keys = await redis.lists();
    let lastReport = 0;
    for (const key of keys) {
      const list = await redis.read(key);
      summary.read += list.entries.length;
      const taken = await this.copyList(list.key, list.userId, list.entries, summary);
      if (taken && this.r.o.consume && !this.r.o.dryRun && list.entries.length > 0) {
        await redis.consume(key, list.entries.length);
        this.r.report.consumedLists++;
      }
      if (summary.read - lastReport >= this.r.o.batchSize) {
        lastReport = summary.read;
        this.r.progress(`offline messages: ${summary.read} read from ${keys.indexOf(key) + 1}/${keys.length} lists`);
      }
    }
    this.r.progress(
      `offline messages: ${summary.read} read from ${keys.length} lists, ${summary.written} ${this.r.o.dryRun ? 'to write' : 'written'}, ${summary.skipped} already there, ${summary.rejected} rejected`,
    );
  }

  /** One user's list, in order, into their notice stream; returns whether every entry is now in Natter. */
  private async copyList(key: string, userId: number | undefined, entries: string[], summary: TableSummary): Promise<boolean> {
    if (userId === undefined || !this.r.users.has(userId)) {
      if (entries.length > 0) {
        const why = userId === undefined ? 'the key does not name a user id' : `user ${userId} is not an imported user`;
        this.r.reject('offline message', key, `${entries.length} message(s) not imported: ${why}`);
        summary.rejected += entries.length;
      }
      return false;
    }
    const conversation = Conversation.notices(userId);
    const mapped = entries.map((e) => mapOfflineMessage(userId, e, this.r.o.now));
    const stored = await this.r.target.storedMessageIds(
      conversation,
      mapped.flatMap((m) => (m.ok ? [m.message.msgId] : [])),
    );
    let complete = true;
    const fresh = [];
    for (const [i, m] of mapped.entries()) {
      if (!m.ok) {
        this.r.reject('offline message', `${key}[${i}]`, m.reason, summary);
        complete = false;
      } else if (stored.has(m.message.msgId)) {
        summary.skipped++;
      } else {
        stored.add(m.message.msgId);
        fresh.push(m.message);
      }
    }
    for (let i = 0; i < fresh.length; i += this.r.o.batchSize) {
      const part = fresh.slice(i, i + this.r.o.batchSize).map((m) => ({
        msg_id: m.msgId,
        conversation_id: conversation,
        kind: 'notice' as const,
        members: [userId],
        sender_id: null,
        chat_type: m.chatType,
        type: m.type,
        body: m.body,
        create_time: m.createTime,
      }));
      await this.r.target.write((w) => w.append(part));
      summary.written += part.length;
    }
    return complete;
  }
}
