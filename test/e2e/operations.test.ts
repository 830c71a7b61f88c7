import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { tempDir } from '../helpers/databases.js';
import { startServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

const metricValue = (text: string, name: string, labels = ''): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').pop()) : NaN;
};

describe('metrics', () => {
  it('exposes sockets, stored and delivered messages, waiting messages, push latency, HTTP latency by route and event-loop lag', async () => {
    const s = await startServer();
    try {
      const c = s.client;
      const [a, b, off] = [await c.register(), await c.register(), await c.register()];
      const wb = await WsClient.ready(s.url, b.token);
      const send = (to: number, data: string) =>
        c.post('/api/chat/socket/sendmessage', { sendto_id: to, chatType: 'single', type: 'text', data }, { token: a.token });
      await c.post('/api/chat/userset', { userset: '{"chatset":{"user":{"sendCount":2,"needFollow":false}}}' }, { token: b.token });
      await c.post('/api/chat/userset', { userset: '{"chatset":{"user":{"sendCount":2,"needFollow":false}}}' }, { token: off.token });
      for (let i = 0; i < 3; i++) await send(b.id, `live ${i}`);
      for (let i = 0; i < 2; i++) await send(off.id, `waiting ${i}`);
      await wb.waitChats(3, (m) => String(m.data).startsWith('live'));

      const res = await fetch(`${s.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(metricValue(text, 'natter_ws_connections')).toBe(1);
      expect(metricValue(text, 'natter_messages_stored_total')).toBeGreaterThanOrEqual(5);
      expect(metricValue(text, 'natter_messages_delivered_total')).toBeGreaterThanOrEqual(3);
      expect(metricValue(text, 'natter_offline_waiting_messages')).toBe(2);
      expect(metricValue(text, 'natter_push_latency_seconds_count')).toBeGreaterThanOrEqual(3);
      expect(metricValue(text, 'natter_bus_publish_errors_total')).toBe(0);
      expect(text).toMatch(
        /natter_http_request_duration_seconds_count\{method="POST",route="\/api\/chat\/socket\/sendmessage",status="200"\} 5/,
      );
      expect(text).toMatch(/^natter_nodejs_eventloop_lag_seconds /m);

      wb.close();
      await wb.closed();
      await new Promise((r) => setTimeout(r, 50));
      expect(metricValue(await (await fetch(`${s.url}/metrics`)).text(), 'natter_ws_connections')).toBe(0);
    } finally {
      await s.close();
    }
  });
});

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** The real entry point (`src/main.ts`) in a child process, as `npm start` runs it. */
function spawnServer(dataDir: string, port: number, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      SCRYPT_COST: '10',
      DATABASE_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function startProcess(
  dataDir: string,
  port: number,
  env: Record<string, string> = {},
): Promise<{ proc: ChildProcess; url: string; exited: Promise<number | null> }> {
  const proc = spawnServer(dataDir, port, env);
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`server did not become healthy:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, url, exited };
}

describe('graceful shutdown', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('on SIGTERM drops sockets abnormally (clients reconnect), finishes in-flight requests, and loses nothing it acknowledged', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const port = await freePort();
    const first = await startProcess(dir, port);
    const c = new Client(first.url);
    const [a, b, watcher] = [await c.register('sender01'), await c.register('receiver01'), await c.register('watcher01')];
    await c.post('/api/chat/userset', { userset: '{"chatset":{"user":{"sendCount":2,"needFollow":false}}}' }, { token: b.token });
    const ws = await WsClient.ready(first.url, watcher.token);

    // Ten senders in a loop; SIGTERM lands after 100 answers, while others are in flight.
    const answers: { i: number; ok: boolean }[] = [];
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (next < 1000) {
        const i = next++;
        const ok = await c
          .post('/api/chat/socket/sendmessage', { sendto_id: b.id, chatType: 'single', type: 'text', data: `m${i}` }, { token: a.token })
          .then(
            (r) => r.status === 200 && r.body?.msg === 'ok',
            () => false,
          );
        answers.push({ i, ok });
        if (!killed && answers.length >= 100) {
          killed = true;
          first.proc.kill('SIGTERM');
        }
        if (!ok && killed) return;
      }
    };
    const sends = Array.from({ length: 10 }, worker);
    await Promise.all(sends);
    expect(await first.exited).toBe(0);
    expect(await ws.closed()).toBe(1006);
    const acknowledged = answers.filter((x) => x.ok).map((x) => x.i);
    expect(acknowledged.length).toBeGreaterThan(0);

    const second = await startProcess(dir, port);
    try {
      const c2 = new Client(second.url);
      const login = await c2.post('/api/loginChat', { username: 'receiver01', password: '123456' });
      const wb = await WsClient.ready(second.url, login.body.data.token);
      expect((await c2.post('/api/chat/chatGetmessageOffLine', {}, { token: login.body.data.token })).body).toEqual({
        msg: 'ok',
        data: 'ok',
      });
      const got = await wb.waitChats(acknowledged.length, (m) => /^m\d+$/.test(String(m.data)));
      const received = new Set(got.map((m) => Number(String(m.data).slice(1))));
      for (const i of acknowledged) expect(received.has(i), `acknowledged m${i} was lost`).toBe(true);
      expect(got.length).toBe(received.size);
      wb.close();
    } finally {
      second.proc.kill('SIGTERM');
      await second.exited;
    }
  }, 60_000);

  it('on SIGKILL in the middle of a load loses nothing it acknowledged: after a restart each arrives once', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const port = await freePort();
    const first = await startProcess(dir, port);
    const c = new Client(first.url);
    const [a, b] = [await c.register('ksender01'), await c.register('kreceiver01')];
    await c.post('/api/chat/userset', { userset: '{"chatset":{"user":{"sendCount":2,"needFollow":false}}}' }, { token: b.token });
    const acknowledged: number[] = [];
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (next < 2000) {
        const i = next++;
        const ok = await c
          .post('/api/chat/socket/sendmessage', { sendto_id: b.id, chatType: 'single', type: 'text', data: `k${i}` }, { token: a.token })
          .then(
            (r) => r.status === 200 && r.body?.msg === 'ok',
            () => false,
          );
        if (ok) acknowledged.push(i);
        if (!killed && acknowledged.length >= 150) {
          killed = true;
          first.proc.kill('SIGKILL');
        }
        if (!ok && killed) return;
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    expect(await first.exited).toBeNull();
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);

    const second = await startProcess(dir, port);
    try {
      const c2 = new Client(second.url);
      const login = await c2.post('/api/loginChat', { username: 'kreceiver01', password: '123456' });
      const wb = await WsClient.ready(second.url, login.body.data.token);
      expect((await c2.post('/api/chat/chatGetmessageOffLine', {}, { token: login.body.data.token })).body).toEqual({
        msg: 'ok',
        data: 'ok',
      });
      const got = await wb.waitChats(acknowledged.length, (m) => /^k\d+$/.test(String(m.data)));
      const received = got.map((m) => Number(String(m.data).slice(1)));
      for (const i of acknowledged) expect(received.includes(i), `acknowledged k${i} was lost`).toBe(true);
      // once each: the drain is the only delivery, and nothing arrives twice
      const marker = await c2.post(
        '/api/chat/socket/sendmessage',
        { sendto_id: b.id, chatType: 'single', type: 'text', data: 'marker' },
        { token: (await c2.post('/api/loginChat', { username: 'ksender01', password: '123456' })).body.data.token },
      );
      expect(marker.status).toBe(200);
      await wb.waitChats(1, (m) => m.data === 'marker');
      const all = wb.chats((m) => /^k\d+$/.test(String(m.data))).map((m) => m.id);
      expect(new Set(all).size).toBe(all.length);
      wb.close();
    } finally {
      second.proc.kill('SIGTERM');
      await second.exited;
    }
  }, 90_000);

  it('on SIGTERM keeps open sockets until a new process takes the port, then drops them (1006) so clients reconnect to it', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const port = await freePort();
    const first = await startProcess(dir, port, { SHUTDOWN_GRACE_SECONDS: '60' });
    const c = new Client(first.url);
    const u = await c.register('handover01');
    const ws = await WsClient.ready(first.url, u.token);
    first.proc.kill('SIGTERM');
    // the port is free at once, the socket is kept while no successor listens
    const second = spawnServer(dir, port);
    const secondExited = new Promise<void>((r) => second.on('exit', () => r()));
    try {
      expect(await ws.closed(20_000)).toBe(1006);
      expect(await first.exited).toBe(0);
      const back = await WsClient.ready(first.url, u.token);
      back.close();
    } finally {
      second.kill('SIGTERM');
      await secondExited;
    }
  }, 60_000);

  it('answers a request that arrives while it starts instead of refusing the connection', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const port = await freePort();
    const proc = spawnServer(dir, port);
    const exited = new Promise<void>((r) => proc.on('exit', () => r()));
    try {
      // the first moment the port accepts a connection, ask something that needs the database
      for (;;) {
        const accepted = await new Promise<boolean>((resolve) => {
          const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
          s.on('error', () => resolve(false));
        });
        if (accepted) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      const res = await fetch(`http://127.0.0.1:${port}/api/userinfo/nobody`);
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual({ msg: 'fail', data: expect.any(String) });
    } finally {
      proc.kill('SIGTERM');
      await exited;
    }
  }, 60_000);
});

