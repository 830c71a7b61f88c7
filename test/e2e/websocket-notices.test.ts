import { afterAll, beforeAll, expect, it } from 'vitest';
import { barrier, drain, OK, quiet, UUID, visitor } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { RawDb } from '../helpers/raw-db.js';
import type { TestServer } from '../helpers/server.js';
import { WsClient, type Frame } from '../helpers/ws.js';

/**
 * Connect-time "entry" notices (spec §5.2 step 4, notes/entry-notices.md): after the welcome
 * frame, deep links into the client's settings pages, shown and never stored.
 */
const IMG = '/public/defaults/img/';
const KEFU = '/public/defaults/kefu.png';
const SET = '/pages/setpageInfo/setpageInfo';

interface Me {
  id: number;
  name: string;
  avatar: string;
}

/** The table of spec §5.2, written out from the notes (URLs with their exact encoding). */
function table(me: Me): Record<string, [avatar: string, fromName: string, text: string, url: string]> {
  return {
    setPassword: [
      `${IMG}setPassword.png`,
      '修改密码',
      '您可以点击这里，修改密码',
      `${SET}?action=setPassword&title=%E4%BF%AE%E6%94%B9%E5%AF%86%E7%A0%81`,
    ],
    groupList: [
      `${IMG}qunliaoNoticeIcon.png`,
      '我的群聊',
      '可查看我加入的群聊列表',
      '/pages/applyMyfriend/applyMyfriend?action=grouplist&title=%E6%88%91%E7%9A%84%E7%BE%A4%E8%81%8A%E5%88%97%E8%A1%A8',
    ],
    friendsList: [`${IMG}friendList.png`, '我的通讯录', '可查看我的通讯录好友', '/pages/friendsList/friendsList'],
    userInfoSet: [
      me.avatar,
      '头像设置',
      '不满意你的头像可以更换',
      `${SET}?action=userinfoSet&title=%E8%B4%A6%E5%8F%B7%E4%BF%A1%E6%81%AF%E8%AE%BE%E7%BD%AE&redirectUrl=%2Fpages%2Fxiaoxi%2Fxiaoxi&redirectType=switchTab`,
    ],
    whoCanChatMe: [
      `${IMG}whoCanChatMe.png`,
      '聊天消息条数限制',
      '谁可以和我聊天，可向我发几条消息',
      `${SET}?action=chatset&title=%E5%92%8C%E6%88%91%E8%81%8A%E5%A4%A9%E8%AE%BE%E7%BD%AE`,
    ],
    myQrcode: [
      `${IMG}myQrcode1.png`,
      '我的二维码',
      '展示给别人加你为好友',
      `${SET}?action=groupQrcode&title=%E6%88%91%E7%9A%84%E4%BA%8C%E7%BB%B4%E7%A0%81&id=${me.id}&name=${encodeURIComponent(me.name)}&avatar=${encodeURIComponent(me.avatar)}&chatType=single`,
    ],
    search: [`${IMG}search.png`, '搜索加好友', '搜索账号加好友或聊天', '/pages/search/search'],
    applyAddMeFriendSet: [
      `${IMG}applyAddMeFriendSet.png`,
      '加我为好友时是否需要我验证',
      '默认不需要，您可以去设置',
      `${SET}?action=applyAddMeFriendSet&title=%E7%94%B3%E8%AF%B7%E5%8A%A0%E6%88%91%E4%B8%BA%E5%A5%BD%E5%8F%8B%E8%AE%BE%E7%BD%AE`,
    ],
    AskAndAnswerSet: [
      `${IMG}AskAndAnswerSet.png`,
      '问答设置',
      '当您不在线时，自动回答客户的常见问题',
      `${SET}?action=AskAndAnswerSet&title=%E9%97%AE%E7%AD%94%E8%AE%BE%E7%BD%AE`,
    ],
    visitorLogin: [KEFU, '登录提示', '欢迎您，登录可以获取更多功能！', '/pages/loginCenter/loginCenter'],
  };
}

function expected(me: Me, kind: string): Frame {
  const row = table(me)[kind];
  if (!row) throw new Error(`no notice ${kind}`);
  const [avatar, fromName, text, url] = row;
  const fromId = `redirect-${kind}-${me.id}`;
  return {
    id: expect.stringMatching(UUID),
    from_avatar: avatar,
    from_name: fromName,
    from_id: fromId,
    to_id: me.id,
    to_name: me.name,
    to_avatar: me.avatar,
    chatType: 'single',
    type: 'text',
    data: { data: text, dataType: false, otherData: null },
    redirect: { url, type: 'navigateTo' },
    options: {},
    create_time: expect.any(Number),
    isremove: 0,
    group: {},
    msgidKey: fromId,
  };
}

