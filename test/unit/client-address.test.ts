import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddressOf, trustedProxies } from '../../src/http/client-address.js';

/** A request from `peer` with this X-Forwarded-For header (absent when undefined). */
const request = (peer: string, xff?: string): IncomingMessage =>
  ({
    socket: { remoteAddress: peer },
    connection: { remoteAddress: peer },
    headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
  }) as unknown as IncomingMessage;

describe('client address (TRUST_PROXY)', () => {
  it('with no trusted proxy, the peer is the client whatever X-Forwarded-For says', () => {
    const of = clientAddressOf(trustedProxies([]));
    expect(of(request('203.0.113.9'))).toBe('203.0.113.9');
    expect(of(request('203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9');
  });

  it('behind a trusted proxy, the last hop that is not a trusted proxy is the client', () => {
    const of = clientAddressOf(trustedProxies(['10.0.0.0/8']));
    expect(of(request('10.0.0.2', '198.51.100.1'))).toBe('198.51.100.1');
    // A client cannot choose its address by sending the header itself: only trusted hops are skipped.
    expect(of(request('10.0.0.2', '192.0.2.66, 198.51.100.1'))).toBe('198.51.100.1');
    expect(of(request('10.0.0.2', '192.0.2.66, 198.51.100.1, 10.1.2.3'))).toBe('198.51.100.1');
  });

  it('a peer that is not a trusted proxy is the client, even with the header', () => {
    const of = clientAddressOf(trustedProxies(['10.0.0.1']));
    expect(of(request('203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9');
  });

  it('IPv6 proxies and IPv4-mapped peers', () => {
    const of = clientAddressOf(trustedProxies(['::1', '127.0.0.1']));
    expect(of(request('::1', '2001:db8::7'))).toBe('2001:db8::7');
    expect(of(request('::ffff:127.0.0.1', '198.51.100.1'))).toBe('198.51.100.1');
  });
});
