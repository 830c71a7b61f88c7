import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { fail } from '../helpers/chat.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** A bus that can be made to stop answering, as Redis does when it is unreachable or hangs. */
class FlakyBus extends MemoryBus {
  mode: 'up' | 'down' | 'hung' = 'up';
  override async ping(): Promise<void> {
    if (this.mode === 'down') throw new Error('connection refused');
    if (this.mode === 'hung') return new Promise<void>(() => undefined);
  }
}

describe('GET /readyz (load balancers) and /healthz (liveness)', () => {
  const bus = new FlakyBus();
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ bus, allow5xx: true });
  });
  afterAll(async () => {
    await s?.close();
    await bus.close();
  });

  it('answers 200 while the database and the bus answer', async () => {
    bus.mode = 'up';
    expect(await s.client.get('/readyz')).toMatchObject({ status: 200, body: { msg: 'ok', data: 'ok' } });
  });

  it('answers 503 while the bus is down, and soon when it hangs; liveness stays 200', async () => {
    for (const mode of ['down', 'hung'] as const) {
      bus.mode = mode;
      const started = Date.now();
      expect(await s.client.get('/readyz'), mode).toMatchObject({ status: 503, body: fail('服务暂不可用，请稍后再试') });
      expect(Date.now() - started, mode).toBeLessThan(10_000);
      expect(await s.client.get('/healthz'), mode).toMatchObject({ status: 200 });
    }
    bus.mode = 'up';
    expect((await s.client.get('/readyz')).status).toBe(200);
  });
});
