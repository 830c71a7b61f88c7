import type { ApplyService } from '../services/applies.js';
import type { AuthService } from '../services/auth.js';
import type { FriendService } from '../services/friends.js';
import type { GroupJoinService } from '../services/group-joins.js';
import type { GroupService } from '../services/groups.js';
import type { MediaService } from '../services/media.js';
import type { MessageService } from '../services/messages.js';
import type { QrCodeService } from '../services/qrcodes.js';
import type { UserService } from '../services/users.js';
import type { VisitorService } from '../services/visitors.js';
import type { Presenter } from './presenters.js';

/** What the HTTP layer is given by the composition root: services, never adapters. */
export interface HttpDeps {
  auth: AuthService;
  users: UserService;
  messages: MessageService;
  friends: FriendService;
  applies: ApplyService;
  visitors: VisitorService;
  groups: GroupService;
  groupJoins: GroupJoinService;
  qrcodes: QrCodeService;
  media: MediaService;
  metrics: { text(): Promise<string>; contentType: string };
  present: Presenter;
  /** Whether the server accepts work (migrations ran, database reachable, not shutting down). */
  healthy: () => Promise<boolean>;
  /** The database answers, and the bus when it is Redis: this node can take traffic. */
  ready: () => Promise<boolean>;
}
