import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Clock } from '../domain/clock.js';
import type { UserEvent } from '../domain/events.js';
import type { Log } from '../domain/log.js';
import type { ChatMessage } from '../domain/message.js';
import type { Role, User } from '../domain/user.js';
import type { DeliveryService } from '../services/delivery.js';
import { CloseCode, frames } from './frames.js';
import { ownCopy } from './strings.js';

export interface ConnectionLimits {
  /** Close the socket when this many bytes wait to be sent (slow consumer). */
  maxBufferedBytes: number;
  /** While draining, wait for the socket to flush above this many buffered bytes. */
  drainHighWaterBytes: number;
  /** Page size of drains. */
  drainBatch: number;
}

class Stopped extends Error {}

/** A send over this socket being stored in one conversation, and its ack once committed. */
interface OwnSend {
  /** Its sequence number, once committed (0 until then). */
  seq: number;
  /** Its ack while not written yet. */
  frame: string | undefined;
  readonly stored: Promise<void>;
  readonly settle: () => void;
}

/** The ack of a send over this socket (ClientSends): given once committed, or ended unanswered. */
export interface PendingAck {
  acked(seq: number, frame: string): void;
  end(): void;
}

/**
 * What a socket does for its user. `opening`: accepted, its cursors not loaded yet. `active`:
 * receives the user's messages (one per user at a time, the newest of the current session). `standby`: an older socket of the current session,
 * open but sent nothing but pings; it takes over if the active one closes. `retired`: a socket
 * of a session that ended from its own device (logout, upgrade, a new login there); kept open
 * because seed clients read a close as "signed in elsewhere", sent nothing but pings.
 */
export type SocketState = 'opening' | 'active' | 'standby' | 'retired';

/**
 * One authenticated socket. Everything it is sent goes through one queue, so live pushes and
 * drains never interleave; per conversation it keeps the highest sequence number it has sent
 * (its cursor), which makes every message go out once and in order. A message counts as
 * delivered (and the stored cursor moves) only once the socket accepted the write.
 */
export class Connection {
  /** Flattened: a fresh UUID is a tree of concatenated strings (14 objects) until first flattened. */
  readonly id = ownCopy(randomUUID());
  readonly openedAt: number;
  state: SocketState = 'opening';
  alive = true;
  private cursors = new Map<string, number>();
  private queue: Promise<void> = Promise.resolve();
  /** Sends over this socket not acknowledged yet, per conversation, in the order they started. */
  private sending: Map<string, OwnSend[]> | undefined;
  private stopped = false;

  readonly user: User;
  readonly sid: string;
  readonly role: Role;
  /** The token the socket was opened with: each send frame is authenticated with it, as a request would be. */
  readonly token: string;
  private readonly delivery: DeliveryService;
  private readonly clock: Clock;
  private readonly log: Log;

  constructor(
    readonly ws: WebSocket,
    who: { user: User; sid: string; role: Role; token: string },
    deps: { delivery: DeliveryService; clock: Clock; log: Log },
    private readonly limits: ConnectionLimits,
  ) {
    ({ user: this.user, sid: this.sid, role: this.role, token: this.token } = who);
    ({ delivery: this.delivery, clock: this.clock, log: this.log } = deps);
    this.openedAt = this.clock.now();
  }

  get open(): boolean {
    return !this.stopped && this.ws.readyState === this.ws.OPEN;
  }

  /** Open and the user's active socket: the only kind that is sent messages. */
  get receiving(): boolean {
    return this.open && this.state === 'active';
  }

  /** Loads the stored cursors; call before the socket receives events. */
  async init(): Promise<void> {
    this.cursors = await this.delivery.cursors(this.user.id);
  }

  /** Takes the cursors of the socket this one takes over from (what it sent may not be saved yet). */
  adoptCursors(prev: Connection): void {
    for (const [conv, seq] of prev.cursors) if (seq > (this.cursors.get(conv) ?? 0)) this.cursors.set(conv, seq);
  }

  onEvent(ev: UserEvent): void {
    if (ev.type === 'push') this.enqueue(() => this.live(ev.conv, ev.seq, ev.msg));
    else if (ev.type === 'own') this.enqueue(() => this.own(ev.conv, ev.seq));
    else if (ev.type === 'drain') this.enqueue(() => this.drain());
  }

  /**
   * Starts a send over this socket in `conv`. Its ack leaves in commit order with the
   * conversation's pushes: after every message before it and before any after it, even when a
   * later message's push reaches this socket before the send hears its own commit (a catch-up or
   * drain that meets it waits for it and writes its ack in place).
   */
  startSend(conv: string): PendingAck {
    let settle!: () => void;
    const stored = new Promise<void>((r) => (settle = r));
    const own: OwnSend = { seq: 0, frame: undefined, stored, settle };
    const sending = (this.sending ??= new Map());
    const list = sending.get(conv);
    if (list) list.push(own);
    else sending.set(conv, [own]);
    const forget = () => {
      const l = sending.get(conv);
      const i = l ? l.indexOf(own) : -1;
      if (i >= 0) l!.splice(i, 1);
      if (l?.length === 0) sending.delete(conv);
    };
    return {
      acked: (seq, frame) => {
        own.seq = seq;
        own.frame = frame;
        settle();
        this.enqueue(() => this.own(conv, seq));
        this.queue = this.queue.then(() => {
          if (own.frame !== undefined) this.sendRaw(own.frame);
          own.frame = undefined;
          forget();
        });
      },
      end: () => {
        settle();
        if (own.seq === 0) forget();
      },
    };
  }

