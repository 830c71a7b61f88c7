import { randomUUID } from 'node:crypto';
import type { Account } from './chat.js';
import type { TestServer } from './server.js';
import { WsClient, type Frame } from './ws.js';

/** Sending over the WebSocket (docs/protocol.md): hello, send frames and their acks. */

export const isAck = (cid: string) => (f: Frame) => f?.type === 'ack' && f.cid === cid;

/** The E20 fields of a single-chat text message, as the client convention writes them. */
export const textBody = (to: number, text: string, extra: Record<string, unknown> = {}) => ({
  sendto_id: to,
  chatType: 'single',
  type: 'text',
  data: JSON.stringify({ data: text, dataType: false, otherData: null }),
  ...extra,
});

export const groupBody = (gid: number, text: string) => ({ ...textBody(gid, text), chatType: 'group' });

/** A socket that said hello: sends frames and waits for their acks. */
export class WsSender {
  constructor(readonly c: WsClient) {}

  /** A receiving socket of the user (past its welcome frame) that was offered `send`. */
  static async open(s: TestServer, who: Account | string): Promise<WsSender> {
    const c = await WsClient.ready(s.url, typeof who === 'string' ? who : who.token);
    const w = new WsSender(c);
    await w.hello();
    return w;
  }

  async hello(features: unknown = ['send']): Promise<Frame> {
    const before = this.c.frames.filter((f) => f?.type === 'hello').length;
    this.c.send(JSON.stringify(features === undefined ? { type: 'hello' } : { type: 'hello', features }));
    await waitUntil(() => this.c.frames.filter((f) => f?.type === 'hello').length > before);
    return this.c.frames.filter((f) => f?.type === 'hello')[before];
  }

  /** Sends one frame (nothing awaited). */
  post(cid: unknown, body: unknown, extra: Record<string, unknown> = {}): void {
    this.c.send(JSON.stringify({ type: 'send', cid, body, ...extra }));
  }

  /** Sends and waits for the ack (the next one for this cid); `extra` adds fields to the frame (`retry`). */
  async send(body: unknown, cid: string = randomUUID(), extra: Record<string, unknown> = {}): Promise<Frame> {
    const before = this.acks(cid).length;
    this.post(cid, body, extra);
    await waitUntil(() => this.acks(cid).length > before);
    return this.acks(cid)[before];
  }

  /** Sends and expects an ok ack; answers the stored message. */
  async sendOk(body: unknown, cid?: string): Promise<Frame> {
    const ack = await this.send(body, cid);
    if (ack.msg !== 'ok') throw new Error(`send failed: ${JSON.stringify(ack)}`);
    return ack.data;
  }

  acks(cid?: string): Frame[] {
    return this.c.frames.filter((f) => f?.type === 'ack' && (cid === undefined || f.cid === cid));
  }

  close(): void {
    this.c.close();
  }
}

export async function waitUntil(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
