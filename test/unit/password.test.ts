import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/services/password.js';

/** src/services/password.ts: salted scrypt hashes; legacy unsalted SHA-256 hashes verify once (spec §11.1). */
const COST = 10;
const b64 = '[A-Za-z0-9+/]+={0,2}';

describe('hashPassword', () => {
  it('writes scrypt$<log2 N>$<r>$<p>$<salt>$<hash> with a 16-byte salt and a 32-byte key', async () => {
    const hash = await hashPassword('123456', COST);
    expect(hash).toMatch(new RegExp(`^scrypt\\$${COST}\\$8\\$1\\$${b64}\\$${b64}$`));
    const [, , , , salt, key] = hash.split('$');
    expect(Buffer.from(salt ?? '', 'base64')).toHaveLength(16);
    expect(Buffer.from(key ?? '', 'base64')).toHaveLength(32);
    expect(hash.length).toBeLessThanOrEqual(255);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same', COST), hashPassword('same', COST)]);
    expect(a).not.toBe(b);
  });
});

describe('verifyPassword', () => {
  it('accepts the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('secret1', COST);
    expect(await verifyPassword('secret1', hash, COST)).toEqual({ ok: true, needsRehash: false });
    expect(await verifyPassword('secret2', hash, COST)).toEqual({ ok: false, needsRehash: false });
    expect((await verifyPassword('', hash, COST)).ok).toBe(false);
  });

  it('treats composed and decomposed Unicode alike', async () => {
    const hash = await hashPassword('caf\u00e9-pw', COST);
    expect((await verifyPassword('cafe\u0301-pw', hash, COST)).ok).toBe(true);
  });

  it('asks for a rehash after a correct password stored at another cost', async () => {
    const hash = await hashPassword('secret1', COST);
    expect(await verifyPassword('secret1', hash, COST + 1)).toEqual({ ok: true, needsRehash: true });
    expect((await verifyPassword('wrong', hash, COST + 1)).ok).toBe(false);
  });

  it('verifies a legacy hex SHA-256 hash and asks for a rehash', async () => {
    const legacy = createHash('sha256').update('123456').digest('hex');
    expect(legacy).toBe('8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92');
    expect(await verifyPassword('123456', legacy, COST)).toEqual({ ok: true, needsRehash: true });
    expect(await verifyPassword('123456', legacy.toUpperCase(), COST)).toEqual({ ok: true, needsRehash: true });
    expect((await verifyPassword('1234567', legacy, COST)).ok).toBe(false);
    const chinese = createHash('sha256').update('密码123').digest('hex');
    expect((await verifyPassword('密码123', chinese, COST)).ok).toBe(true);
  });

  it("verifies what the seed's user model stored: createHash('sha256', secret) is plain SHA-256", async () => {
    // app/model/user.js and checkPassword pass config.crypto.secret as createHash's second
    // argument, which is stream options, not a key: the stored hash is unsalted hex SHA-256.
    const seedSecret = 'qhdgw@45ncashdaksh2!#@3nxjdas*_672' as unknown as Parameters<typeof createHash>[1];
    const stored = createHash('sha256', seedSecret).update('alice123').digest('hex');
    expect(stored).toBe(createHash('sha256').update('alice123').digest('hex'));
    expect(await verifyPassword('alice123', stored, COST)).toEqual({ ok: true, needsRehash: true });
  });

  it('refuses stored values of no known kind', async () => {
    for (const stored of ['', '123456', 'bcrypt$2b$10$abc', 'a'.repeat(63), 'scrypt$10$8$1$only-five']) {
      expect(await verifyPassword('123456', stored, COST), stored).toEqual({ ok: false, needsRehash: false });
    }
  });
});
