import { describe, expect, it } from 'vitest';
import { DEFAULT_CHATSET, nicknameLength, parseChatset, passwordProblem, serializeUserset } from './me.js';

describe('parseChatset', () => {
  it('defaults to one message before being friends for both roles when userset is empty', () => {
    expect(parseChatset('')).toEqual({ visitor: 1, user: 1 });
    expect(parseChatset(null)).toEqual({ visitor: 1, user: 1 });
    expect(parseChatset(undefined)).toEqual(DEFAULT_CHATSET);
  });

  it('defaults when there is no chatset or the text is not a JSON object', () => {
    expect(parseChatset('{}')).toEqual({ visitor: 1, user: 1 });
    expect(parseChatset('{"theme":"dark"}')).toEqual({ visitor: 1, user: 1 });
    expect(parseChatset('{not json')).toEqual({ visitor: 1, user: 1 });
    expect(parseChatset('[1,2]')).toEqual({ visitor: 1, user: 1 });
    expect(parseChatset('"x"')).toEqual({ visitor: 1, user: 1 });
    expect(parseChatset('{"chatset":null}')).toEqual({ visitor: 1, user: 1 });
  });

  it('reads the current shape', () => {
    const s = '{"chatset":{"visitor":{"sendCount":0,"needFollow":false},"user":{"sendCount":2,"needFollow":false}}}';
    expect(parseChatset(s)).toEqual({ visitor: 0, user: 2 });
    expect(parseChatset('{"chatset":{"visitor":{"sendCount":1},"user":{"sendCount":0}}}')).toEqual({ visitor: 1, user: 0 });
  });

  it('treats what the server would not restrict as unrestricted', () => {
    // Legacy shape: sendCount undefined ⇒ nothing blocks (§8.1).
    expect(parseChatset('{"chatset":{"visitor":0,"user":0}}')).toEqual({ visitor: 2, user: 2 });
    // Compared with ===: strings and other numbers do not restrict.
    expect(parseChatset('{"chatset":{"visitor":{"sendCount":"0"},"user":{"sendCount":5}}}')).toEqual({ visitor: 2, user: 2 });
    expect(parseChatset('{"chatset":{"user":{"sendCount":0}}}')).toEqual({ visitor: 2, user: 0 });
  });
});

describe('serializeUserset', () => {
  it('writes the shape the server reads, needFollow always false', () => {
    expect(JSON.parse(serializeUserset({ visitor: 0, user: 2 }))).toEqual({
      chatset: { visitor: { sendCount: 0, needFollow: false }, user: { sendCount: 2, needFollow: false } },
    });
    expect(serializeUserset({ visitor: 1, user: 1 }, '')).toBe(
      '{"chatset":{"visitor":{"sendCount":1,"needFollow":false},"user":{"sendCount":1,"needFollow":false}}}',
    );
  });

  it('keeps other settings and replaces an old chatset', () => {
    const prev = '{"theme":"dark","chatset":{"visitor":0,"user":0}}';
    expect(JSON.parse(serializeUserset({ visitor: 2, user: 0 }, prev))).toEqual({
      theme: 'dark',
      chatset: { visitor: { sendCount: 2, needFollow: false }, user: { sendCount: 0, needFollow: false } },
    });
  });

  it('ignores a previous value that is not a JSON object', () => {
    expect(JSON.parse(serializeUserset({ visitor: 1, user: 2 }, '{oops'))).toEqual({
      chatset: { visitor: { sendCount: 1, needFollow: false }, user: { sendCount: 2, needFollow: false } },
    });
  });

  it('round-trips through parseChatset', () => {
    for (const visitor of [0, 1, 2] as const) {
      for (const user of [0, 1, 2] as const) {
        expect(parseChatset(serializeUserset({ visitor, user }))).toEqual({ visitor, user });
      }
    }
  });
});

describe('nicknameLength', () => {
  it('counts characters, not UTF-16 units', () => {
    expect(nicknameLength('小明')).toBe(2);
    expect(nicknameLength('😀😀')).toBe(2);
    expect(nicknameLength('')).toBe(0);
  });
});

describe('passwordProblem', () => {
  it('needs all three fields', () => {
    expect(passwordProblem('', '123456', '123456')).toBe('required');
    expect(passwordProblem('old', '', '')).toBe('required');
  });

  it('checks the new password is 6–20 characters', () => {
    expect(passwordProblem('old', '12345', '12345')).toBe('length');
    expect(passwordProblem('old', 'x'.repeat(21), 'x'.repeat(21))).toBe('length');
    expect(passwordProblem('old', '123456', '123456')).toBeNull();
    expect(passwordProblem('old', 'x'.repeat(20), 'x'.repeat(20))).toBeNull();
  });

  it('needs the confirmation to match', () => {
    expect(passwordProblem('old', '123456', '1234567')).toBe('mismatch');
  });
});