const USER_KINDS = ['setPassword', 'userInfoSet', 'whoCanChatMe', 'myQrcode', 'search', 'applyAddMeFriendSet', 'AskAndAnswerSet'];
const isEntry = (m: Frame) => typeof m.from_id === 'string' && m.from_id.startsWith('redirect-');

/**
 * Connects a socket of `who` and collects the entry notices. They follow the welcome frame at
 * once, all written together: a marker pushed once the first has arrived comes after them all.
 */
async function entry(s: TestServer, who: { id: number; token: string }, count: number): Promise<{ c: WsClient; notices: Frame[] }> {
  const c = await WsClient.ready(s.url, who.token);
  await c.waitChats(count, isEntry);
  await quiet(s, [c, who.id]); // nothing more is coming
  return { c, notices: c.chats(isEntry) };
}

async function meOf(s: TestServer, id: number): Promise<Me> {
  const u = await s.app.store.users.findById(id);
  if (!u) throw new Error('user vanished');
  return { id, name: u.nickname || u.username, avatar: u.avatar ?? '' };
}

describeEachDialect('websocket: entry notices (§5.2 step 4)', (h) => {
  let raw: RawDb;
  beforeAll(() => {
    raw = RawDb.open(h.server.databaseUrl);
  });
  afterAll(async () => {
    await raw.close();
  });

  it('sends a user, after the welcome frame, setPassword … AskAndAnswerSet, each in the notice shape', async () => {
    const u = await h.server.client.register();
    const { c, notices } = await entry(h.server, u, USER_KINDS.length);
    expect(c.frames[0]?.type).toBe('system');
    const me = await meOf(h.server, u.id);
    expect(me.name).toBe(u.username);
    expect(notices.map((n) => n.from_id)).toEqual(USER_KINDS.map((k) => `redirect-${k}-${u.id}`));
    notices.forEach((n, i) => expect(n, USER_KINDS[i]).toEqual(expected(me, USER_KINDS[i] ?? '')));
    expect(new Set(notices.map((n) => n.id)).size).toBe(notices.length);
    for (const f of c.frames.filter((x) => x?.type === 'singleChat')) expect(Object.keys(f).sort()).toEqual(['data', 'timestamp', 'type']);
    c.close();
  });

  it('names the user by nickname and shows the current avatar (userInfoSet, myQrcode, to_*)', async () => {
    const u = await h.server.client.register();
    const avatar = 'https://example.com/a b/头像.png?x=1&y=2';
    for (const [fieldname, fieldValue] of [
      ['nickname', '小明 & 朋友'],
      ['avatar', avatar],
    ]) {
      const res = await h.server.client.post('/api/chat/updateUserinfo', { fieldname, fieldValue }, { token: u.token });
      expect(res.status).toBe(200);
    }
    const { c, notices } = await entry(h.server, u, USER_KINDS.length);
    const me = { id: u.id, name: '小明 & 朋友', avatar };
    notices.forEach((n, i) => expect(n, USER_KINDS[i]).toEqual(expected(me, USER_KINDS[i] ?? '')));
    c.close();
  });

  it('after an avatar change, a socket opened while another is open also gets 头像更换成功 (doaction avatar), as the original', async () => {
    const u = await h.server.client.register();
    const avatar = 'https://example.com/new-avatar.png';
    const first = await WsClient.ready(h.server.url, u.token);
    expect(
      (await h.server.client.post('/api/chat/updateUserinfo', { fieldname: 'avatar', fieldValue: avatar }, { token: u.token })).status,
    ).toBe(200);
    const { c, notices } = await entry(h.server, u, USER_KINDS.length + 1);
    const changed = notices.at(-1);
    expect(changed).toMatchObject({
      from_id: `redirect-userInfoSet-${u.id}`,
      from_name: '头像更换成功',
      from_avatar: avatar,
      to_id: u.id,
      data: { data: '不满意你的头像可以继续更换', dataType: false, otherData: null },
      redirect: {
        url: `${SET}?action=userinfoSet&title=%E8%B4%A6%E5%8F%B7%E4%BF%A1%E6%81%AF%E8%AE%BE%E7%BD%AE&redirectUrl=%2Fpages%2Fxiaoxi%2Fxiaoxi&redirectType=switchTab`,
        type: 'navigateTo',
        doaction: 'avatar',
      },
      msgidKey: `redirect-userInfoSet-${u.id}`,
    });
    // alone (no other socket open), or without a change, a socket gets the usual notices only
    for (const s of [first, c]) s.close();
    await Promise.all([first.closed(), c.closed()]);
    const alone = await entry(h.server, u, USER_KINDS.length);
    expect(alone.c.chats((m) => m.from_name === '头像更换成功')).toEqual([]);
    alone.c.close();
    const v = await h.server.client.register();
    const vfirst = await WsClient.ready(h.server.url, v.token);
    const second = await entry(h.server, v, USER_KINDS.length);
    expect(second.c.chats((m) => m.from_name === '头像更换成功')).toEqual([]);
    for (const s of [vfirst, second.c]) s.close();
  });

  it('adds friendsList (right after setPassword) once the user has an active, not blacklisted contact', async () => {
    const u = await h.server.client.register();
    const blocked = await h.server.client.register();
    await raw.addFriendRow(u.id, blocked.id, { isblack: 1 });
    const first = await entry(h.server, u, USER_KINDS.length);
    expect(first.notices.map((n) => n.from_id)).not.toContain(`redirect-friendsList-${u.id}`);
    first.c.close();
    await first.c.closed();

    const friend = await h.server.client.register();
    await raw.addFriendRow(u.id, friend.id);
    const { c, notices } = await entry(h.server, u, USER_KINDS.length + 1);
    const kinds = ['setPassword', 'friendsList', ...USER_KINDS.slice(1)];
    expect(notices.map((n) => n.from_id)).toEqual(kinds.map((k) => `redirect-${k}-${u.id}`));
    expect(notices[1]).toEqual(expected(await meOf(h.server, u.id), 'friendsList'));
    c.close();
  });

  it('adds groupList for an active group member: after setPassword for a user, first for a visitor-mode session', async () => {
    const u = await h.server.client.register();
    const f = await h.server.client.register();
    await raw.befriend(u.id, f.id);
    const created = await h.server.client.post(
      '/api/chat/group/create',
      { userIds: [await raw.friendRowId(u.id, f.id)] },
      { token: u.token },
    );
    expect(created.status).toBe(200);
    const { c, notices } = await entry(h.server, u, USER_KINDS.length + 2);
    const kinds = ['setPassword', 'groupList', 'friendsList', ...USER_KINDS.slice(1)];
    expect(notices.map((n) => n.from_id)).toEqual(kinds.map((k) => `redirect-${k}-${u.id}`));
    expect(notices[1]).toEqual(expected(await meOf(h.server, u.id), 'groupList'));
    c.close();

    const user = await h.server.app.store.users.findById(f.id);
    if (!user) throw new Error('user vanished');
    const session = await h.server.app.services.auth.startSession(user, 'visitor');
    const v = await entry(h.server, { id: f.id, token: session.token }, 3);
    const me = await meOf(h.server, f.id);
    expect(v.notices).toEqual([expected(me, 'groupList'), expected(me, 'whoCanChatMe'), expected(me, 'visitorLogin')]);
    v.c.close();
  });

  it('sends a visitor-mode session whoCanChatMe then visitorLogin, and nothing else', async () => {
    for (const role of ['visitor', 'user'] as const) {
      const v = await visitor(h.server, role);
      const { c, notices } = await entry(h.server, v, 2);
      const me = await meOf(h.server, v.id);
      expect(notices, role).toEqual([expected(me, 'whoCanChatMe'), expected(me, 'visitorLogin')]);
      expect(c.frames[0]?.type).toBe('system');
      c.close();
    }
  });

  it('does not store entry notices: chatGetmessageOffLine and a reconnect do not repeat them', async () => {
    const u = await h.server.client.register();
    const peer = await h.server.client.register();
    const first = await entry(h.server, u, USER_KINDS.length);
    expect((await drain(h.server, u.token)).body).toEqual(OK);
    await barrier(h.server, peer, first.c, u.id);
    expect(first.c.chats(isEntry)).toHaveLength(USER_KINDS.length);
    first.c.close();
    await first.c.closed();
    const second = await entry(h.server, u, USER_KINDS.length);
    expect(second.notices).toHaveLength(USER_KINDS.length);
    expect(second.c.chats((m) => m.from_id === peer.id)).toEqual([]);
    second.c.close();
  });
});
