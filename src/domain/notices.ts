import type { DefaultImages } from './images.js';
import { navigationNotice, type ChatMessage } from './message.js';
import { formatLocal } from './time.js';
import { displayName, type User } from './user.js';

/**
 * Notices a socket is sent when it opens (spec §5.2 step 4): deep links into the client's
 * settings pages. They are shown, not stored.
 */
const SET = '/pages/setpageInfo/setpageInfo';
const enc = encodeURIComponent;

export interface EntryFacts {
  /** The user has at least one active group membership. */
  hasGroups: boolean;
  /** The user has at least one active, not blacklisted contact. */
  hasContacts: boolean;
}

interface Spec {
  kind: string;
  avatar: string;
  name: string;
  text: string;
  url: string;
}

function build(user: User, s: Spec, now: number, id: () => string): ChatMessage {
  const fromId = `redirect-${s.kind}-${user.id}`;
  return navigationNotice(id(), { id: user.id, name: displayName(user), avatar: user.avatar ?? '' }, now, {
    text: s.text,
    fromName: s.name,
    fromId,
    fromAvatar: s.avatar,
    redirect: { url: s.url, type: 'navigateTo' },
  });
}

function specs(user: User, images: DefaultImages): Record<string, Spec> {
  return {
    setPassword: {
      kind: 'setPassword',
      avatar: images.icon('setPassword'),
      name: '修改密码',
      text: '您可以点击这里，修改密码',
      url: `${SET}?action=setPassword&title=${enc('修改密码')}`,
    },
    groupList: {
      kind: 'groupList',
      avatar: images.icon('qunliaoNoticeIcon'),
      name: '我的群聊',
      text: '可查看我加入的群聊列表',
      url: `/pages/applyMyfriend/applyMyfriend?action=grouplist&title=${enc('我的群聊列表')}`,
    },
    friendsList: {
      kind: 'friendsList',
      avatar: images.icon('friendList'),
      name: '我的通讯录',
      text: '可查看我的通讯录好友',
      url: '/pages/friendsList/friendsList',
    },
    userInfoSet: {
      kind: 'userInfoSet',
      avatar: user.avatar ?? '',
      name: '头像设置',
      text: '不满意你的头像可以更换',
      url: `${SET}?action=userinfoSet&title=${enc('账号信息设置')}&redirectUrl=${enc('/pages/xiaoxi/xiaoxi')}&redirectType=switchTab`,
    },
    whoCanChatMe: {
      kind: 'whoCanChatMe',
      avatar: images.icon('whoCanChatMe'),
      name: '聊天消息条数限制',
      text: '谁可以和我聊天，可向我发几条消息',
      url: `${SET}?action=chatset&title=${enc('和我聊天设置')}`,
    },
    myQrcode: {
      kind: 'myQrcode',
      avatar: images.icon('myQrcode1'),
      name: '我的二维码',
      text: '展示给别人加你为好友',
      url: `${SET}?action=groupQrcode&title=${enc('我的二维码')}&id=${user.id}&name=${enc(displayName(user))}&avatar=${enc(user.avatar ?? '')}&chatType=single`,
    },
    search: {
      kind: 'search',
      avatar: images.icon('search'),
      name: '搜索加好友',
      text: '搜索账号加好友或聊天',
      url: '/pages/search/search',
    },
    applyAddMeFriendSet: {
      kind: 'applyAddMeFriendSet',
      avatar: images.icon('applyAddMeFriendSet'),
      name: '加我为好友时是否需要我验证',
      text: '默认不需要，您可以去设置',
      url: `${SET}?action=applyAddMeFriendSet&title=${enc('申请加我为好友设置')}`,
    },
    AskAndAnswerSet: {
      kind: 'AskAndAnswerSet',
      avatar: images.icon('AskAndAnswerSet'),
      name: '问答设置',
      text: '当您不在线时，自动回答客户的常见问题',
      url: `${SET}?action=AskAndAnswerSet&title=${enc('问答设置')}`,
    },
    visitorLogin: {
      kind: 'visitorLogin',
      avatar: images.systemAvatar,
      name: '登录提示',
      text: '欢迎您，登录可以获取更多功能！',
      url: '/pages/loginCenter/loginCenter',
    },
  };
}

/** The notices for a socket opened with the given token role, in the order they are sent. */
export function entryNotices(
  user: User,
  role: 'user' | 'visitor',
  facts: EntryFacts,
  images: DefaultImages,
  now: number,
  id: () => string,
): ChatMessage[] {
  const s = specs(user, images);
  const kinds =
    role === 'visitor'
      ? [facts.hasGroups && 'groupList', 'whoCanChatMe', 'visitorLogin']
      : [
          'setPassword',
          facts.hasGroups && 'groupList',
          facts.hasContacts && 'friendsList',
          'userInfoSet',
          'whoCanChatMe',
          'myQrcode',
          'search',
          'applyAddMeFriendSet',
          'AskAndAnswerSet',
        ];
  return kinds.filter((k): k is string => typeof k === 'string').map((k) => build(user, s[k] as Spec, now, id));
}

/** The notice an older socket gets when a newer login of the same account takes over (spec §5.2). */
export function accountAnomalyNotice(user: User, at: number, tzOffsetMinutes: number, images: DefaultImages, id: string): ChatMessage {
  const when = formatLocal(at, tzOffsetMinutes, 'YYYY年MM月DD日 HH:mm:ss');
  return navigationNotice(id, { id: user.id, name: displayName(user), avatar: user.avatar ?? '' }, at, {
    text: `您的账号于 ${when} 尝试在其它设备上登录，如果不是您的操作，那么您的账号密码可能已泄露，请及时修改密码`,
    fromName: '账号异常提示',
    fromId: 0,
    fromAvatar: images.systemAvatar,
    msgidKey: `redirect-forceLogout-${user.id}`,
  });
}

/**
 * Shown on a new socket of a user who changed their avatar within the last minute while another
 * socket was open (the client reconnects after the change): the client refreshes its avatar
 * notice from it (`redirect.doaction`).
 */
export function avatarChangedNotice(user: User, now: number, id: string): ChatMessage {
  const fromId = `redirect-userInfoSet-${user.id}`;
  const url = `${SET}?action=userinfoSet&title=${enc('账号信息设置')}&redirectUrl=${enc('/pages/xiaoxi/xiaoxi')}&redirectType=switchTab`;
  return navigationNotice(id, { id: user.id, name: displayName(user), avatar: user.avatar ?? '' }, now, {
    text: '不满意你的头像可以继续更换',
    fromName: '头像更换成功',
    fromId,
    fromAvatar: user.avatar ?? '',
    redirect: { url, type: 'navigateTo', doaction: 'avatar' },
  });
}
