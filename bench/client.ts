import http from 'node:http';
import WebSocket from 'ws';
import { now, pool, sleep } from './util.js';

/**
 * The benchmark's side of the API: JSON over keep-alive HTTP (node:http, one Agent per target)
 * and WebSocket receivers. Traffic goes only to the URLs given (loopback in every use here).
 */

export interface Account {
  id: number;
  token: string;
  username: string;
}

export interface Answer {
  status: number;
  // Envelopes are read field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export class Api {
  readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    readonly base: string,
    maxSockets = 256,
  ) {
    const u = new URL(base);
    this.host = u.hostname;
    this.port = Number(u.port || 80);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  }

  request(method: string, path: string, body?: unknown, token?: string, timeoutMs = 60_000): Promise<Answer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = {};
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    if (token) headers.token = token;
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** POST that must answer 200; answers `data`. */
  async ok(path: string, body: unknown, token?: string): Promise<unknown> {
    const res = await this.request('POST', path, body, token);
    if (res.status !== 200) throw new Error(`POST ${path} failed: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return res.body.data;
  }

  async get(path: string, token: string): Promise<unknown> {
    const res = await this.request('GET', path, undefined, token);
    if (res.status !== 200) throw new Error(`GET ${path} failed: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return res.body.data;
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Opens up to `n` keep-alive sockets in the agent, at most `step` new ones every 100 ms, by
 * keeping that many GET /healthz requests in flight: a burst of thousands of connections at once
 * overflows the server's listen backlog (511 by default) and gets connections reset.
 */
export async function warmSockets(api: Api, n: number, step = 100): Promise<number> {
  let stop = false;
  let errors = 0;
  const worker = async () => {
    while (!stop) {
      await api.request('GET', '/healthz', undefined, undefined, 10_000).catch(() => errors++);
    }
  };
  const workers: Promise<void>[] = [];
  while (workers.length < n) {
    for (let i = 0; i < step && workers.length < n; i++) workers.push(worker());
    await sleep(100);
  }
  stop = true;
  await Promise.all(workers);
  return errors;
}

/** Registers `count` users named `<prefix>_<i>` (parallel, bounded); answers them in order. */
export async function registerMany(api: Api, prefix: string, count: number, concurrency: number, deadline: number): Promise<Account[]> {
  const idx = Array.from({ length: count }, (_, i) => i);
  return pool(idx, concurrency, deadline, async (i) => {
    const username = `${prefix}_${i}`;
    const data = (await api.ok('/api/regChat', { username, password: 'bench-pass' })) as { id: number; token: string };
    return { id: data.id, token: data.token, username };
  });
}

/** `a` befriends `b` at once (E40). */
export const befriend = (api: Api, a: Account, b: Account): Promise<unknown> =>
  api.ok('/api/chat/autoAddFriendAndAgree', { friend_id: b.id }, a.token);

/** Message text the benchmark sends: the client convention with the benchmark's marks in `otherData`. */
export const benchData = (key: string, seq: number, sentAt: number): string =>
  JSON.stringify({ data: `bench ${seq}`, dataType: false, otherData: { k: key, q: seq, t: sentAt } });

const CHAT_PREFIX = Buffer.from('{"type":"singleChat","data":{');
const FROM_ID = Buffer.from('"from_id":');
/** The marks inside the message text, which is itself JSON inside the frame's JSON: quotes escaped. */
const MARKS = Buffer.from('\\"otherData\\":{\\"k\\":\\"');
const MARKS_REST = /^([^\\"]+)\\",\\"q\\":(-?\d+),\\"t\\":(\d+(?:\.\d+)?)\}/;

/**
 * The benchmark marks of a pushed message, or undefined for anything else (welcome, notices…).
 * Read straight from the bytes: with thousands of 6 KB group frames a second, parsing each one
 * whole made the benchmark's own process the bottleneck.
 */
export function benchMarks(frame: Buffer, key: string): { from: number; q: number; t: number } | undefined {
  if (frame.length < CHAT_PREFIX.length || frame.compare(CHAT_PREFIX, 0, CHAT_PREFIX.length, 0, CHAT_PREFIX.length) !== 0) return undefined;
  const at = frame.indexOf(MARKS);
  if (at < 0) return undefined;
  const m = MARKS_REST.exec(frame.toString('utf8', at + MARKS.length, at + MARKS.length + 160));
  if (!m || m[1] !== key) return undefined;
  const f = frame.indexOf(FROM_ID);
  if (f < 0) return undefined;
  const from = /^\d+/.exec(frame.toString('latin1', f + FROM_ID.length, f + FROM_ID.length + 20));
  if (!from) return undefined;
  return { from: Number(from[0]), q: Number(m[2]), t: Number(m[3]) };
}

export interface Receiver {
  ws: WebSocket;
  /** Set when the socket closed. */
  closeCode?: number;
}

/**
 * Opens an authenticated socket and resolves after the welcome frame. `onBench` sees every
 * frame carrying the run key; everything else (welcome, connect-time notices) is ignored.
 */
export function connect(
  base: string,
  token: string,
  key: string,
  onBench: (m: { from: number; q: number; t: number }, at: number, bytes: number) => void,
  opts: { localAddress?: string; timeoutMs?: number } = {},
): Promise<Receiver> {
  const url = `${base.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url, { perMessageDeflate: false, localAddress: opts.localAddress, handshakeTimeout: opts.timeoutMs ?? 30_000 });
  const r: Receiver = { ws };
  return new Promise((resolve, reject) => {
    let welcomed = false;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no welcome frame within the time limit'));
    }, opts.timeoutMs ?? 30_000);
    ws.on('message', (data: Buffer) => {
      const at = now();
      if (!welcomed) {
        if (data.indexOf('"type":"system"') >= 0) {
          welcomed = true;
          clearTimeout(timer);
          resolve(r);
        }
        return;
      }
      const m = benchMarks(data, key);
      if (m) onBench(m, at, data.length);
    });
    ws.on('close', (code) => {
      r.closeCode = code;
      clearTimeout(timer);
      if (!welcomed) reject(new Error(`socket closed before the welcome frame (${code})`));
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      if (!welcomed) reject(err);
    });
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`upgrade refused: ${res.statusCode}`));
      ws.terminate();
    });
  });
}

/** Closes sockets without waiting for close handshakes. */
export function closeAll(rs: readonly (Receiver | undefined)[]): void {
  for (const r of rs) r?.ws.terminate();
}

const ACK_PREFIX = '{"type":"ack","cid":"';

/**
 * A sender's own socket (docs/protocol.md): says hello, then sends messages as `send` frames
 * and resolves each when its ack arrives ("ok" or the failure text). Client ids are the
 * benchmark's own (no quotes or backslashes), so acks are read without parsing their message.
 */
export class WsSender {
  private readonly waiting = new Map<string, { resolve: (failure: string | undefined) => void; timer: NodeJS.Timeout }>();

  private constructor(readonly receiver: Receiver) {
    receiver.ws.on('message', (data: Buffer) => this.onFrame(data));
    receiver.ws.on('close', (code) => {
      for (const [cid, w] of this.waiting) {
        clearTimeout(w.timer);
        w.resolve(`socket closed (${code}) before the ack of ${cid}`);
      }
      this.waiting.clear();
    });
  }

  /** Opens the sender's socket and waits until the server offered `send`. */
  static async open(base: string, token: string, key: string, timeoutMs = 30_000): Promise<WsSender> {
    const r = await connect(base, token, key, () => undefined, { timeoutMs });
    const offered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no hello answer: the server does not offer sending over the socket')), timeoutMs);
      const onHello = (data: Buffer) => {
        if (data.indexOf('{"type":"hello"') !== 0) return;
        clearTimeout(timer);
        r.ws.off('message', onHello);
        if (data.indexOf('"send"') < 0) reject(new Error(`the server does not offer send: ${data.toString()}`));
        else resolve();
      };
      r.ws.on('message', onHello);
    });
    r.ws.send('{"type":"hello","features":["send"]}');
    await offered;
    return new WsSender(r);
  }

  /** Sends E20's fields as a frame; resolves undefined when stored, else with the reason. */
  send(cid: string, body: unknown, timeoutMs = 30_000): Promise<string | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(cid);
        resolve(`no ack for ${cid} within ${timeoutMs} ms`);
      }, timeoutMs);
      this.waiting.set(cid, { resolve, timer });
      this.receiver.ws.send(JSON.stringify({ type: 'send', cid, body }));
    });
  }

  private onFrame(data: Buffer): void {
    if (data.length < ACK_PREFIX.length || data.toString('latin1', 0, ACK_PREFIX.length) !== ACK_PREFIX) return;
    const end = data.indexOf('"', ACK_PREFIX.length);
    const cid = data.toString('utf8', ACK_PREFIX.length, end);
    const w = this.waiting.get(cid);
    if (!w) return;
    this.waiting.delete(cid);
    clearTimeout(w.timer);
    const ok = data.toString('latin1', end, end + 13) === '","msg":"ok",';
    w.resolve(ok ? undefined : data.toString('utf8').slice(0, 300));
  }
}
