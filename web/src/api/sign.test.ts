import { describe, expect, it } from 'vitest';
import { securitySign, uuid4 } from './sign.js';

describe('visitor request signing', () => {
  it('matches the test vector of spec §7.2', () => {
    expect(securitySign('8d1a344c-bf16-5425-adbc-d12f49cfa332', 1752835449008)).toBe(
      'a5b40139b65b13cf214d05c27dece58ebe840d888b12272f0ccd15ea72e68998',
    );
  });

  it('makes device ids the server accepts (36 characters of [A-Za-z0-9_-])', () => {
    const ids = new Set(Array.from({ length: 200 }, uuid4));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
