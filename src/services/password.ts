import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes: scrypt with a per-password random salt, stored as
 * `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>`. Hex SHA-256 hashes imported from a seed
 * database verify once and are then replaced (`needsRehash`).
 */
const KEY_LEN = 32;
const R = 8;
const P = 1;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** logN;
  const opts: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, logN: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, logN, R, P);
  return `scrypt$${logN}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export interface VerifyResult {
  ok: boolean;
  /** The stored hash is of an older kind or cost and should be replaced after a successful login. */
  needsRehash: boolean;
}

export async function verifyPassword(password: string, stored: string, cost: number): Promise<VerifyResult> {
  if (/^[0-9a-f]{64}$/i.test(stored)) {
    const given = createHash('sha256').update(password).digest();
    return { ok: timingSafeEqual(given, Buffer.from(stored, 'hex')), needsRehash: true };
  }
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return { ok: false, needsRehash: false };
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const [logN, rr, pp] = [Number(n), Number(r), Number(p)];
  if (![logN, rr, pp].every((v) => Number.isInteger(v) && v > 0) || logN > 24 || rr > 32 || pp > 16)
    return { ok: false, needsRehash: false };
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), logN, rr, pp);
  const ok = key.length === expected.length && timingSafeEqual(key, expected);
  return { ok, needsRehash: ok && logN !== cost };
}
