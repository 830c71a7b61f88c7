import type { Bus } from '../bus/port.js';
import { userTopic } from '../bus/topics.js';
import type { Clock } from '../domain/clock.js';
import type { UserEvent } from '../domain/events.js';
import { failure, type FailureKey } from '../domain/failures.js';
import type { Log } from '../domain/log.js';
import { Conversation, messageJson, type ChatMessage } from '../domain/message.js';
import { isUniqueViolation } from '../store/errors.js';
import type { CursorAdvance, Repos, Store, StoredMessage } from '../store/port.js';

/**
 * How long delivery cursors wait to be saved together. Nobody waits for them (messages are
 * answered when stored); at light load it turns one COMMIT per delivered message into one per
 * few milliseconds. The cost: after a crash, what was written to sockets in the last few
 * milliseconds is sent again on the next catch-up (clients key messages by id).
 */
const CURSOR_FLUSH_DELAY_MS = 5;

/** One message to store and push. */
export interface Outgoing {
  conversation: string;
  kind: 'single' | 'group' | 'notice';
  /** Members of the conversation (created with the conversation when missing). */
  members: number[];
  /** Who sent it (receives an `own` event, not the message); null when every receiver gets it. */
  senderId: number | null;
  /** Who is pushed the message now. */
  receivers: number[];
  message: ChatMessage;
}

/** A message for the group's conversation: stored once, pushed to the given members; with a sender it is not pushed back to them. */
export function toGroup(groupId: number, message: ChatMessage, receivers: number[], senderId: number | null): Outgoing {
  return { conversation: Conversation.group(groupId), kind: 'group', members: [], senderId, receivers, message };
}

/** A message for one user's own notice stream. */
export function toUser(userId: number, message: ChatMessage): Outgoing {
  return { conversation: Conversation.notices(userId), kind: 'notice', members: [userId], senderId: null, receivers: [userId], message };
}

/** A message of a 1:1 conversation (one's own notes: `from === to`). */
export function toPair(from: number, to: number, message: ChatMessage): Outgoing {
  const self = from === to;
  return {
    conversation: Conversation.pair(from, to),
    kind: 'single',
    members: self ? [from] : [from, to],
    senderId: self ? null : from,
    receivers: [to],
    message,
  };
}

export interface DeliveryFaults {
  /** Store but never publish: simulates a node that dies between commit and push. */
  skipPublish?: boolean;
}

export interface DeliveryListener {
  stored?(count: number): void;
  published?(count: number): void;
  publishFailed?(err: unknown): void;
  delivered?(count: number, latencyMs: number): void;
}

/**
 * The one delivery path of every feature that pushes (DESIGN §5): the message is committed with
 * its conversation sequence number first; then each receiver's bus topic carries it to the node
 * holding that receiver's socket, which writes it and only then moves the receiver's cursor.
 * Whatever was not pushed stays behind the cursor and is sent by `drain` (chatGetmessageOffLine).
 */
