import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import type { Bus, BusEvent } from './port.js';

/**
 * The local bridge: a node on the in-process bus listens on a Unix socket (mode 0600, in DATA_DIR
 * by default), so that commands run on the same host (`natter admin`) reach its bus. The protocol
 * is newline-delimited JSON, one object per line:
 *
 * - `{"topics":["u:12"],"event":{"v":1,"type":…}}` publishes the event on each topic;
 * - `{"subscribe":"admin:reply:<id>"}` forwards later events of that topic to this connection as
 *   `{"topic":…,"event":…}` lines (reply topics only: the connection asks, nodes answer);
 * - every request line is answered, in order, by `{"ok":true}` once done or
 *   `{"ok":false,"error":…}`; events of a subscription come before the answer of the publish
 *   that caused them when the bus dispatches synchronously (the in-process bus does).
 *
 * It is a local trust boundary (only the socket file's owner can connect) and still checks every
 * frame: a bad one is refused, a line longer than MAX_LINE_BYTES closes the connection, and
 * nothing a client sends can throw into the server.
 */
export const MAX_LINE_BYTES = 256 * 1024;
const MAX_TOPICS = 1_000;
const MAX_TOPIC_LENGTH = 200;
const MAX_CONNECTIONS = 32;
const MAX_SUBSCRIPTIONS = 8;
/** A client that stops reading its answers is dropped past this many unread bytes. */
const MAX_UNREAD_BYTES = 1024 * 1024;

export interface BridgeLog {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export type BridgeRequest = { kind: 'publish'; topics: string[]; event: BusEvent } | { kind: 'subscribe'; topic: string };

const isTopic = (t: unknown): t is string => typeof t === 'string' && t.length > 0 && t.length <= MAX_TOPIC_LENGTH;

/** Reads one request line; a string is the reason it is refused. */
export function parseRequest(line: string, replyPrefix: string): BridgeRequest | string {
  let frame: unknown;
  try {
    frame = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (!frame || typeof frame !== 'object' || Array.isArray(frame)) return 'not a JSON object';
  const f = frame as Record<string, unknown>;
  if ('subscribe' in f) {
    if (!isTopic(f.subscribe) || !f.subscribe.startsWith(replyPrefix)) return `subscribe: only topics starting with ${replyPrefix}`;
    return { kind: 'subscribe', topic: f.subscribe };
  }
  const { topics, event } = f;
  if (!Array.isArray(topics) || topics.length === 0 || topics.length > MAX_TOPICS || !topics.every(isTopic))
    return `topics: expected 1 to ${MAX_TOPICS} topic names`;
  if (!event || typeof event !== 'object' || Array.isArray(event)) return 'event: expected an object';
  const ev = event as Record<string, unknown>;
  if (ev.v !== 1) return 'event: unsupported version (expected v: 1)';
  if (typeof ev.type !== 'string' || ev.type === '') return 'event: type missing';
  return { kind: 'publish', topics: topics as string[], event: ev as BusEvent };
}

/** The server side: listens on `file` and republishes what arrives on `bus`. */
export class LocalBridge {
  private readonly conns = new Set<net.Socket>();
  private ino: number | undefined;
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly server: net.Server,
    private readonly bus: Bus,
    private readonly replyPrefix: string,
    private readonly log: BridgeLog,
  ) {}

  /**
   * Listens on `file`. A socket file already there is replaced (left by a crashed node, or held
   * by the node this one takes over from); any other kind of file is left alone and the bridge
   * fails to open. The socket is made under a temporary name, restricted to its owner, then
   * renamed into place: the file never exists with looser permissions, and closing removes only
   * our own file (Node removes the name a server listened on, here the temporary one).
   */
  static async open(file: string, bus: Bus, replyPrefix: string, log: BridgeLog): Promise<LocalBridge> {
    const existing = fs.lstatSync(file, { throwIfNoEntry: false });
    if (existing && !existing.isSocket()) throw new Error(`${file} exists and is not a socket`);
    const server = net.createServer();
    server.maxConnections = MAX_CONNECTIONS;
    const bridge = new LocalBridge(file, server, bus, replyPrefix, log);
    server.on('connection', (socket) => bridge.accept(socket));
    const temp = `${file}.${randomBytes(4).toString('hex')}`;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(temp, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => log.warn({ err, file }, 'local bridge error'));
    try {
      fs.chmodSync(temp, 0o600);
      fs.renameSync(temp, file);
      bridge.ino = fs.statSync(file).ino;
    } catch (e) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(temp, { force: true });
      throw e;
    }
    return bridge;
  }

  private accept(socket: net.Socket): void {
    this.conns.add(socket);
    const subs: Promise<(() => Promise<void>) | undefined>[] = [];
    let queue: Promise<void> = Promise.resolve();
    let buffered = '';
    const send = (obj: unknown) => {
      if (socket.destroyed) return;
      if (socket.writableLength > MAX_UNREAD_BYTES) return void socket.destroy();
      socket.write(`${JSON.stringify(obj)}\n`);
    };
    socket.setEncoding('utf8');
    socket.on('error', (err) => this.log.debug({ err }, 'local bridge connection error'));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim() === '') continue;
        // Requests run one after the other, so that answers keep the order of the requests.
        queue = queue.then(() => this.handle(line, send, subs));
      }
      if (Buffer.byteLength(buffered) > MAX_LINE_BYTES) {
        send({ ok: false, error: `line longer than ${MAX_LINE_BYTES} bytes` });
        buffered = '';
        socket.end();
        socket.destroySoon();
      }
    });
    socket.on('close', () => {
      this.conns.delete(socket);
      for (const s of subs) void s.then((off) => off?.()).catch(() => undefined);
    });
  }

  private async handle(line: string, send: (obj: unknown) => void, subs: Promise<(() => Promise<void>) | undefined>[]): Promise<void> {
    if (this.closed) return;
    const req = parseRequest(line, this.replyPrefix);
    if (typeof req === 'string') {
      this.log.warn({ reason: req }, 'local bridge: frame refused');
      return send({ ok: false, error: req });
    }
    try {
      if (req.kind === 'subscribe') {
        if (subs.length >= MAX_SUBSCRIPTIONS) return send({ ok: false, error: `at most ${MAX_SUBSCRIPTIONS} subscriptions` });
        const off = this.bus.subscribe(req.topic, (event) => send({ topic: req.topic, event }));
        subs.push(off.catch(() => undefined));
        await off;
      } else if (req.topics.length === 1) {
        await this.bus.publish(req.topics[0] as string, req.event);
      } else {
        await this.bus.publishMany(req.topics, req.event);
      }
      send({ ok: true });
    } catch (err) {
      this.log.warn({ err }, 'local bridge: request failed');
      send({ ok: false, error: 'the bus refused it' });
    }
  }

  /** Stops listening, drops connections and removes the socket file, unless another node has replaced it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.conns) c.destroy();
    await stopped;
    const now = fs.statSync(this.file, { throwIfNoEntry: false });
    if (now && now.ino === this.ino) fs.rmSync(this.file, { force: true });
  }
}
