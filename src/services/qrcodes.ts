import { failure } from '../domain/failures.js';
import { MemberStatus } from '../domain/group.js';
import { UserStatus, displayName, type User } from '../domain/user.js';
import type { Store } from '../store/port.js';
import { activeGroup } from './access.js';

export interface QrRequest {
  id: number;
  chatType: 'group' | 'single';
  /** `H5` for web clients: the code holds a link to the web front end at `http`. */
  h5: boolean;
  http: string;
}

/** The client page that reads the code (its `action` adds the user or joins the group). */
const PAGE = '#/pages/setpageInfo/setpageInfo?action=autoAddGroup';

/** E29: QR codes for joining a group I am in, or for adding a user as a friend. */
export class QrCodeService {
  constructor(private readonly store: Store) {}

  /** The code as a PNG image. */
  async png(me: User, q: QrRequest): Promise<Buffer> {
    const text = q.chatType === 'single' ? await this.userText(q) : await this.groupText(me, q);
    // Loaded on first use: most nodes never draw a QR code, and it costs start-up time.
    const { default: QRCode } = await import('qrcode');
    return QRCode.toBuffer(text, { type: 'png', scale: 10, margin: 4, errorCorrectionLevel: 'M' });
  }

  /** Any active user may be shown. */
  private async userText(q: QrRequest): Promise<string> {
    const u = await this.store.users.findById(q.id);
    if (!u || u.status !== UserStatus.active) throw failure('qrUserUnavailable');
    const name = displayName(u);
    return q.h5
      ? `${q.http}${PAGE}&title=${encodeURIComponent(`加用户[${name}]为好友`)}&id=${u.id}&chatType=single&name=${name}&avatar=${u.avatar ?? ''}`
      : JSON.stringify({ id: u.id, name, chatType: 'single' });
  }

  /** Only an active member may show an active group. */
  private async groupText(me: User, q: QrRequest): Promise<string> {
    const g = await activeGroup(this.store, q.id, 'qrUnavailable');
    const m = await this.store.groups.membership(q.id, me.id);
    if (m?.status !== MemberStatus.active) throw failure('qrUnavailable');
    return q.h5
      ? `${q.http}${PAGE}&title=%E7%BE%A4%E4%BB%8B%E7%BB%8D&id=${g.id}&chatType=group&name=${g.name}`
      : JSON.stringify({ id: g.id, name: g.name });
  }
}
