import { AUTH_FAILURES, answerText, failure, failureText } from '../domain/failures.js';
import type { Log } from '../domain/log.js';
import { readInput } from '../domain/params.js';
import { CID_MAX, cidParams, sendConversation, sendParams } from '../domain/send.js';
import { TEXT } from '../domain/texts.js';
import type { AuthService } from '../services/auth.js';
import type { MessageService } from '../services/messages.js';
import type { Connection } from './connection.js';
import { frames } from './frames.js';

/** What the server offers to a client that says hello (docs/protocol.md). */
export const FEATURES = ['send'] as const;

export interface ClientSendLimits {
  /** Largest frame the socket reads (WS_MAX_PAYLOAD). */
  frameBytes: number;
  /** Frames per minute a socket may send (WS_FRAMES_PER_MINUTE). */
  framesPerMinute: number;
  /** Sends of one socket awaiting their ack at once; a send beyond it is refused at once. */
  inFlight: number;
}

/** A socket that asked for `send`: its sends per conversation, one after another, and how many wait. */
interface SocketSends {
  chains: Map<string, Promise<void>>;
  inFlight: number;
}

/** Sends of one socket to one conversation commit in the order they arrived; the key is taken from the raw frame. */
function conversationKey(body: unknown): string {
  if (!body || typeof body !== 'object') return '';
  const b = body as Record<string, unknown>;
  return `${String(b.chatType)}:${String(b.sendto_id)}`;
}

/**
 * The client frames Natter adds to the seed protocol (docs/protocol.md): `hello`, answered with
 * the features offered, and, on a socket that asked for it, `send`: a message sent over the
 * socket, checked and stored exactly as E20 does it (the same parameters, session check and send
 * rules), idempotent on its client id, answered with an `ack` frame. A socket that never says
 * hello is never sent any of these frames.
 */
export class ClientSends {
  private readonly sockets = new WeakMap<Connection, SocketSends>();
  private readonly auth: AuthService;
  private readonly messages: MessageService;
  private readonly log: Log;

  constructor(
    deps: { auth: AuthService; messages: MessageService; log: Log },
    private readonly limits: ClientSendLimits,
  ) {
    ({ auth: this.auth, messages: this.messages, log: this.log } = deps);
  }

  /** Handles a frame of this protocol; false when it is none (the caller ignores it, as before). */
  onFrame(conn: Connection, frame: Record<string, unknown>): boolean {
    if (frame.type === 'hello') {
      this.hello(conn, frame.features);
      return true;
    }
    const sends = frame.type === 'send' ? this.sockets.get(conn) : undefined;
    if (!sends) return false;
    this.send(conn, sends, frame);
    return true;
  }

  private hello(conn: Connection, asked: unknown): void {
    const features = Array.isArray(asked) ? FEATURES.filter((f) => asked.includes(f)) : [...FEATURES];
    if (features.includes('send') && !this.sockets.has(conn)) this.sockets.set(conn, { chains: new Map(), inFlight: 0 });
    const { frameBytes, framesPerMinute, inFlight } = this.limits;
    conn.sendRaw(frames.hello(features, { frameBytes, framesPerMinute, inFlight, cidLength: CID_MAX }));
  }

  private send(conn: Connection, s: SocketSends, frame: Record<string, unknown>): void {
    const cid = frame.cid;
    if (typeof cid !== 'string') {
      this.log.info({ userId: conn.user.id, conn: conn.id }, 'websocket send ignored: no client id (cid) to answer');
      return;
    }
    if (s.inFlight >= this.limits.inFlight) {
      this.log.info(
        { userId: conn.user.id, conn: conn.id, cid, inFlight: s.inFlight },
        'websocket send refused: too many awaiting their ack',
      );
      conn.sendInOrder(frames.ackFail(cid, failureText('tooManySends')));
      return;
    }
    s.inFlight++;
    const key = conversationKey(frame.body);
    const chain: Promise<void> = (s.chains.get(key) ?? Promise.resolve())
      .then(() => this.process(conn, cid, frame.body, frame.retry === true))
      .catch((err: unknown) => {
        this.log.error({ err, userId: conn.user.id, cid }, 'websocket send failed');
        conn.sendInOrder(frames.ackFail(cid, TEXT.internal));
      })
      .finally(() => {
        s.inFlight--;
        if (s.chains.get(key) === chain) s.chains.delete(key);
      });
    s.chains.set(key, chain);
  }

  /**
   * One send, in E20's order: the session (as a request's token is checked), then the socket
   * (only the receiving one sends), the parameters, the send rules. The ack is written in commit
   * order with the conversation's pushes; a refusal carries the text HTTP would answer.
   */
  private async process(conn: Connection, cid: string, body: unknown, resend: boolean): Promise<void> {
    const userId = conn.user.id;
    try {
      readInput(cidParams, { params: undefined, body: { cid }, query: undefined });
      const auth = await this.auth.authenticate(conn.token);
      if (!auth.ok) throw failure(AUTH_FAILURES[auth.reason]);
      if (!conn.receiving) throw failure('socketNotReceiving');
      const input = readInput(sendParams, { params: undefined, body, query: undefined });
      // The ack is queued as soon as the message is committed, before its push goes out, and
      // written in place should a later message of the conversation reach this socket first.
      const pending = conn.startSend(sendConversation(userId, input));
      const sent = await this.messages
        .sendOnce(
          auth.user,
          cid,
          input,
          (s) => {
            const ack = frames.ack(cid, s.message);
            if (s.echo) conn.sendInOrder(ack);
            else pending.acked(s.seq, ack);
          },
          { resend },
        )
        .finally(() => pending.end());
      if (sent.repeated)
        this.log.info({ userId, cid, msgId: sent.message.id }, 'websocket send repeated: acknowledged with the stored message');
    } catch (err) {
      const text = answerText(err);
      if (text === undefined) throw err;
      this.log.info({ userId, conn: conn.id, cid, reason: text }, 'websocket send refused');
      conn.sendInOrder(frames.ackFail(cid, text));
    }
  }
}
