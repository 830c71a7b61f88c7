import WebSocket from 'ws';

// Frames are asserted field by field in tests.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Frame = any;

/** A test WebSocket client that records every frame and can wait for one that matches. */
export class WsClient {
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  private waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private closeWaiters: ((code: number) => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      let f: Frame = text;
      try {
        f = JSON.parse(text);
      } catch {
        // keep text
      }
      this.frames.push(f);
      this.waiters = this.waiters.filter((w) => {
        if (w.pred(f)) {
          w.resolve(f);
          return false;
        }
        return true;
      });
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.closeWaiters) w(code);
    });
  }

  static connect(baseUrl: string, token?: string, path = '/ws'): Promise<WsClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}${path}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
    const ws = new WebSocket(url);
    const c = new WsClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  /** Connects and waits for the welcome frame. */
  static async ready(baseUrl: string, token: string): Promise<WsClient> {
    const c = await WsClient.connect(baseUrl, token);
    await c.next((f) => f?.type === 'system');
    return c;
  }

  /** The first recorded frame matching, or the next one to arrive. */
  next(pred: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const seen = this.frames.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames).slice(0, 2000)}`)),
        timeoutMs,
      );
      this.waiters.push({ pred, resolve: (f) => (clearTimeout(t), resolve(f)) });
    });
  }

  /** Chat pushes (`singleChat` frames) recorded so far, optionally only those matching. */
  chats(pred: (m: Frame) => boolean = () => true): Frame[] {
    return this.frames.filter((f) => f?.type === 'singleChat' && pred(f.data)).map((f) => f.data);
  }

  /** Waits until `count` chat pushes matching `pred` were received. */
  async waitChats(count: number, pred: (m: Frame) => boolean = () => true, timeoutMs = 10000): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.chats(pred).length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} chats, got ${this.chats(pred).length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.chats(pred);
  }

  send(text: string): void {
    this.ws.send(text);
  }

  closed(timeoutMs = 5000): Promise<number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.closeWaiters.push((c) => (clearTimeout(t), resolve(c)));
    });
  }

  close(): void {
    this.ws.close();
  }
}
