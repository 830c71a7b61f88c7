import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, NetworkError } from './http.js';
import { backoffDelay, PushSocket, type SocketEvents } from './socket.js';

/** A WebSocket stand-in the test drives: frames in, closes with a code. */
class FakeSocket {
  static all: FakeSocket[] = [];
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  onopen: (() => void) | null = null;
  closed = false;
  readonly sent: string[] = [];
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(text);
  }
  frame(f: object) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  drop(code: number) {
    this.onclose?.({ code });
  }
  close() {
    this.closed = true;
  }
}

function harness(random = () => 0.5) {
  const events = { state: vi.fn(), ready: vi.fn(), message: vi.fn(), signedOut: vi.fn() } satisfies SocketEvents;
  const s = new PushSocket(events, {
    url: (tok) => `ws://x/ws?token=${tok}`,
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    baseDelayMs: 500,
    maxDelayMs: 30_000,
    silenceMs: 75_000,
    random,
    helloWaitMs: 2000,
  });
  return { s, events, last: () => FakeSocket.all.at(-1)! };
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('the push socket', () => {
  it('is online at the welcome frame, asks for offline messages then, and hands over chat frames', () => {
    const { s, events, last } = harness();
    s.start('tok');
    expect(last().url).toBe('ws://x/ws?token=tok');
    expect(s.state).toBe('connecting');
    last().frame({ type: 'system', data: '欢迎您访问我们的系统！' });
    expect(s.state).toBe('online');
    expect(events.ready).toHaveBeenCalledOnce();
    last().frame({ type: 'singleChat', data: { id: 'm1' }, timestamp: 5 });
    last().frame({ type: 'ping' });
    expect(events.message).toHaveBeenCalledWith({ id: 'm1' }, 5);
    expect(events.message).toHaveBeenCalledOnce();
  });

  it('reconnects after an abnormal close, one socket at a time, with growing jittered delays', () => {
    const { s, last } = harness();
    s.start('tok');
    last().drop(1006);
    expect(s.state).toBe('offline');
    vi.advanceTimersByTime(374);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);
    last().drop(1006);
    vi.advanceTimersByTime(749);
    expect(FakeSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(3);
  });

  it('starts the delays over once a connection was welcomed', () => {
    const { s, last } = harness();
    s.start('tok');
    last().drop(1006);
    vi.advanceTimersByTime(375);
    last().drop(1006);
    vi.advanceTimersByTime(750);
    last().frame({ type: 'system' });
    last().drop(1006);
    vi.advanceTimersByTime(375);
    expect(FakeSocket.all).toHaveLength(4);
  });

  it('stops and reports a sign-out on 4001 (login elsewhere) and 4003 (session ended)', () => {
    for (const [code, reason] of [
      [4001, 'elsewhere'],
      [4003, 'ended'],
    ] as const) {
      FakeSocket.all = [];
      const { s, events, last } = harness();
      s.start('tok');
      last().frame({ type: 'system' });
      last().drop(code);
      expect(events.signedOut).toHaveBeenCalledWith(reason);
      vi.advanceTimersByTime(60_000);
      expect(FakeSocket.all).toHaveLength(1);
      expect(s.state).toBe('stopped');
    }
  });

  it('treats a handshake refused for its token as a sign-out, and other refusals as worth retrying', () => {
    const a = harness();
    a.s.start('tok');
    a.last().frame({ msg: 'fail', data: 'Token 不合法' });
    a.last().drop(1005);
    expect(a.events.signedOut).toHaveBeenCalledWith('ended');
    FakeSocket.all = [];
    const b = harness();
    b.s.start('tok');
    b.last().frame({ msg: 'fail', data: 'something else' });
    b.last().drop(1005);
    expect(b.events.signedOut).not.toHaveBeenCalled();
    expect(b.s.state).toBe('offline');
  });

  it('gives up on a silent connection and reconnects', () => {
    const { s, last } = harness();
    s.start('tok');
    last().frame({ type: 'system' });
    vi.advanceTimersByTime(75_000);
    expect(last().closed).toBe(true);
    expect(s.state).toBe('offline');
  });

  it('ignores events of a socket it has replaced', () => {
    const { s, events, last } = harness();
    s.start('tok');
    const first = last();
    s.start('tok2');
    first.frame({ type: 'singleChat', data: { id: 'old' } });
    first.drop(1006);
    expect(events.message).not.toHaveBeenCalled();
    expect(s.state).toBe('connecting');
  });
});

describe('reconnect delays', () => {
  it('grow exponentially, stay within [ceiling/2, ceiling] and are capped', () => {
    expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffDelay(20, 500, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelay(20, 500, 30_000, () => 0)).toBe(15_000);
  });
});

describe('sending over the socket', () => {
  const MAX = { frameBytes: 1000, framesPerMinute: 600, inFlight: 2, cidLength: 64 };
  const fields = { sendto_id: 2, chatType: 'single', type: 'text', data: 'hi', options: '%7B%7D' };
  const sentFrames = (f: FakeSocket) => f.sent.map((t) => JSON.parse(t));

  function online(offer: object | null = { type: 'hello', features: ['send'], max: MAX }) {
    const h = harness();
    h.s.start('tok');
    h.last().frame({ type: 'system' });
    if (offer) h.last().frame(offer);
    return h;
  }

  it('says hello after the welcome and, when offered, sends a frame and resolves with the ack', async () => {
    const { s, last } = online();
    expect(sentFrames(last())).toEqual([{ type: 'hello', features: ['send'] }]);
    const sending = s.sendMessage('local-1', fields);
    await vi.advanceTimersByTimeAsync(0);
    expect(sentFrames(last())[1]).toEqual({ type: 'send', cid: 'local-1', body: fields });
    last().frame({ type: 'ack', cid: 'local-1', msg: 'ok', data: { id: 'm1' } });
    expect(await sending).toEqual({ id: 'm1' });
  });

  it('rejects a refused send with the text HTTP would give, as an ApiError of the token', async () => {
    const { s, last } = online();
    const sending = s.sendMessage('local-2', fields);
    await vi.advanceTimersByTimeAsync(0);
    last().frame({ type: 'ack', cid: 'local-2', msg: 'fail', data: '对方把你拉黑了，不能发送消息' });
    const err = await sending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, message: '对方把你拉黑了，不能发送消息', token: 'tok' });
  });

  it('uses HTTP (undefined) when the server does not answer hello, offers no send, or the frame is too big', async () => {
    const silent = online(null);
    const waiting = silent.s.sendMessage('local-3', fields);
    await vi.advanceTimersByTimeAsync(2000);
    expect(await waiting).toBeUndefined();
    expect(silent.last().sent).toHaveLength(1);

    const none = online({ type: 'hello', features: [], max: MAX });
    expect(await none.s.sendMessage('local-4', fields)).toBeUndefined();

    const offered = online();
    expect(await offered.s.sendMessage('local-5', { ...fields, data: 'x'.repeat(2000) })).toBeUndefined();
    expect(offered.last().sent).toHaveLength(1);
  });

  it('fails the sends awaiting an ack when the connection drops; the resend after the reconnect carries the same cid', async () => {
    const { s, last } = online();
    const first = s.sendMessage('local-6', fields);
    await vi.advanceTimersByTimeAsync(0);
    last().drop(1006);
    expect(await first.catch((e: unknown) => e)).toBeInstanceOf(NetworkError);
    expect(await s.sendMessage('local-6', fields)).toBeUndefined();
    vi.advanceTimersByTime(500);
    last().frame({ type: 'system' });
    last().frame({ type: 'hello', features: ['send'], max: MAX });
    const again = s.sendMessage('local-6', fields, true);
    await vi.advanceTimersByTimeAsync(0);
    expect(sentFrames(last())[1]).toEqual({ type: 'send', cid: 'local-6', body: fields, retry: true });
    last().frame({ type: 'ack', cid: 'local-6', msg: 'ok', data: { id: 'stored-once' } });
    expect(await again).toEqual({ id: 'stored-once' });
  });

  it('treats "this socket cannot send now" as a network failure (sent again later), and keeps within the in-flight bound', async () => {
    const { s, last } = online();
    const a = s.sendMessage('a', fields);
    const b = s.sendMessage('b', fields);
    await vi.advanceTimersByTimeAsync(0);
    expect(await s.sendMessage('c', fields)).toBeUndefined();
    last().frame({ type: 'ack', cid: 'a', msg: 'fail', data: '此连接已不是当前连接，请用新连接发送' });
    expect(await a.catch((e: unknown) => e)).toBeInstanceOf(NetworkError);
    last().frame({ type: 'ack', cid: 'b', msg: 'ok', data: { id: 'b' } });
    expect(await b).toEqual({ id: 'b' });
  });
});
