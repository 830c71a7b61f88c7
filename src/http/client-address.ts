import proxyAddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';

/**
 * The one rule for a client's address, used by every limit (HTTP through Fastify's `req.ip`,
 * WebSocket upgrades through the function returned): X-Forwarded-For is read only as far as the
 * hops are the given trusted proxies; the first address that is not one of them is the client.
 */
export function trustedProxies(list: string[]): (addr: string, hop: number) => boolean {
  if (list.length === 0) return () => false;
  return proxyAddr.compile(list);
}

export function clientAddressOf(trust: (addr: string, hop: number) => boolean): (req: IncomingMessage) => string {
  return (req) => proxyAddr(req, trust) ?? req.socket.remoteAddress ?? '';
}