describe('npm start', () => {
  it('builds only what changed, serves, and stops when npm is sent SIGTERM (the signal reaches the server)', async () => {
    const dir = tempDir();
    const port = await freePort();
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'warn', SCRYPT_COST: '10', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => npm.on('exit', (code) => r(code)));
    const url = `http://127.0.0.1:${port}/healthz`;
    const answers = () =>
      fetch(url).then(
        (r) => r.status === 200,
        () => false,
      );
    try {
      const deadline = Date.now() + 150_000;
      while (!(await answers())) {
        if (Date.now() > deadline || npm.exitCode !== null) throw new Error(`npm start did not become healthy:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      npm.kill('SIGTERM');
      expect(await exited).toBe(0);
      // npm has exited; the server it started must be gone too, not left running on the port.
      expect(await answers()).toBe(false);
    } finally {
      npm.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 200_000);

  it('at install (prepare) skips a stale build whose tools were left out, and says so, instead of failing the install', () => {
    const root = tempDir();
    try {
      fs.mkdirSync(path.join(root, 'scripts'));
      fs.copyFileSync(path.join(ROOT, 'scripts', 'build-if-stale.mjs'), path.join(root, 'scripts', 'build-if-stale.mjs'));
      fs.mkdirSync(path.join(root, 'src'));
      fs.writeFileSync(path.join(root, 'src', 'main.ts'), '');
      const run = spawnSync(process.execPath, ['scripts/build-if-stale.mjs', '--install'], { cwd: root, encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(run.stderr).toContain('not building the server: typescript is not installed');
      // Without --install (npm start) a stale tree must be built: the missing tools are an error then.
      const start = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: root, encoding: 'utf8' });
      expect(start.status).not.toBe(0);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
