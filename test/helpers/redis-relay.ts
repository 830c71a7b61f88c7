import net from 'node:net';

/** A TCP relay in front of Redis, to put a client far from it or to make Redis look hung. */
export interface RedisRelay {
  /** The address to give the client instead of Redis's. */
  url: string;
  /** While on, nothing goes through in either direction (dropped, as a hung Redis answers nothing). */
  hold(on: boolean): void;
  close(): void;
}

/** Starts a relay to `redisUrl`; what Redis sends reaches the client `delayMs` later, in order. */
export async function redisRelay(redisUrl: string, delayMs = 0): Promise<RedisRelay> {
  const target = new URL(redisUrl);
  let held = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    client.on('data', (d) => held || upstream.write(d));
    // One timer per chunk, all of the same delay: Node runs them in the order they were set.
    upstream.on('data', (d) => held || (delayMs === 0 ? client.write(d) : setTimeout(() => client.writable && client.write(d), delayMs)));
    for (const [x, y] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      x.on('error', () => y.destroy());
      x.on('close', () => y.destroy());
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  server.unref();
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}${target.pathname}`,
    hold: (on) => void (held = on),
    close: () => void server.close(),
  };
}
