import { describe, expect, it } from 'vitest';
import { VISITOR_WHITELIST, visitorMayCall } from '../../src/http/auth.js';

/** The visitor whitelist of spec §1.6 (latest, 19 rows): method plus path prefix. */
const SPEC_TABLE: [string, string][] = [
  ['POST', '/api/chat/socket/sendmessage'],
  ['POST', '/api/chat/chatGetmessageOffLine'],
  ['GET', '/api/chat/grouplist'],
  ['GET', '/api/chat/groupinfo'],
  ['POST', '/api/chat/groupnickname'],
  ['POST', '/api/chat/groupDeleteOrQuit'],
  ['GET', '/api/chat/groupQrcode'],
  ['POST', '/api/chat/uploadStreamSingleToServerDiy'],
  ['POST', '/api/chat/uploadAliyun'],
  ['POST', '/api/chat/getVideoScreenshot'],
  ['POST', '/api/chat/revokeMessage'],
  ['POST', '/api/chat/updateUserinfo'],
  ['POST', '/api/chat/groupInviteUser'],
  ['POST', '/api/chat/getUserSetInfo'],
  ['POST', '/api/chat/applyfriend'],
  ['POST', '/api/chat/autoAddFriendAndAgree'],
  ['POST', '/api/chat/ismygoodfriend'],
  ['POST', '/api/chat/userset'],
  ['POST', '/api/chat/deletegoodfriend'],
];

/** Routes spec §1.6 says visitors cannot call. */
const FORBIDDEN: [string, string][] = [
  ['POST', '/api/chat/logout'],
  ['POST', '/api/chat/searchUser'],
  ['GET', '/api/chat/listapplyfriend/1'],
  ['POST', '/api/chat/handleapply/3'],
  ['GET', '/api/chat/goodfriendlist/1'],
  ['GET', '/api/chat/getgoodfriendinfo/2'],
  ['POST', '/api/chat/setblackgoodfriend/2'],
  ['POST', '/api/chat/setstargoodfriend/2'],
  ['POST', '/api/chat/setmeOrfriendCanSee/2'],
  ['POST', '/api/chat/isApplyfriend/0b0e2f4c-7a51-4b8e-9a57-3c7a3f0d9e21'],
  ['POST', '/api/chat/group/create'],
  ['POST', '/api/chat/groupUpdateName'],
  ['POST', '/api/chat/groupremark'],
  ['POST', '/api/chat/groupDeleteUser'],
  ['POST', '/api/chat/groupAddUserSet'],
  ['POST', '/api/chat/groupAgreeOrNo'],
  ['POST', '/api/chat/setPassword'],
  ['POST', '/api/chat/askanswer/list'],
  ['POST', '/api/chat/complaint/create'],
];

describe('VISITOR_WHITELIST', () => {
  it('is exactly the 19 rows of spec §1.6, in order', () => {
    expect(VISITOR_WHITELIST.map(([m, p]) => [m, p])).toEqual(SPEC_TABLE);
  });

  it.each(SPEC_TABLE)('lets a visitor call %s %s, also with a suffix', (method, prefix) => {
    expect(visitorMayCall(method, prefix)).toBe(true);
    expect(visitorMayCall(method, `${prefix}/12`)).toBe(true);
  });

  it.each(SPEC_TABLE)('refuses %s %s with the other method', (method, prefix) => {
    expect(visitorMayCall(method === 'GET' ? 'POST' : 'GET', prefix)).toBe(false);
  });

  it.each(FORBIDDEN)('refuses %s %s', (method, path) => {
    expect(visitorMayCall(method, path)).toBe(false);
    expect(visitorMayCall(method === 'GET' ? 'POST' : 'GET', path)).toBe(false);
  });

  it('matches methods and paths exactly as written (case-sensitive)', () => {
    expect(visitorMayCall('post', '/api/chat/userset')).toBe(false);
    expect(visitorMayCall('POST', '/api/chat/USERSET')).toBe(false);
    expect(visitorMayCall('POST', '/API/chat/userset')).toBe(false);
    expect(visitorMayCall('POST', '/api/chat/')).toBe(false);
  });
});
