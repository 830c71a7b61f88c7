import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** The shared constant the seed's clients sign visitor requests with (spec §7.2). */
export const VISITOR_SALT = '45ncashdaksh2!#@3nxjdas*_259';

/**
 * X-Security-Sign of a visitor request: SHA-256 of the sorted `k=v` pairs joined by `&`, then the
 * text `APP_SECRET`. Plain JavaScript so it also works outside secure contexts (no crypto.subtle).
 */
export function securitySign(deviceId: string, timestamp: number): string {
  const pairs = { deviceId, salt: VISITOR_SALT, timestamp: String(timestamp) };
  const text = Object.entries(pairs)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return bytesToHex(sha256(utf8ToBytes(text + 'APP_SECRET')));
}

/** A random UUID v4 from getRandomValues (available on plain http, unlike crypto.randomUUID). */
export function uuid4(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = bytesToHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
