import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The visitor request signature of spec §7.2, as existing clients compute it: plain SHA-256 of
 * `deviceId=<id>&salt=<salt>&timestamp=<ms>APP_SECRET`, lower-case hex. It only deters casual
 * scripting (every client ships the salt); the rate limit and freshness window do the rest.
 */
export function visitorSignature(deviceId: string, timestamp: string, salt: string): string {
  return createHash('sha256').update(`deviceId=${deviceId}&salt=${salt}&timestamp=${timestamp}APP_SECRET`).digest('hex');
}

export function signatureMatches(given: string, deviceId: string, timestamp: string, salt: string): boolean {
  const expected = Buffer.from(visitorSignature(deviceId, timestamp, salt), 'utf8');
  const actual = Buffer.from(given.trim().toLowerCase(), 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A device id: exactly 36 characters of letters, digits, `_` and `-`. */
export const DEVICE_ID = /^[\w-]{36}$/;

/** Requests older or newer than this (ms) are refused. */
export const SIGNATURE_WINDOW_MS = 300_000;

/** Visitor requests allowed per device per hour. */
export const VISITOR_REQUESTS_PER_HOUR = 5;

/** The seed's visitor username: `VIS` and the first 8 characters of the device id. */
export const visitorUsername = (deviceId: string): string => `VIS${deviceId.slice(0, 8)}`;
