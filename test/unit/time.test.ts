import { describe, expect, it } from 'vitest';
import { formatLocalTime, isoTime } from '../../src/domain/time.js';

/** src/domain/time.ts: `create_time` as +08:00 local text, other dates ISO UTC (spec §1.5). */
const CST = 8 * 60;

describe('formatLocalTime', () => {
  it('renders YYYY-MM-DD HH:mm:ss at +08:00', () => {
    expect(formatLocalTime(Date.UTC(2025, 8, 12, 3, 4, 5), CST)).toBe('2025-09-12 11:04:05');
    expect(formatLocalTime(0, CST)).toBe('1970-01-01 08:00:00');
  });

  it('moves to the next day, month and year across local midnight', () => {
    expect(formatLocalTime(Date.UTC(2025, 0, 1, 16, 0, 0), CST)).toBe('2025-01-02 00:00:00');
    expect(formatLocalTime(Date.UTC(2025, 0, 31, 15, 59, 59), CST)).toBe('2025-01-31 23:59:59');
    expect(formatLocalTime(Date.UTC(2025, 0, 31, 16, 0, 0), CST)).toBe('2025-02-01 00:00:00');
    expect(formatLocalTime(Date.UTC(2024, 11, 31, 20, 30, 0), CST)).toBe('2025-01-01 04:30:00');
    expect(formatLocalTime(Date.UTC(2024, 1, 28, 17, 0, 0), CST)).toBe('2024-02-29 01:00:00');
  });

  it('drops milliseconds instead of rounding', () => {
    expect(formatLocalTime(Date.UTC(2025, 5, 1, 0, 0, 59, 999), CST)).toBe('2025-06-01 08:00:59');
  });

  it('honours other offsets, negative ones included', () => {
    expect(formatLocalTime(Date.UTC(2025, 0, 1, 3, 0, 0), -330)).toBe('2024-12-31 21:30:00');
    expect(formatLocalTime(Date.UTC(2025, 0, 1, 3, 0, 0), 0)).toBe('2025-01-01 03:00:00');
  });
});

describe('isoTime', () => {
  it('renders ISO-8601 UTC, and null as null', () => {
    expect(isoTime(Date.UTC(2025, 8, 12, 3, 4, 5, 6))).toBe('2025-09-12T03:04:05.006Z');
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoTime(null)).toBeNull();
  });
});
