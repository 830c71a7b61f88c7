/**
 * The images Natter ships in assets/defaults/ (served at /public/defaults/) for accounts and
 * groups without their own picture, the system sender of notices, and the connect-time notices'
 * icons. `base` is where they are served from, ending in `/` (Config.defaultsUrl): an absolute
 * URL when PUBLIC_URL is set, which app clients need; the same file names under the original's
 * image host reproduce its addresses.
 */
export const NOTICE_ICONS = [
  'setPassword',
  'qunliaoNoticeIcon',
  'friendList',
  'whoCanChatMe',
  'myQrcode1',
  'search',
  'applyAddMeFriendSet',
  'AskAndAnswerSet',
] as const;

export type NoticeIcon = (typeof NOTICE_ICONS)[number];

export interface DefaultImages {
  /** A new account's avatar. */
  userAvatar: string;
  /** The sender avatar of group and friend-request notices. */
  groupAvatar: string;
  /** The sender avatar of system notices (account warnings, the visitor's login hint). */
  systemAvatar: string;
  icon(name: NoticeIcon): string;
}

export function defaultImages(base: string): DefaultImages {
  return {
    userAvatar: `${base}user.jpg`,
    groupAvatar: `${base}group.png`,
    systemAvatar: `${base}kefu.png`,
    icon: (name) => `${base}img/${name}.png`,
  };
}
