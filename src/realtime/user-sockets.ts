import type { Connection } from './connection.js';

/** A socket's place in the order of takeover: opened later wins, ties broken by id (the same on every node). */
export interface SocketStamp {
  at: number;
  id: string;
}

export const stampOf = (c: Connection): SocketStamp => ({ at: c.openedAt, id: c.id });

/** Whether `a` takes over from `b`. */
export const newer = (a: SocketStamp, b: SocketStamp): boolean => a.at > b.at || (a.at === b.at && a.id > b.id);

/**
 * The sockets one user holds on this node, and which of them receives (docs/delivery.md,
 * "Sockets and sessions"): the newest socket of the current session is active, older ones of
 * that session stand by, sockets of sessions that ended are retired. Only the bound on how many
 * sockets a user may hold ever drops one of them.
 */
export class UserSockets {
  /** Open sockets in the order they opened. */
  private readonly sockets = new Set<Connection>();
  private current: Connection | undefined;

  get active(): Connection | undefined {
    return this.current;
  }

  get size(): number {
    return this.sockets.size;
  }

  all(): Connection[] {
    return [...this.sockets];
  }

  add(conn: Connection): void {
    this.sockets.add(conn);
  }

  /** Forgets a closed socket; true when it was the active one. */
  remove(conn: Connection): boolean {
    this.sockets.delete(conn);
    if (this.current !== conn) return false;
    this.current = undefined;
    return true;
  }

  /** `conn` receives from now on; the socket that did stands by. */
  activate(conn: Connection): void {
    if (this.current && this.current !== conn && this.current.state === 'active') this.current.state = 'standby';
    conn.state = 'active';
    this.current = conn;
  }

  /** A socket of session `sid` took over on some node: ours stands by unless it is the newer one. */
  yieldTo(sid: string, other: SocketStamp): void {
    const cur = this.current;
    if (!cur || cur.id === other.id) return;
    if (cur.sid === sid && !newer(other, stampOf(cur))) return;
    cur.state = 'standby';
    this.current = undefined;
  }

  /** Stops `conn` receiving for good (its session ended). */
  retire(conn: Connection): void {
    conn.state = 'retired';
    if (this.current === conn) this.current = undefined;
  }

  /** Sockets of session `sid`, or (`other`) of every session but `sid`, that are not retired. */
  live(sid: string, other = false): Connection[] {
    return this.all().filter((c) => c.state !== 'retired' && (c.sid === sid) !== other);
  }

  /** The newest socket of `sid` standing by, the one to take over when the active one goes. */
  successor(sid: string): Connection | undefined {
    let best: Connection | undefined;
    for (const c of this.sockets)
      if (c.state === 'standby' && c.sid === sid && c.open && (!best || newer(stampOf(c), stampOf(best)))) best = c;
    return best;
  }

  /** Beyond `max` sockets, the ones to drop: oldest first, retired before standing-by, never the active one. */
  overflow(max: number): Connection[] {
    const excess = this.sockets.size - max;
    if (excess <= 0) return [];
    const order = this.all().filter((c) => c !== this.current);
    order.sort((a, b) => Number(b.state === 'retired') - Number(a.state === 'retired'));
    return order.slice(0, excess);
  }
}