export class DeliveryService {
  private readonly pendingCursors = new Map<string, CursorAdvance>();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private listeners: DeliveryListener[] = [];

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly log: Log,
    private readonly faults: DeliveryFaults = {},
  ) {}

  listen(l: DeliveryListener): void {
    this.listeners.push(l);
  }

  /**
   * The one way a feature changes data and tells people (DESIGN §5): `write` (if any) and the
   * messages commit in one transaction, the pushes go out after the COMMIT, and the call resolves
   * then, with what `write` returned. `out` may be built from that result (an id known only inside
   * the transaction). A unique violation in the transaction becomes `onConflict` when given.
   * With `messagesFirst` the messages are stored before `write` runs: a conversation that `write`
   * closes (members leaving) still delivers them.
   */
  async commit<T = void>(
    out: Outgoing[] | ((written: T) => Outgoing[]),
    write?: (tx: Repos) => Promise<T>,
    o: { onConflict?: FailureKey; messagesFirst?: boolean } = {},
  ): Promise<T> {
    return (await this.commitWithSeqs(out, write, o)).written;
  }

  /**
   * `commit` of one message, answering its sequence number in its conversation too. `committed`
   * hears that number after the COMMIT and before the message is published: what it does comes
   * before anything the push causes.
   */
  async commitOne<T = void>(
    out: Outgoing,
    write?: (tx: Repos) => Promise<T>,
    committed?: (seq: number) => void,
  ): Promise<{ seq: number; written: T }> {
    const { written, seqs } = await this.commitWithSeqs([out], write, {}, (s) => committed?.(s[0] ?? 0));
    return { seq: seqs[0] ?? 0, written };
  }

  private async commitWithSeqs<T>(
    out: Outgoing[] | ((written: T) => Outgoing[]),
    write: ((tx: Repos) => Promise<T>) | undefined,
    o: { onConflict?: FailureKey; messagesFirst?: boolean },
    committed?: (seqs: number[]) => void,
  ): Promise<{ written: T; seqs: number[] }> {
    let items: Outgoing[] = [];
    const { written, seqs } = await this.store
      .transaction(async (tx) => {
        if (o.messagesFirst && typeof out !== 'function') {
          const first = await this.append(tx, (items = out));
          return { written: (write ? await write(tx) : undefined) as T, seqs: first };
        }
        const w = (write ? await write(tx) : undefined) as T;
        items = typeof out === 'function' ? out(w) : out;
        return { written: w, seqs: await this.append(tx, items) };
      })
      .catch((e: unknown) => {
        if (o.onConflict && isUniqueViolation(e)) throw failure(o.onConflict);
        throw e;
      });
    try {
      committed?.(seqs);
    } catch (err) {
      this.log.error({ err }, 'a commit listener failed');
    }
    this.publishAll(items, seqs);
    return { written, seqs };
  }

  private async append(tx: Repos, items: Outgoing[]): Promise<number[]> {
    const seqs: number[] = [];
    for (const o of items) {
      seqs.push(
        await tx.messages.append({
          msg_id: o.message.id,
          conversation_id: o.conversation,
          kind: o.kind,
          members: o.members,
          sender_id: o.senderId,
          chat_type: o.message.chatType,
          type: o.message.type,
          body: messageJson(o.message),
          create_time: o.message.create_time,
        }),
      );
    }
    return seqs;
  }

  private publishAll(items: Outgoing[], seqs: number[]): void {
    if (items.length === 0) return;
    for (const l of this.listeners) l.stored?.(items.length);
    if (this.faults.skipPublish) return;
    items.forEach((o, i) => {
      const seq = seqs[i] ?? 0;
      const push: UserEvent = { v: 1, type: 'push', conv: o.conversation, seq, msg: o.message };
      this.publishTo(o.receivers, push);
      if (o.senderId !== null) this.publishTo([o.senderId], { v: 1, type: 'own', conv: o.conversation, seq });
    });
  }

  /** Asks the node holding the user's socket to push everything waiting for them. */
  requestDrain(userId: number): Promise<void> {
    return this.bus.publish(userTopic(userId), { v: 1, type: 'drain' });
  }

  /** One event for several users: it travels once (a group message is one bus message per node). */
  private publishTo(userIds: number[], event: UserEvent): void {
    if (userIds.length === 0) return;
    this.bus.publishMany(userIds.map(userTopic), event).then(
      () => {
        for (const l of this.listeners) l.published?.(userIds.length);
      },
      (err: unknown) => {
        for (const l of this.listeners) l.publishFailed?.(err);
        const who = userIds.length === 1 ? { userId: userIds[0] } : { users: userIds.length };
        this.log.warn({ err, ...who, type: event.type }, 'bus publish failed; the message waits for chatGetmessageOffLine');
      },
    );
  }

  // ---- used by the node that holds a socket ----

  cursors(userId: number): Promise<Map<string, number>> {
    return this.store.messages.cursors(userId);
  }

  /** The stored cursor, or undefined when the user is not a member of the conversation. */
  cursor(conversation: string, userId: number): Promise<number | undefined> {
    return this.store.messages.cursor(conversation, userId);
  }

  pending(userId: number, afterId: number, limit: number): Promise<StoredMessage[]> {
    return this.store.messages.pending(userId, afterId, limit);
  }

  range(conversation: string, fromSeq: number, toSeq: number): Promise<StoredMessage[]> {
    return this.store.messages.range(conversation, fromSeq, toSeq);
  }

  countPending(userId: number): Promise<number> {
    return this.store.messages.countPending(userId);
  }

  countAllPending(): Promise<number> {
    return this.store.messages.countAllPending();
  }

  /**
   * Records that `seq` of `conversation` was written to the user's socket. Cursor writes made
   * within CURSOR_FLUSH_DELAY_MS are coalesced into one transaction, one statement per
   * (conversation, seq). Sockets opening or closing, and shutdown, flush at once.
   */
  delivered(conversation: string, userId: number, seq: number, createTime?: number): void {
    const key = `${conversation}\u0000${userId}`;
    const prev = this.pendingCursors.get(key);
    if (!prev || prev.seq < seq) this.pendingCursors.set(key, { conversation_id: conversation, user_id: userId, seq });
    if (createTime !== undefined) for (const l of this.listeners) l.delivered?.(1, this.clock.now() - createTime);
    this.flushTimer ??= setTimeout(() => void this.flush(), CURSOR_FLUSH_DELAY_MS);
  }

  /** Writes the coalesced cursors now. */
  flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = [...this.pendingCursors.values()];
    this.pendingCursors.clear();
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing
      .then(() => this.store.transaction((tx) => tx.messages.advance(batch)))
      .catch((err: unknown) => {
        // Not fatal: the messages stay behind the cursor and a later drain sends them again.
        this.log.error({ err, count: batch.length }, 'could not save delivery cursors');
      });
    return this.flushing;
  }
}
