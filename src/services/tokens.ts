import { errors, jwtVerify, SignJWT } from 'jose';
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

export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly clock: Clock,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(c: Pick<Claims, 'sub' | 'uuid' | 'role' | 'sid'>): Promise<string> {
    const iat = Math.floor(this.clock.now() / 1000);
    return new SignJWT({ uuid: c.uuid, role: c.role, sid: c.sid })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(c.sub)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .sign(this.key);
  }

  async verify(token: string): Promise<Claims | TokenFailure> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
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
