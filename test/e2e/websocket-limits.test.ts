import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type StartOptions, type TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

/** The gateway's limits (issue: frame size, buffered output, connection attempts, client frames, dead sockets). */
async function withServer(env: Record<string, string>, body: (s: TestServer) => Promise<void>, opts: StartOptions = {}): Promise<void> {
  const s = await startServer({ ...opts, env });
  try {
    await body(s);
  } finally {
    await s.close();
  }
}

const wsUrl = (s: TestServer, token: string) => `${s.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`;

describe('websocket limits', () => {
  it('refuses a client address opening more sockets per minute than WS_CONNECTS_PER_MINUTE with 429', async () => {
    await withServer({ WS_CONNECTS_PER_MINUTE: '2' }, async (s) => {
      const u = await s.client.register();
      const first = await WsClient.connect(s.url, u.token);
      const second = await WsClient.connect(s.url, u.token);
      await expect(WsClient.connect(s.url, u.token)).rejects.toThrow(/429/);
      first.close();
      second.close();
    });
  });

  it('keeps at most WS_SOCKETS_PER_USER sockets per user: the oldest idle one is dropped, retired before standing-by, never the receiving one', async () => {
    await withServer({ WS_SOCKETS_PER_USER: '3' }, async (s) => {
      const u = await s.client.register();
      const visitorLike = await WsClient.ready(s.url, u.token);
      // the session ends from its own device: that socket is retired, not closed
      await s.client.post('/api/chat/logout', {}, { token: u.token });
      const login = await s.client.post('/api/loginChat', { username: u.username, password: '123456' });
      const token = login.body.data.token as string;
      const standing = await WsClient.ready(s.url, token);
      const receiving = await WsClient.ready(s.url, token);
      expect([visitorLike, standing, receiving].map((c) => c.closeCode)).toEqual([undefined, undefined, undefined]);
      const newest = await WsClient.ready(s.url, token);
      expect(await visitorLike.closed()).toBe(1006);
      const last = await WsClient.ready(s.url, token);
      expect(await standing.closed()).toBe(1006);
      for (const c of [receiving, newest, last]) expect(c.closeCode).toBeUndefined();
      for (const c of [receiving, newest, last]) c.close();
    });
  });

  it('re-reads sessions at every ping: an account disabled in the database loses its sockets, a session ended there stops receiving', async () => {
    await withServer({ WS_PING_INTERVAL_SECONDS: '1' }, async (s) => {
      const [a, b, peer] = [await s.client.register(), await s.client.register(), await s.client.register()];
      const ca = await WsClient.ready(s.url, a.token);
      const cb = await WsClient.ready(s.url, b.token);
      await s.app.store.users.update(a.id, { status: 0 }, Date.now());
      await s.app.store.sessions.end(b.id, (await s.app.store.sessions.get(b.id))?.sid ?? '');
      expect(await ca.closed(5000)).toBe(4003);
      expect(ca.frames.at(-1)).toEqual({ msg: 'fail', data: '你已被管理员禁用' });
      // two sweeps later b's socket receives nothing, and is not closed (its own device may have ended the session)
      await new Promise((r) => setTimeout(r, 2500));
      const sent = await s.client.post(
        '/api/chat/socket/sendmessage',
        { sendto_id: b.id, chatType: 'single', type: 'text', data: 'after-end' },
        { token: peer.token },
      );
      expect(sent.status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      expect(cb.chats((m) => m.data === 'after-end')).toEqual([]);
      expect(cb.closeCode).toBeUndefined();
      const fresh = cb;
      fresh.close();
    });
  });

  it('closes a socket that sends more frames per minute than WS_FRAMES_PER_MINUTE (1008)', async () => {
    await withServer({ WS_FRAMES_PER_MINUTE: '3' }, async (s) => {
      const u = await s.client.register();
      const ws = await WsClient.ready(s.url, u.token);
      for (let i = 0; i < 5; i++) ws.send('ping');
      expect(await ws.closed()).toBe(1008);
      expect(ws.frames.filter((f) => f?.type === 'pong')).toHaveLength(3);
    });
  });

  it('closes a socket that sends a frame larger than WS_MAX_PAYLOAD (1009)', async () => {
    await withServer({ WS_MAX_PAYLOAD: '1024' }, async (s) => {
      const u = await s.client.register();
      const ws = await WsClient.ready(s.url, u.token);
      ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(2048) }));
      expect(await ws.closed()).toBe(1009);
    });
  });

  it('drops a socket that stops answering protocol pings, and its user counts as offline', async () => {
    await withServer({ WS_PING_INTERVAL_SECONDS: '1' }, async (s) => {
      const u = await s.client.register();
      const ws = new WebSocket(wsUrl(s, u.token), { autoPong: false });
      const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
      await new Promise((r) => ws.once('open', r));
      expect(await closed).toBe(1006);
      for (let i = 0; i < 50 && s.app.gateway.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(s.app.gateway.size).toBe(0);
    });
  }, 15_000);

  it('keeps a socket that answers pings open across several intervals', async () => {
    await withServer({ WS_PING_INTERVAL_SECONDS: '1' }, async (s) => {
      const u = await s.client.register();
      const ws = await WsClient.ready(s.url, u.token);
      await new Promise((r) => setTimeout(r, 3500));
      expect(ws.closeCode).toBeUndefined();
      expect(ws.frames.filter((f) => f?.type === 'ping').length).toBeGreaterThanOrEqual(2);
      ws.close();
    });
  }, 15_000);

  it('closes a reader too slow to keep up (4008); what it missed waits for chatGetmessageOffLine', async () => {
    await withServer({ WS_MAX_BUFFERED: '65536' }, async (s) => {
      const [a, b] = [await s.client.register(), await s.client.register()];
      await s.client.post('/api/chat/userset', { userset: '{"chatset":{"user":{"sendCount":2,"needFollow":false}}}' }, { token: b.token });
      const slow = await WsClient.ready(s.url, b.token);
      // Stop reading: the kernel buffers fill, then the server's own buffer grows past the limit.
      (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
      const big = 'y'.repeat(16 * 1024);
      const total = 400;
      for (let i = 0; i < total; i++) {
        await s.client.post(
          '/api/chat/socket/sendmessage',
          { sendto_id: b.id, chatType: 'single', type: 'text', data: `${i}:${big}` },
          { token: a.token },
        );
      }
      (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      expect(await slow.closed(10_000)).toBe(4008);
      const numbered = (m: { data: unknown }) => /^\d+:/.test(String(m.data));
      const seen = new Set(slow.chats(numbered).map((m) => Number(String(m.data).split(':')[0])));
      expect(seen.size).toBeLessThan(total);

      const again = await WsClient.ready(s.url, b.token);
      await s.client.post('/api/chat/chatGetmessageOffLine', {}, { token: b.token });
      const rest = await again.waitChats(total - seen.size, numbered, 20_000);
      const all = new Set([...seen, ...rest.map((m) => Number(String(m.data).split(':')[0]))]);
      expect(all.size).toBe(total);
      again.close();
    });
  }, 60_000);
});
