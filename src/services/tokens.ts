import { errors, jwtVerify, SignJWT } from 'jose';
import { webcrypto } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import type { Role } from '../domain/user.js';

/** What a token says, and nothing more: no profile data, no secrets (spec §11.2). */
export interface Claims {
  sub: string;
  uuid: string;
  role: Role;
  sid: string;
  iat: number;
  exp: number;
}

export type TokenFailure = 'expired' | 'invalid';

/** Verified tokens remembered (their claims, until they expire); enough for every open socket. */
const VERIFIED_CACHE_SIZE = 20_000;

export class TokenService {
  private readonly key: Uint8Array;
  /** The HMAC key imported once: jose would import a raw key again on every call. */
  private cryptoKey: Promise<webcrypto.CryptoKey> | undefined;
  /**
   * Tokens whose signature has been checked, with their claims. A token's claims cannot change,
   * so only its expiry is checked again on a hit; the session check stays per request.
   */
  private readonly verified = new Map<string, Claims>();

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly clock: Clock,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async sign(c: Pick<Claims, 'sub' | 'uuid' | 'role' | 'sid'>): Promise<string> {
    const iat = Math.floor(this.clock.now() / 1000);
    return new SignJWT({ uuid: c.uuid, role: c.role, sid: c.sid })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(c.sub)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .sign(await this.keyObject());
  }

  private keyObject(): Promise<webcrypto.CryptoKey> {
    this.cryptoKey ??= webcrypto.subtle.importKey('raw', this.key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    return this.cryptoKey;
  }

  async verify(token: string): Promise<Claims | TokenFailure> {
    const known = this.verified.get(token);
    if (known) {
      if (known.exp * 1000 > this.clock.now()) return known;
      this.verified.delete(token);
      return 'expired';
    }
    const res = await this.check(token);
    if (typeof res !== 'string') {
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(token, res);
    }
    return res;
  }

  private async check(token: string): Promise<Claims | TokenFailure> {
    try {
      const { payload } = await jwtVerify(token, await this.keyObject(), {
        algorithms: ['HS256'],
        currentDate: new Date(this.clock.now()),
        requiredClaims: ['sub', 'sid', 'exp', 'iat'],
      });
      const { sub, uuid, role, sid, iat, exp } = payload;
      if (typeof sub !== 'string' || !/^\d+$/.test(sub) || typeof sid !== 'string' || typeof uuid !== 'string') return 'invalid';
      if (role !== 'user' && role !== 'visitor') return 'invalid';
      return { sub, uuid, role, sid, iat: iat ?? 0, exp: exp ?? 0 };
    } catch (e) {
      return e instanceof errors.JWTExpired ? 'expired' : 'invalid';
    }
  }

  get ttlMs(): number {
    return this.ttlSeconds * 1000;
  }
}
