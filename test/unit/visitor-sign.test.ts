import { describe, expect, it } from 'vitest';
import {
  DEVICE_ID,
  SIGNATURE_WINDOW_MS,
  VISITOR_REQUESTS_PER_HOUR,
  signatureMatches,
  visitorSignature,
  visitorUsername,
} from '../../src/domain/visitor.js';
import { visitorSign } from '../helpers/visitor-client.js';

/** The visitor request signature and device id rule (spec §7.1, §7.2). */
const DEVICE = '8d1a344c-bf16-5425-adbc-d12f49cfa332';
const TS = '1752835449008';
const SALT = '45ncashdaksh2!#@3nxjdas*_259';
const EXPECTED = 'a5b40139b65b13cf214d05c27dece58ebe840d888b12272f0ccd15ea72e68998';

describe('visitor signature (§7.2)', () => {
  it('matches the test vector of the spec', () => {
    expect(visitorSignature(DEVICE, TS, SALT)).toBe(EXPECTED);
    // the e2e suites sign with their own implementation: it must agree with the vector too
    expect(visitorSign(DEVICE, TS, SALT)).toBe(EXPECTED);
  });

  it('accepts the vector in lower and upper case', () => {
    expect(signatureMatches(EXPECTED, DEVICE, TS, SALT)).toBe(true);
    expect(signatureMatches(EXPECTED.toUpperCase(), DEVICE, TS, SALT)).toBe(true);
  });

  it('refuses a wrong salt, device id or timestamp, a truncated or empty signature', () => {
    expect(signatureMatches(EXPECTED, DEVICE, TS, `${SALT}x`)).toBe(false);
    expect(signatureMatches(EXPECTED, DEVICE, TS, 'qhdgw@45ncashdaksh2!#@3nxjdas*_259')).toBe(false);
    expect(signatureMatches(EXPECTED, DEVICE.replace('8d1a', '8d1b'), TS, SALT)).toBe(false);
    expect(signatureMatches(EXPECTED, DEVICE, '1752835449009', SALT)).toBe(false);
    expect(signatureMatches(EXPECTED.slice(0, 63), DEVICE, TS, SALT)).toBe(false);
    expect(signatureMatches(`${EXPECTED}0`, DEVICE, TS, SALT)).toBe(false);
    expect(signatureMatches('', DEVICE, TS, SALT)).toBe(false);
  });

  it('signs the timestamp as sent (decimal text)', () => {
    expect(visitorSignature(DEVICE, '01752835449008', SALT)).not.toBe(EXPECTED);
  });
});

describe('device id rule (§7.1)', () => {
  it('accepts exactly 36 characters of letters, digits, "_" and "-"', () => {
    expect(DEVICE_ID.test(DEVICE)).toBe(true);
    expect(DEVICE_ID.test(DEVICE.toUpperCase())).toBe(true);
    expect(DEVICE_ID.test('a'.repeat(36))).toBe(true);
    expect(DEVICE_ID.test('_'.repeat(18) + '-'.repeat(18))).toBe(true);
    expect(DEVICE_ID.test('Z9_-'.repeat(9))).toBe(true);
  });

  it('refuses other lengths and other characters', () => {
    expect(DEVICE_ID.test('a'.repeat(35))).toBe(false);
    expect(DEVICE_ID.test('a'.repeat(37))).toBe(false);
    expect(DEVICE_ID.test('')).toBe(false);
    expect(DEVICE_ID.test(`${'a'.repeat(35)}.`)).toBe(false);
    expect(DEVICE_ID.test(`${'a'.repeat(35)} `)).toBe(false);
    expect(DEVICE_ID.test(`${'a'.repeat(35)}\n`)).toBe(false);
    expect(DEVICE_ID.test(`${'a'.repeat(36)}\n`)).toBe(false);
    expect(DEVICE_ID.test(`${'a'.repeat(35)}é`)).toBe(false);
    expect(DEVICE_ID.test(`${'a'.repeat(35)}!`)).toBe(false);
    expect(DEVICE_ID.test(`fallback-${'1'.repeat(27)}x`)).toBe(false);
  });
});

describe('visitor constants (§7.3, §7.4)', () => {
  it('five minutes, five requests per hour, VIS + first 8 characters (case kept)', () => {
    expect(SIGNATURE_WINDOW_MS).toBe(300_000);
    expect(VISITOR_REQUESTS_PER_HOUR).toBe(5);
    expect(visitorUsername(DEVICE)).toBe('VIS8d1a344c');
    expect(visitorUsername('AbCdEfGh-rest-of-the-id-000000000000')).toBe('VISAbCdEfGh');
  });
});
