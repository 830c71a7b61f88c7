import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import { defaultImages } from '../domain/images.js';
import { downloadPublic, resolvesToPublic } from '../files/url-guard.js';
import type { HttpDeps } from '../http/deps.js';
import { Metrics } from '../metrics.js';
import { ApplyService } from '../services/applies.js';
import { AuthService, type AuthOptions } from '../services/auth.js';
import { DeliveryService, type DeliveryFaults } from '../services/delivery.js';
import { FriendService } from '../services/friends.js';
import { GroupJoinService } from '../services/group-joins.js';
import { GroupService } from '../services/groups.js';
import { Housekeeping } from '../services/housekeeping.js';
import { MediaService } from '../services/media.js';
import { MessageService } from '../services/messages.js';
import { QrCodeService } from '../services/qrcodes.js';
import { TokenService } from '../services/tokens.js';
import { UserService } from '../services/users.js';
import { VisitorService } from '../services/visitors.js';
import type { Infrastructure } from './infrastructure.js';

/** The use cases the HTTP layer is given, plus those only the composition root and realtime use. */
export interface Services extends Omit<HttpDeps, 'metrics' | 'present' | 'healthy' | 'ready'> {
  delivery: DeliveryService;
  housekeeping: Housekeeping;
}

/** AuthService's settings, as the server and the admin command use them. */
export function authOptions(config: Readonly<Config>): AuthOptions {
  return {
    scryptCost: config.scryptCost,
    login: config.login,
    accountsPerAddress: config.signup.accountsPerAddress,
    defaultAvatar: defaultImages(config.defaultsUrl).userAvatar,
  };
}

/** The use cases, wired to the infrastructure's ports; nothing is opened or started here. */
export function createServices(config: Readonly<Config>, infra: Infrastructure, clock: Clock, faults?: DeliveryFaults): Services {
  const { store, bus, log, local } = infra;
  const tokens = new TokenService(infra.secret, config.tokenTtl, clock);
  const images = defaultImages(config.defaultsUrl);
  const auth = new AuthService(store, tokens, clock, authOptions(config));
  const delivery = new DeliveryService(store, bus, clock, log, faults);
  const tz = { tzOffsetMinutes: config.displayTzOffsetMinutes };
  const media = new MediaService(
    {
      local,
      objects: infra.objects,
      frames: infra.frames,
      localPath: (rel) => local.pathOf(rel),
      resolvesToPublic,
      download: downloadPublic,
      tempFile: () => local.tempFile(),
    },
    clock,
    {
      maxBytes: config.uploadMaxBytes,
      tzOffsetMinutes: config.displayTzOffsetMinutes,
      publicUrl: config.publicUrl,
      screenshotHosts: config.screenshotHosts,
    },
  );
  return {
    auth,
    users: new UserService(store, clock),
    messages: new MessageService(store, delivery, clock, tz),
    delivery,
    friends: new FriendService(store, clock),
    applies: new ApplyService(store, delivery, clock, images),
    visitors: new VisitorService(store, auth, clock, {
      salt: config.visitorSalt,
      scryptCost: config.scryptCost,
      visitorsPerAddress: config.signup.visitorsPerAddress,
      defaultAvatar: images.userAvatar,
    }),
    groups: new GroupService(store, delivery, clock, tz),
    groupJoins: new GroupJoinService(store, delivery, clock, { ...tz, images }),
    qrcodes: new QrCodeService(store),
    media,
    housekeeping: new Housekeeping(store, clock, log, { retentionDays: config.messageRetentionDays }),
  };
}

/** Prometheus metrics fed by the delivery path. */
export function createMetrics(services: Services): Metrics {
  const metrics = new Metrics(() => services.delivery.countAllPending());
  services.delivery.listen({
    stored: (n) => metrics.stored.inc(n),
    delivered: (n, latencyMs) => {
      metrics.delivered.inc(n);
      metrics.pushLatency.observe(Math.max(0, latencyMs) / 1000);
    },
    publishFailed: () => metrics.busPublishErrors.inc(),
  });
  return metrics;
}
