import net from 'node:net';
import { expect, it } from 'vitest';
import { describeEachDialectWithServers } from '../helpers/dialects.js';
import type { TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

/**
 * No connection can stop the process: a WebSocket upgrade the server refuses (unknown path, too
 * many attempts, shutting down, bad token) followed by a TCP reset from the client used to raise
 * an unhandled 'error' on the raw socket and end the process.
 */
const upgradeRequest = (path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/** Opens a TCP connection, optionally sends `text`, then resets it (RST, no FIN). Resolves when closed. */
function sendAndReset(port: number, text: string | undefined, delayMs = 0): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      if (text !== undefined) s.write(text);
      setTimeout(() => s.resetAndDestroy(), delayMs);
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve());
  });
}

async function storm(port: number, text: string | undefined, n = 20): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => sendAndReset(port, text, i % 3)));
}

async function expectServing(s: TestServer): Promise<void> {
  const res = await s.client.get('/healthz');
  expect(res.status).toBe(200);
  const u = await s.client.register();
  const c = await WsClient.ready(s.url, u.token);
  c.close();
}

describeEachDialectWithServers('websocket: refused upgrades reset by the client', (startFor) => {
  const start = (env: Record<string, string> = {}) => startFor({ env });

  it('unknown paths (404), bad tokens (fail frame) and half-sent handshakes', async () => {
    const s = await start();
    await storm(s.port, upgradeRequest('/nope'));
    await storm(s.port, upgradeRequest('/ws?token=garbage'));
    await storm(s.port, upgradeRequest('/ws'));
    await storm(s.port, upgradeRequest('/ws').slice(0, 40));
    await storm(s.port, undefined);
    await expectServing(s);
  });

  it('addresses over WS_CONNECTS_PER_MINUTE (429)', async () => {
    const s = await start({ WS_CONNECTS_PER_MINUTE: '2' });
    for (let i = 0; i < 2; i++) expect(await (await WsClient.connect(s.url, 'garbage')).closed()).toBe(1005);
    await storm(s.port, upgradeRequest('/ws?token=garbage'), 30);
    const res = await s.client.get('/healthz');
    expect(res.status).toBe(200);
    await expect(WsClient.connect(s.url, 'x')).rejects.toThrow(/429/);
  });

  it('while shutting down (503)', async () => {
    const s = await start();
    const u = await s.client.register();
    const holder = await WsClient.ready(s.url, u.token);
    // connections made before the stop, upgrading after it began
    const raw = await Promise.all(
      Array.from(
        { length: 20 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const c = net.connect(s.port, '127.0.0.1', () => resolve(c));
            c.on('error', () => undefined);
          }),
      ),
    );
    const stopping = s.app.close(400);
    await new Promise((r) => setTimeout(r, 50));
    const answers = raw.map(
      (c) =>
        new Promise<string>((resolve) => {
          let got = '';
          c.on('data', (d: Buffer) => (got += d.toString()));
          c.on('close', () => resolve(got));
        }),
    );
    raw[0]?.write(upgradeRequest('/ws'));
    expect(await answers[0]).toMatch(/^HTTP\/1\.1 503 /);
    for (const c of raw.slice(1)) {
      c.write(upgradeRequest('/ws'));
      c.resetAndDestroy();
    }
    await stopping;
    expect(await holder.closed()).toBe(1006);
  });
});
