import { describe, expect, it } from 'vitest';
import { FAILURES, failure, failureText } from '../../src/domain/failures.js';
import { TEXT } from '../../src/domain/texts.js';
import { STATUS } from '../../src/http/errors.js';

/** The failure catalogue (src/domain/failures.ts): each text has one code, each code one status. */
describe('failure catalogue', () => {
  it('pairs every text with exactly one code', () => {
    const codes = new Map<string, Set<string>>();
    for (const [code, text] of Object.values(FAILURES)) codes.set(text, (codes.get(text) ?? new Set()).add(code));
    const twice = [...codes].filter(([, c]) => c.size > 1).map(([t]) => t);
    expect(twice).toEqual([]);
  });

  it('gives every code an HTTP status', () => {
    for (const [key, [code]] of Object.entries(FAILURES)) expect(STATUS[code], key).toBeGreaterThanOrEqual(400);
  });

  it('keeps failures and other texts apart', () => {
    const failureTexts = new Set<string>(Object.values(FAILURES).map(([, t]) => t));
    expect(Object.values(TEXT).filter((t) => failureTexts.has(t))).toEqual([]);
  });

  it('builds the error with its code and text, a detail after a colon, and Retry-After', () => {
    const e = failure('uploadFailed', { detail: failureText('imgFieldRequired') });
    expect([e.code, e.message]).toEqual(['invalid', '上传失败: 请使用 img 字段上传文件']);
    const busy = failure('databaseBusy', { retryAfterSeconds: 1 });
    expect([busy.code, busy.message, busy.retryAfterSeconds]).toEqual(['unavailable', '系统繁忙，请稍后再试', 1]);
  });
});
