import ipaddr from 'ipaddr.js';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { pipeline } from 'node:stream/promises';

/**
 * Whether an outbound fetch may reach this address: only global unicast, as classified by
 * ipaddr.js (loopback, private, link-local, CGNAT, multicast, reserved, documentation and the
 * like are not). IPv6 forms that carry an IPv4 address (mapped, translated, IPv4-compatible,
 * NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that IPv4 address; local-use NAT64
 * (64:ff9b:1::/48) and Teredo are never public.
 */
export function isPublicAddress(address: string): boolean {
  if (isIP(address) === 0) return false;
  const addr = ipaddr.parse(address);
  if (addr.kind() === 'ipv4') return addr.range() === 'unicast';
  const embedded = embeddedIPv4(addr as ipaddr.IPv6);
  if (embedded !== undefined) return embedded !== null && embedded.range() === 'unicast';
  return addr.range() === 'unicast';
}

/** The IPv4 address inside an IPv6 one; null for a form that hides it; undefined for none. */
function embeddedIPv4(a: ipaddr.IPv6): ipaddr.IPv4 | null | undefined {
  const w = a.parts;
  const low = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const zeros = (n: number) => w.slice(0, n).every((x) => x === 0);
  if (zeros(5) && (w[5] === 0xffff || w[5] === 0)) return low(w[6] ?? 0, w[7] ?? 0); // ::ffff:a.b.c.d and ::a.b.c.d
  if (zeros(4) && w[4] === 0xffff && w[5] === 0) return low(w[6] ?? 0, w[7] ?? 0); // ::ffff:0:a.b.c.d (RFC 6145)
  if (w[0] === 0x64 && w[1] === 0xff9b && w.slice(2, 6).every((x) => x === 0)) return low(w[6] ?? 0, w[7] ?? 0); // NAT64 well-known prefix
  if (w[0] === 0x2002) return low(w[1] ?? 0, w[2] ?? 0); // 6to4
  if (a.range() === 'rfc6052' || a.range() === 'teredo') return null;
  return undefined;
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
export function downloadPublic(
  url: URL,
  dest: string,
  limits: FetchLimits,
  allowed: (address: string) => boolean = isPublicAddress,
): Promise<void> {
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
        lookup: ((
          hostname: string,
          opts: LookupOptions,
          cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
        ) => {
          dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
            if (err) return cb(err, '');
            const list = addresses as LookupAddress[];
            if (list.length === 0 || !list.every((a) => allowed(a.address)))
              return cb(new Error(`${hostname} is not a public address`), '');
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
