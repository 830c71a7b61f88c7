import { randomInt, randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { failure } from '../domain/failures.js';
import { UserStatus, type User } from '../domain/user.js';
import { DEVICE_ID, SIGNATURE_WINDOW_MS, VISITOR_REQUESTS_PER_HOUR, signatureMatches, visitorUsername } from '../domain/visitor.js';
import { isUniqueViolation } from '../store/errors.js';
import type { Store } from '../store/port.js';
import type { AuthService, Credentials, LoginResult } from './auth.js';
import { hashPassword } from './password.js';

export interface SignedRequest {
  deviceId: string;
  timestamp: number;
  sign: string;
  /** The client's address (as resolved through TRUST_PROXY). */
  address: string;
}

export interface DeviceInfo {
  uniplatform: string;
  devicemodel: string;
  deviceos: string;
  devicebrand: string;
}

/**
 * Guest accounts (spec §7): a device gets a visitor account without a password, may chat within
 * the visitor whitelist, and can upgrade in place to a registered account keeping its data.
 *
 * Unlike the seed, a device id never opens a registered account (spec §11.7): when the account
 * bound to a device has become a registered user, the device is given a new visitor account,
 * and an upgrade from that device creates a new account instead of renaming the registered one.
 */
export class VisitorService {
  constructor(
    private readonly store: Store,
    private readonly auth: AuthService,
    private readonly clock: Clock,
    private readonly opts: { salt: string; scryptCost: number; visitorsPerAddress: number; defaultAvatar: string },
  ) {}

  /**
   * Steps 3–6 of spec §7.3: signature, freshness (both ways), device id, per-device hourly limit.
   * Answers the device id as it is kept: in lower case, so that changing its case makes no new device.
   */
  async admit(r: SignedRequest): Promise<string> {
    if (!signatureMatches(r.sign, r.deviceId, String(r.timestamp), this.opts.salt)) throw failure('illegalSignature');
    const now = this.clock.now();
    if (Math.abs(now - r.timestamp) > SIGNATURE_WINDOW_MS) throw failure('requestExpired');
    if (!DEVICE_ID.test(r.deviceId)) throw failure('invalidDevice');
    const deviceId = r.deviceId.toLowerCase();
    const count = await this.store.rates.hit(`visitor:${deviceId}`, 3_600_000, now);
    if (count > VISITOR_REQUESTS_PER_HOUR) throw failure('visitorTooFrequent');
    return deviceId;
  }

  /** E13: the device's visitor session, creating the visitor account on first use. */
  async register(r: SignedRequest, device: DeviceInfo): Promise<LoginResult> {
    const deviceId = await this.admit(r);
    const bound = await this.store.users.findByDevice(deviceId);
    if (bound && bound.role === 'visitor') {
      if (bound.status !== UserStatus.active) throw failure('accountMissingOrDisabled');
      const result = await this.auth.startSession(bound, 'visitor', { device: deviceId, join: true });
      await this.saveDevice(bound.id, device);
      return result;
    }
    // A new account: counted per address too (a new device id per request is no new device).
    if ((await this.store.rates.hit(`visitor:a:${r.address}`, 3_600_000, this.clock.now())) > this.opts.visitorsPerAddress) {
      throw failure('visitorTooFrequent');
    }
    const visitor = await this.createVisitor(deviceId, visitorUsername(r.deviceId), device, bound);
    return this.auth.startSession(visitor, 'visitor', { device: deviceId, join: true });
  }

  /** E14: upgrades the device's visitor account in place (same id, friends, groups, messages), or creates an account. */
  async upgrade(r: SignedRequest, c: Credentials): Promise<LoginResult> {
    const deviceId = await this.admit(r);
    await this.auth.countSignup(r.address);
    if (await this.store.users.findByUsername(c.username)) throw failure('accountExists');
    const password = await hashPassword(c.password, this.opts.scryptCost);
    const bound = await this.store.users.findByDevice(deviceId);
    // A disabled or locked visitor cannot shed the ban by upgrading.
    if (bound && bound.role === 'visitor' && bound.status !== UserStatus.active) throw failure('accountMissingOrDisabled');
    const now = this.clock.now();
    try {
      if (bound && bound.role === 'visitor' && bound.status === UserStatus.active) {
        await this.store.users.update(bound.id, { username: c.username, password, role: 'user', last_login: now }, now);
        const user = (await this.store.users.findById(bound.id)) ?? bound;
        return await this.auth.startSession(user, 'user', { upgrade: true, device: deviceId });
      }
      const user = await this.store.transaction((tx) =>
        tx.users.create(
          {
            uuid: randomUUID(),
            username: c.username,
            password,
            role: 'user',
            status: UserStatus.active,
            avatar: this.opts.defaultAvatar,
            last_login: now,
          },
          now,
        ),
      );
      return await this.auth.startSession(user, 'user', { device: deviceId });
    } catch (e) {
      if (isUniqueViolation(e)) throw failure('accountExists');
      throw e;
    }
  }

  /** E15: an ordinary password login, behind the visitor checks. */
  async login(r: SignedRequest, c: Credentials): Promise<LoginResult> {
    const deviceId = await this.admit(r);
    return this.auth.login(c, r.address, deviceId);
  }

  private async saveDevice(userId: number, d: DeviceInfo): Promise<void> {
    const patch = Object.fromEntries(Object.entries(d).filter(([, v]) => v !== '')) as Partial<DeviceInfo>;
    if (Object.keys(patch).length > 0) await this.store.users.update(userId, patch, this.clock.now());
  }

  /**
   * A new visitor bound to the device, named `base` (`VIS<first 8 of the id as sent>`) or, when
   * that name is taken, the same with a random suffix. A registered account still bound to the
   * device is unbound.
   */
  private async createVisitor(deviceId: string, base: string, device: DeviceInfo, registered: User | undefined): Promise<User> {
    const password = await hashPassword(String(randomInt(0, 1_000_000)).padStart(6, '0'), this.opts.scryptCost);
    const now = this.clock.now();
    for (let attempt = 0; attempt < 5; attempt++) {
      const username =
        attempt === 0
          ? base
          : `${base}_${randomInt(0, 36 ** 6)
              .toString(36)
              .padStart(6, '0')}`;
      if (await this.store.users.findByUsername(username)) continue;
      try {
        return await this.store.transaction(async (tx) => {
          if (registered) await tx.users.update(registered.id, { devicefingeruuid: null }, now);
          return tx.users.create(
            {
              uuid: randomUUID(),
              username,
              password,
              role: 'visitor',
              status: UserStatus.active,
              avatar: this.opts.defaultAvatar,
              devicefingeruuid: deviceId,
              last_login: now,
              ...device,
            },
            now,
          );
        });
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        // Either the name was taken meanwhile (try another) or the device was bound meanwhile (use it).
        const bound = await this.store.users.findByDevice(deviceId);
        if (bound && bound.role === 'visitor') return bound;
      }
    }
    throw failure('systemBusy');
  }
}
