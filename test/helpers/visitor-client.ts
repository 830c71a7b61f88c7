import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Answer } from './client.js';
import type { ManualClock, TestServer } from './server.js';

/**
 * Signed requests to the visitor endpoints (spec §7): E13 visitorRegister, E14 visitorregChat,
 * E15 visitorloginChat. The signature is computed here independently of the server's code.
 */
export const SEED_SALT = '45ncashdaksh2!#@3nxjdas*_259';

export const visitorSign = (deviceId: string, timestamp: string | number, salt = SEED_SALT): string =>
  createHash('sha256')
    .update(`deviceId=${deviceId}&salt=${salt}&timestamp=${String(timestamp)}APP_SECRET`)
    .digest('hex');

/** A fresh 36-character device id (a v4 UUID), optionally starting with `prefix`. */
export const newDevice = (prefix = ''): string => prefix + randomUUID().slice(prefix.length);

/** An unused username of 4–20 letters and digits. */
export const newUsername = (tag = 'u'): string => `${tag}${randomBytes(6).toString('hex')}`.slice(0, 20);

export const VISITOR_PATHS = {
  register: '/api/visitorRegister',
  upgrade: '/api/visitorregChat',
  login: '/api/visitorloginChat',
} as const;

export type VisitorEndpoint = keyof typeof VISITOR_PATHS;

export interface SignedOptions {
  /** Timestamp sent (default: the server clock's now). */
  timestamp?: number | string;
  /** Signature header value (default: the correct one); `null` sends no header. */
  sign?: string | null;
  form?: boolean;
}

export class VisitorClient {
  constructor(
    private readonly server: () => TestServer,
    readonly clock: ManualClock,
  ) {}

  /** Posts `body` plus `deviceId` and `timestamp` with the signature header. */
  signed(endpoint: VisitorEndpoint, deviceId: string, body: Record<string, unknown> = {}, o: SignedOptions = {}): Promise<Answer> {
    const timestamp = o.timestamp ?? this.clock.now();
    const sign = o.sign === undefined ? visitorSign(deviceId, timestamp) : o.sign;
    const headers: Record<string, string> = sign === null ? {} : { 'X-Security-Sign': sign };
    return this.server().client.post(
      VISITOR_PATHS[endpoint],
      { deviceId, timestamp: String(timestamp), ...body },
      { headers, form: o.form },
    );
  }

  register(deviceId: string, info: Record<string, unknown> = {}, o?: SignedOptions): Promise<Answer> {
    return this.signed('register', deviceId, info, o);
  }

  upgrade(deviceId: string, username: string, password = '123456', o?: SignedOptions): Promise<Answer> {
    return this.signed('upgrade', deviceId, { username, password }, o);
  }

  login(deviceId: string, username: string, password = '123456', o?: SignedOptions): Promise<Answer> {
    return this.signed('login', deviceId, { username, password }, o);
  }

  /** E13 that must succeed: the login data with token. */
  async visitor(deviceId = newDevice()): Promise<{ id: number; uuid: string; username: string; token: string; deviceId: string }> {
    const res = await this.register(deviceId);
    if (res.status !== 200) throw new Error(`visitorRegister failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { ...res.body.data, deviceId };
  }
}
