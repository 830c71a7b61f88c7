import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadPublic } from '../../src/files/url-guard.js';

/** downloadPublic against a local server that misbehaves: every failure rejects, none reaches the process. */
describe('downloadPublic: connections that break', () => {
  let server: http.Server;
  let base: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'natter-dl-'));
  const loopbackAllowed = () => true;
  const limits = { maxBytes: 1 << 20, timeoutMs: 2000 };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/cut') {
        res.writeHead(200, { 'content-length': '100000' });
        res.write(Buffer.alloc(1000));
        setTimeout(() => req.socket.resetAndDestroy(), 20);
      } else if (req.url === '/missing-then-reset') {
        res.writeHead(404, { 'content-length': '100000' });
        res.write(Buffer.alloc(1000));
        setTimeout(() => req.socket.resetAndDestroy(), 20);
      } else if (req.url === '/big') {
        res.writeHead(200);
        res.end(Buffer.alloc(2 << 20));
      } else {
        res.end('ok');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const dest = (name: string) => path.join(dir, name);

  it('rejects a body cut by a reset', async () => {
    await expect(downloadPublic(new URL(`${base}/cut`), dest('cut'), limits, loopbackAllowed)).rejects.toThrow();
  });

  it('rejects an error status whose connection is then reset', async () => {
    await expect(downloadPublic(new URL(`${base}/missing-then-reset`), dest('missing'), limits, loopbackAllowed)).rejects.toThrow(
      /status 404/,
    );
    await new Promise((r) => setTimeout(r, 100));
  });

  it('rejects a body over the size limit', async () => {
    await expect(downloadPublic(new URL(`${base}/big`), dest('big'), limits, loopbackAllowed)).rejects.toThrow(/too large/);
  });

  it('downloads a whole body', async () => {
    await downloadPublic(new URL(`${base}/fine`), dest('fine'), limits, loopbackAllowed);
    expect(fs.readFileSync(dest('fine'), 'utf8')).toBe('ok');
  });

  it('refuses loopback when the address check is on: an address literal before connecting', async () => {
    await expect(downloadPublic(new URL(`${base}/fine`), dest('refused'), limits)).rejects.toThrow(/127\.0\.0\.1 is not a public address/);
  });

  it('refuses a name that resolves to loopback when the connection is made (no window for DNS rebinding)', async () => {
    const byName = new URL(`${base}/fine`);
    byName.hostname = 'localhost';
    await expect(downloadPublic(byName, dest('by-name'), limits)).rejects.toThrow(/localhost is not a public address/);
    expect(fs.existsSync(dest('by-name'))).toBe(false);
  });
});
