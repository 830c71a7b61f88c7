import Database from 'better-sqlite3';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNLIMITED } from '../helpers/chat.js';
import { startServer, type TestServer } from '../helpers/server.js';

/**
 * Another process holding SQLite's write lock (an admin shell, a backup tool): writes wait for it
 * off the event loop, and answer 503 with Retry-After if it lasts; the server keeps serving.
 */
describe('sqlite: the database locked by another process', () => {
  let s: TestServer;
  let other: Database.Database;
  beforeAll(async () => {
    // 503 is the answer under test here
    s = await startServer({ dialect: 'sqlite', allow5xx: true });
    other = new Database(s.databaseUrl.replace(/^sqlite:/, ''));
  });
  afterAll(async () => {
    if (other.inTransaction) other.exec('rollback');
    other.close();
    await s.close();
  });

  it('answers a write 503 with Retry-After within a few seconds, without blocking the event loop; nothing is half-written', async () => {
    const u = await s.client.register();
    other.exec('begin immediate');
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = Date.now();
    const pending = s.client.post('/api/chat/userset', { userset: UNLIMITED }, { token: u.token });
    // reads keep being answered meanwhile
    const health = await s.client.get('/healthz');
    expect(health.status).toBe(200);
    const res = await pending;
    delay.disable();
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ msg: 'fail', data: '系统繁忙，请稍后再试' });
    expect(res.headers.get('retry-after')).toBe('1');
    expect(Date.now() - started).toBeLessThan(10_000);
    // the old behaviour held the loop for whole seconds at a time
    expect(delay.max / 1e6).toBeLessThan(1000);
    other.exec('rollback');
    expect((await s.app.store.users.findById(u.id))?.userset).not.toBe(UNLIMITED);
    const again = await s.client.post('/api/chat/userset', { userset: UNLIMITED }, { token: u.token });
    expect(again.status).toBe(200);
    expect((await s.app.store.users.findById(u.id))?.userset).toBe(UNLIMITED);
  });

  it('a write that meets a short lock waits for it and succeeds', async () => {
    const u = await s.client.register();
    other.exec('begin immediate');
    const pending = s.client.post('/api/chat/userset', { userset: UNLIMITED }, { token: u.token });
    setTimeout(() => other.exec('rollback'), 300);
    const res = await pending;
    expect(res.status).toBe(200);
  });
});
