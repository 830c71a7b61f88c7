import { describe, expect, it, vi } from 'vitest';
import { isPublicAddress, resolvesToPublic } from '../../src/files/url-guard.js';

/** src/files/url-guard.ts: which addresses an outbound fetch (E31) may reach. No name is looked up for real. */
const fakeDns: Record<string, string[]> = {
  'public.test': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'v6only.test': ['2606:4700:4700::1111'],
  'mixed.test': ['93.184.216.34', '10.0.0.7'],
  'private.test': ['192.168.1.20'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'empty.test': [],
  localhost: ['127.0.0.1', '::1'],
};
vi.mock('node:dns/promises', () => ({
  lookup: vi.fn(async (host: string, opts: { all?: boolean }) => {
    const list = fakeDns[host];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    expect(opts.all).toBe(true);
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  }),
}));

describe('isPublicAddress', () => {
  it.each([
    ['0.0.0.0', 'this network'],
    ['0.1.2.3', 'this network'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.254', 'CGNAT'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.168.0.1', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.254', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
  ])('IPv4 %s (%s) is not public', (addr) => {
    expect(isPublicAddress(addr)).toBe(false);
  });

  it.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fc00::1', 'unique local'],
    ['fd12:3456:789a::1', 'unique local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['0:0:0:0:0:0:0:1', 'loopback, long form'],
    ['::FFFF:192.168.1.1', 'IPv4-mapped private, upper case'],
  ])('IPv6 %s (%s) is not public', (addr) => {
    expect(isPublicAddress(addr)).toBe(false);
  });

  it.each([
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['::10.0.0.1', 'IPv4-compatible private'],
    ['::ffff:0:127.0.0.1', 'IPv4-translated loopback'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['64:ff9b:1:ffff::808:808', 'local-use NAT64 of a public address'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['2002:c0a8:101::1', '6to4 of a private address'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['2001:db8::1', 'documentation'],
  ])('IPv6 %s (%s), which carries or hides an IPv4 address or is reserved, is not public', (addr) => {
    expect(isPublicAddress(addr)).toBe(false);
  });

  it('IPv6 forms of a public IPv4 address are judged by it', () => {
    for (const a of ['::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1']) expect(isPublicAddress(a), a).toBe(true);
  });

  it('public IPv4 addresses, including the neighbours of every blocked range, are public', () => {
    const v4 = [
      '8.8.8.8',
      '1.1.1.1',
      '93.184.216.34',
      '9.255.255.255',
      '11.0.0.1',
      '100.63.255.255',
      '100.128.0.1',
      '126.255.255.255',
      '128.0.0.1',
      '169.253.255.255',
      '172.15.255.255',
      '172.32.0.1',
      '192.167.255.255',
      '192.169.0.1',
      '198.17.255.255',
      '198.20.0.1',
      '223.255.255.255',
    ];
    expect(
      v4.filter((a) => !isPublicAddress(a)),
      'judged not public',
    ).toEqual([]);
  });

  it('public IPv6 addresses are public', () => {
    const v6 = ['2606:4700:4700::1111', '2001:4860:4860::8888', '2a00:1450:4001:82b::200e'];
    expect(
      v6.filter((a) => !isPublicAddress(a)),
      'judged not public',
    ).toEqual([]);
  });

  it.each(['localhost', '', 'example.com', '127.0.0.1.', '[::1]', '256.0.0.1', '1.2.3', '0x7f000001', ' 8.8.8.8'])(
    '%j is not an address: false',
    (v) => {
      expect(isPublicAddress(v)).toBe(false);
    },
  );
});

describe('resolvesToPublic', () => {
  it('non-public IP literals → false, without a lookup, brackets allowed', async () => {
    for (const h of ['127.0.0.1', '[::1]', '[::ffff:127.0.0.1]', '169.254.169.254', '10.1.2.3', '[fd00::1]'])
      expect(await resolvesToPublic(h), h).toBe(false);
  });

  it('public IP literals → true', async () => {
    expect(await resolvesToPublic('[2606:4700:4700::1111]')).toBe(true);
    expect(await resolvesToPublic('8.8.8.8')).toBe(true);
  });

  it('a name with any non-public address → false', async () => {
    for (const h of ['mixed.test', 'private.test', 'mapped.test', 'localhost']) expect(await resolvesToPublic(h), h).toBe(false);
  });

  it('a name whose every address is public → true (IPv6 only, and IPv4 + IPv6)', async () => {
    expect(await resolvesToPublic('v6only.test')).toBe(true);
    expect(await resolvesToPublic('public.test')).toBe(true);
  });

  it('no addresses or a failed lookup → false', async () => {
    expect(await resolvesToPublic('empty.test')).toBe(false);
    expect(await resolvesToPublic('nowhere.test')).toBe(false);
  });
});
