import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { BlockList, isIP } from 'node:net';

/** Address ranges an outbound fetch must never reach: loopback, private, link-local, CGNAT, multicast, reserved. */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are checked against the IPv4 rules by BlockList itself.
for (const [net, prefix] of [['::', 127], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** True when every address the host name resolves to is public. */
export async function resolvesToPublic(hostname: string): Promise<boolean> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return isPublicAddress(host);
  try {
    const addrs = await lookup(host, { all: true });
    return addrs.length > 0 && addrs.every((a) => isPublicAddress(a.address));
  } catch {
    return false;
  }
}

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
}

/**
 * Downloads a URL into a file for a tool that must not reach the network itself. The address is
 * checked when the connection is made (no window for DNS rebinding), redirects are not followed,
 * and size and time are bounded. Rejects on any failure; the caller removes the file.
 */
export function downloadPublic(url: URL, dest: string, limits: FetchLimits, allowed: (address: string) => boolean = isPublicAddress): Promise<void> {
  const get = url.protocol === 'https:' ? https.get : http.get;
  // An address literal is connected to without a lookup: check it here.
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && !allowed(literal)) return Promise.reject(new Error(`${literal} is not a public address`));
  return new Promise((resolve, reject) => {
    const req = get(
      url,
      {
        timeout: limits.timeoutMs,
        // Every address is checked when the connection is made, so a name cannot change its answer after the check.
        lookup: ((hostname: string, opts: LookupOptions, cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
          dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
            if (err) return cb(err, '');
            const list = addresses as LookupAddress[];
            if (list.length === 0 || !list.every((a) => allowed(a.address))) return cb(new Error(`${hostname} is not a public address`), '');
            if (opts.all) return cb(null, list);
            const first = list[0] as LookupAddress;
            cb(null, first.address, first.family);
          });
        }) as unknown as http.RequestOptions['lookup'],
      },
      (res) => {
        // A connection reset while the body streams must reject, never reach the process.
        res.on('error', reject);
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`status ${res.statusCode ?? 0}`));
        }
        let size = 0;
        const out = fs.createWriteStream(dest);
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > limits.maxBytes) req.destroy(new Error('too large'));
        });
        pipeline(res, out).then(resolve, reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}