  /**
   * Writes the acks of this socket's sends in `conv` committed at or before `seq`, waiting for one
   * still being stored. Callers check `sending` first: a catch-up or drain without sends pays no await.
   */
  private async acksUpTo(conv: string, seq: number): Promise<void> {
    for (const own of [...(this.sending?.get(conv) ?? [])]) {
      if (own.seq === 0) await own.stored;
      if (own.frame !== undefined && own.seq <= seq) {
        this.sendRaw(own.frame);
        own.frame = undefined;
      }
    }
  }

  /** Writes a frame after everything queued for this socket so far (acks keep the order of their sends). */
  sendInOrder(text: string): void {
    this.queue = this.queue.then(() => this.sendRaw(text));
  }

  /** Sends a frame that is not a stored message (welcome, notices that are not kept, pong). */
  sendRaw(text: string): void {
    if (this.open) this.ws.send(text);
  }

  close(code: number, reason: string): void {
    this.stopped = true;
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  terminate(): void {
    this.stopped = true;
    this.ws.terminate();
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue
      .then(() => (this.receiving ? task() : undefined))
      .catch((err: unknown) => {
        if (err instanceof Stopped) return;
        this.log.error({ err, userId: this.user.id }, 'socket delivery failed; closing the socket');
        this.close(CloseCode.deliveryFailed, 'delivery failed');
      });
  }

  /**
   * The cursor of a conversation, read from the store the first time. `ifNotMember` is used when
   * the user has no stored cursor there (nothing before the message at hand is theirs).
   */
  private async cursorOf(conv: string, ifNotMember = 0): Promise<number> {
    let cur = this.cursors.get(conv);
    if (cur === undefined) {
      cur = (await this.delivery.cursor(conv, this.user.id)) ?? ifNotMember;
      this.cursors.set(conv, cur);
    }
    return cur;
  }

  private async live(conv: string, seq: number, msg: ChatMessage): Promise<void> {
    const cur = await this.cursorOf(conv, seq - 1);
    if (seq <= cur) return;
    if (seq > cur + 1) await this.catchUp(conv, cur, seq - 1);
    if (seq <= (this.cursors.get(conv) ?? 0)) return;
    await this.write(conv, seq, msg, false);
  }

  /** The user's own message: nothing to show, but the cursor may pass it. */
  private async own(conv: string, seq: number): Promise<void> {
    const cur = await this.cursorOf(conv, seq - 1);
    if (seq <= cur) return;
    if (seq > cur + 1) await this.catchUp(conv, cur, seq - 1);
    this.cursors.set(conv, seq);
    this.delivery.delivered(conv, this.user.id, seq);
  }

  /**
   * The stored cursor may be ahead of ours: another socket of this user (closed just now, maybe
   * on another node) delivered messages after we loaded it.
   */
  private async refresh(conv?: string): Promise<void> {
    if (conv === undefined) {
      for (const [c, seq] of await this.delivery.cursors(this.user.id)) {
        if (seq > (this.cursors.get(c) ?? 0)) this.cursors.set(c, seq);
      }
      return;
    }
    const stored = await this.delivery.cursor(conv, this.user.id);
    if (stored !== undefined && stored > (this.cursors.get(conv) ?? 0)) this.cursors.set(conv, stored);
  }

  /** Sends, in order, what the cursor skipped (stored while offline, or a lost bus event). */
  private async catchUp(conv: string, before: number, to: number): Promise<void> {
    await this.refresh(conv);
    const from = Math.max(before, this.cursors.get(conv) ?? 0);
    if (from >= to) return;
    for (const m of await this.delivery.range(conv, from, to)) {
      if (m.seq <= (this.cursors.get(conv) ?? 0)) continue;
      if (m.sender_id === this.user.id || m.revoked) {
        if (m.sender_id === this.user.id && this.sending?.has(conv)) await this.acksUpTo(conv, m.seq);
        this.cursors.set(conv, m.seq);
        this.delivery.delivered(conv, this.user.id, m.seq);
      } else {
        await this.write(conv, m.seq, JSON.parse(m.body) as ChatMessage, true);
      }
    }
  }

  /** Pushes everything stored for this user past their cursors, in commit order. */
  private async drain(): Promise<void> {
    await this.refresh();
    let after = 0;
    for (;;) {
      const batch = await this.delivery.pending(this.user.id, after, this.limits.drainBatch);
      for (const m of batch) {
        after = m.id;
        if (m.seq <= (await this.cursorOf(m.conversation_id))) continue;
        if (this.sending?.has(m.conversation_id)) await this.acksUpTo(m.conversation_id, m.seq);
        if (m.revoked) {
          this.cursors.set(m.conversation_id, m.seq);
          this.delivery.delivered(m.conversation_id, this.user.id, m.seq);
          continue;
        }
        await this.write(m.conversation_id, m.seq, JSON.parse(m.body) as ChatMessage, true);
      }
      if (batch.length < this.limits.drainBatch) return;
    }
  }

  /**
   * Writes one stored message. The in-memory cursor moves at once (no duplicates); the stored
   * one when the socket has taken the bytes. A reader too slow to keep up is disconnected.
   */
  private write(conv: string, seq: number, msg: ChatMessage, bulk: boolean): Promise<void> {
    if (!this.receiving) throw new Stopped();
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.log.warn({ userId: this.user.id, buffered: this.ws.bufferedAmount }, 'slow consumer disconnected');
      this.close(CloseCode.slowConsumer, 'slow consumer');
      throw new Stopped();
    }
    this.cursors.set(conv, seq);
    const userId = this.user.id;
    const written = new Promise<void>((resolve) => {
      this.ws.send(frames.chatBytes(msg, this.clock.now()), { binary: false }, (err) => {
        if (!err) this.delivery.delivered(conv, userId, seq, msg.create_time);
        resolve();
      });
    });
    return bulk && this.ws.bufferedAmount > this.limits.drainHighWaterBytes ? written : Promise.resolve();
  }
}
