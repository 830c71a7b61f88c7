import { describe, expect, it } from 'vitest';
import type { Group, GroupMember, WireMessage } from '../api/types.js';
import { isCreatedNotice, memberName, newGroupOf, parseApplyUrl, pendingJoins } from './groups.js';
import type { Conversation } from './model.js';

const enc = encodeURIComponent;

/** The approval request's deep link as the server builds it (spec E36). */
function applyUrl(gid: number, uid: number, name: string, detail: Record<string, unknown> = {}): string {
  return (
    `/pages/setpageInfo/setpageInfo?action=applyAddGroup&title=${enc('加群申请')}&id=${gid}&name=${enc('群 A&B')}` +
    `&avatar=${enc('http://x/1.png,http://x/2.png')}&chatType=group&applyUserid=${uid}&applyUsername=${name}` +
    `&applyUseruuid=u-${uid}&applyUseravatar=${enc(`http://x/${uid}.png`)}&applydesc=${enc(JSON.stringify(detail))}`
  );
}

function notice(key: string, time: number, redirect?: string, chatType: Conversation['chatType'] = 'notice'): Conversation {
  return {
    owner: 1,
    conv: `${chatType}:${key}`,
    chatType,
    peerId: key,
    name: '加群处理',
    avatar: '',
    preview: '请处理申请',
    previewKind: 'text',
    time,
    unread: 1,
    ...(redirect ? { redirect } : {}),
  };
}

describe('parseApplyUrl', () => {
  it('reads the group, the applicant and the request details', () => {
    const url = applyUrl(7, 33, 'carol', { addGroupUserType: '邀请进群', inviteUser: 'BobG ', addGroupDesc: 'hi', addGroupTime: 1 });
    expect(parseApplyUrl(url)).toEqual({
      groupId: 7,
      userId: 33,
      name: 'carol',
      avatar: 'http://x/33.png',
      uuid: 'u-33',
      kind: '邀请进群',
      inviter: 'BobG',
      desc: 'hi',
    });
  });

  it('keeps a raw (unencoded) Chinese applicant name', () => {
    expect(parseApplyUrl(applyUrl(7, 33, '小明'))?.name).toBe('小明');
  });

  it('tolerates a damaged description', () => {
    const url = applyUrl(7, 33, 'c').replace(/applydesc=.*$/, 'applydesc=%7Bbroken');
    expect(parseApplyUrl(url)).toMatchObject({ groupId: 7, userId: 33, kind: '', inviter: '', desc: '' });
  });

  it('rejects other links', () => {
    expect(parseApplyUrl(undefined)).toBeNull();
    expect(parseApplyUrl('/pages/setpageInfo/setpageInfo?action=chatset')).toBeNull();
    expect(parseApplyUrl('/pages/setpageInfo/setpageInfo?action=applyAddGroup&id=7')).toBeNull();
    expect(parseApplyUrl('/pages/setpageInfo/setpageInfo?action=applyAddGroup&id=x&applyUserid=3')).toBeNull();
    expect(parseApplyUrl('/pages/other/page?action=applyAddGroup&id=7&applyUserid=3')).toBeNull();
  });
});

describe('pendingJoins', () => {
  const convs = [
    notice('redirect-applyAddGroup7-33-100', 100, applyUrl(7, 33, 'carol')),
    notice('redirect-applyAddGroup7-34-200', 200, applyUrl(7, 34, 'dave')),
    notice('redirect-applyAddGroup8-35-300', 300, applyUrl(8, 35, 'erin')),
    notice('redirect-applyAddGroup7-33-400', 400, applyUrl(7, 33, 'carol2')),
    notice('redirect-applyFriend-5', 500, '/pages/applyMyfriend/applyMyfriend'),
    notice('12', 600, applyUrl(7, 36, 'frank'), 'single'),
  ];

  it("lists this group's requests, newest first, one per person", () => {
    expect(pendingJoins(convs, 7).map((p) => [p.userId, p.name, p.conv, p.time])).toEqual([
      [33, 'carol2', 'notice:redirect-applyAddGroup7-33-400', 400],
      [34, 'dave', 'notice:redirect-applyAddGroup7-34-200', 200],
    ]);
    expect(pendingJoins(convs, 8).map((p) => p.userId)).toEqual([35]);
    expect(pendingJoins(convs, 9)).toEqual([]);
  });

  it('leaves out requests handled here and people already in the group', () => {
    const skip = new Set(['notice:redirect-applyAddGroup7-33-400']);
    expect(pendingJoins(convs, 7, skip).map((p) => [p.userId, p.time])).toEqual([
      [34, 200],
      [33, 100],
    ]);
    expect(pendingJoins(convs, 7, new Set(), new Set([33])).map((p) => p.userId)).toEqual([34]);
  });
});

describe('groups helpers', () => {
  const g = (id: number): Group => ({ id, user_id: 1, name: `g${id}`, avatar: '', remark: '', invite_confirm: 0, status: 1 });

  it('finds the newly created group: the newest one not known before', () => {
    expect(newGroupOf([g(9), g(5), g(3)], new Set([5, 3]))?.id).toBe(9);
    expect(newGroupOf([g(5), g(3)], new Set([5, 3]))).toBeNull();
    expect(newGroupOf([g(3), g(9)], new Set())?.id).toBe(9);
  });

  it('recognises the pushed "created" notice of a new group', () => {
    const m = { chatType: 'group', type: 'systemNotice', to_id: 9 } as WireMessage;
    expect(isCreatedNotice(m, new Set([5]))).toBe(true);
    expect(isCreatedNotice(m, new Set([9]))).toBe(false);
    expect(isCreatedNotice({ ...m, type: 'text' }, new Set())).toBe(false);
    expect(isCreatedNotice({ ...m, chatType: 'single' }, new Set())).toBe(false);
    expect(isCreatedNotice(null, new Set())).toBe(false);
  });

  it('names a member by group nickname, then nickname, then username', () => {
    const m: GroupMember = {
      id: 1,
      group_id: 7,
      user_id: 3,
      nickname: '',
      avatar: '',
      status: 1,
      user: { id: 3, username: 'alice', nickname: null, avatar: null },
    };
    expect(memberName(m)).toBe('alice');
    expect(memberName({ ...m, user: { ...m.user!, nickname: 'Al' } })).toBe('Al');
    expect(memberName({ ...m, nickname: 'Boss' })).toBe('Boss');
  });
});
