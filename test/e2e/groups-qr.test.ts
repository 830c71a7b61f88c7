import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { expect, it } from 'vitest';
import { fail, OK, setNickname, setProfile, users, visitor } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { makeGroup } from '../helpers/groups.js';
import type { TestServer } from '../helpers/server.js';

/** QR codes (E29, spec §8.5): PNG images for joining a group or adding a user, app (JSON) and H5 (URL) contents. */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PAGE = '#/pages/setpageInfo/setpageInfo?action=autoAddGroup';
const H5 = 'https://chat.example.com/h5/';
// jsqr is CommonJS: its `default` export is the decoder function (module.exports.default).
const jsQR = jsQRModule.default;

interface Qr {
  status: number;
  type: string | null;
  cache: string | null;
  bytes: Buffer;
}
/** GET groupQrcode; the token goes in the header unless it is already in the query. */
async function qr(s: TestServer, token: string | undefined, id: unknown, query: Record<string, string> = {}): Promise<Qr> {
  const q = new URLSearchParams(query).toString();
  const res = await fetch(`${s.url}/api/chat/groupQrcode/${String(id)}${q ? `?${q}` : ''}`, { headers: token ? { token } : {} });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    cache: res.headers.get('cache-control'),
    bytes: Buffer.from(await res.arrayBuffer()),
  };
}
const json = (r: Qr): unknown => JSON.parse(r.bytes.toString('utf8'));

/** The text inside a QR code PNG, read as UTF-8. */
function decode(r: Qr): string {
  expect(r.status).toBe(200);
  expect(r.type).toBe('image/png');
  expect(r.cache).toBe('private, max-age=300');
  expect(r.bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  const png = PNG.sync.read(r.bytes);
  const found = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  if (!found) throw new Error('no QR code found in the image');
  return Buffer.from(found.binaryData).toString('utf8');
}

describeEachDialect('groups: QR codes (E29)', (h) => {
  it('group, app mode: a PNG holding {"id","name"} for an active member; the token may be in the query', async () => {
    const [owner, a] = await users(h.server, 2);
    const gid = await makeGroup(h.server, owner, [a]);
    expect(
      (await h.server.client.post('/api/chat/groupUpdateName', { id: gid, name: '测试群 A&B "引号"' }, { token: owner.token })).body,
    ).toEqual(OK);
    const text = decode(await qr(h.server, a.token, gid));
    expect(JSON.parse(text)).toEqual({ id: gid, name: '测试群 A&B "引号"' });
    expect(text).toBe(JSON.stringify({ id: gid, name: '测试群 A&B "引号"' }));
    expect(decode(await qr(h.server, undefined, gid, { token: owner.token, chatType: 'group' }))).toBe(text);
  });

  it('group, H5 mode: the front-end link of §8.5 under the given http', async () => {
    const [owner, a] = await users(h.server, 2);
    const gid = await makeGroup(h.server, owner, [a]);
    await h.server.client.post('/api/chat/groupUpdateName', { id: gid, name: '前端群' }, { token: owner.token });
    const text = decode(await qr(h.server, a.token, gid, { type: 'H5', http: H5 }));
    expect(text).toBe(`${H5}${PAGE}&title=%E7%BE%A4%E4%BB%8B%E7%BB%8D&id=${gid}&chatType=group&name=前端群`);
  });

  it('group: 群不存在或被封禁或者您不在该群聊中 for outsiders, pending members, missing and dissolved groups', async () => {
    const [owner, a, outsider, p] = await users(h.server, 4);
    const gid = await makeGroup(h.server, owner, [a]);
    await h.server.client.post('/api/chat/groupAddUserSet', { group_id: gid, addGroupSet: 1 }, { token: owner.token });
    await h.server.client.post('/api/chat/groupInviteUser', { group_id: gid, user_id: p.id }, { token: p.token });
    const MSG = '群不存在或被封禁或者您不在该群聊中';
    for (const [u, id] of [
      [outsider, gid],
      [p, gid],
      [a, 99999999],
    ] as const) {
      const r = await qr(h.server, u.token, id);
      expect(r.status).toBe(400);
      expect(json(r)).toEqual(fail(MSG));
    }
    await h.server.client.post('/api/chat/groupDeleteOrQuit', { id: gid }, { token: owner.token });
    const r = await qr(h.server, a.token, gid, { type: 'H5', http: H5 });
    expect([r.status, json(r)]).toEqual([400, fail(MSG)]);
    const none = await qr(h.server, undefined, gid);
    expect([none.status, json(none)]).toEqual([400, fail('您没有权限访问即时通讯接口')]);
  });

  it('personal (chatType=single): any active user, app JSON with chatType "single" or the H5 link; visitors too', async () => {
    const [me, target] = await users(h.server, 2);
    await setNickname(h.server, target, '小 明');
    await setProfile(h.server, target, 'avatar', 'https://img.test/a b.png?x=1&y=2');
    expect(JSON.parse(decode(await qr(h.server, me.token, target.id, { chatType: 'single' })))).toEqual({
      id: target.id,
      name: '小 明',
      chatType: 'single',
    });
    const link = decode(await qr(h.server, me.token, target.id, { chatType: 'single', type: 'H5', http: 'http://localhost:8080/' }));
    expect(link).toBe(
      `http://localhost:8080/${PAGE}&title=${encodeURIComponent('加用户[小 明]为好友')}&id=${target.id}&chatType=single&name=小 明&avatar=https://img.test/a b.png?x=1&y=2`,
    );
    const v = await visitor(h.server);
    expect(JSON.parse(decode(await qr(h.server, undefined, v.id, { token: v.token, chatType: 'single' })))).toEqual({
      id: v.id,
      name: v.username,
      chatType: 'single',
    });
    await h.server.app.store.users.update(target.id, { status: 0 }, Date.now());
    for (const id of [target.id, 99999999]) {
      const r = await qr(h.server, me.token, id, { chatType: 'single' });
      expect([r.status, json(r)]).toEqual([400, fail('用户不存在或被封禁')]);
    }
  });

  it('validation: id must be an int ≥ 1 (422); an unknown chatType falls back to group (valparams default)', async () => {
    const me = await h.server.client.register();
    for (const id of [0, 'x', -3]) expect((await qr(h.server, me.token, id)).status).toBe(422);
    const r = await qr(h.server, me.token, me.id, { chatType: 'friend' });
    expect([r.status, json(r)]).toEqual([400, fail('群不存在或被封禁或者您不在该群聊中')]);
  });

  it('http that is not an http(s) URL is refused (422)', async () => {
    const [owner, a] = await users(h.server, 2);
    const gid = await makeGroup(h.server, owner, [a]);
    for (const http of ['javascript:alert(1)//', 'ftp://files.example.com/', 'not a url']) {
      const r = await qr(h.server, a.token, gid, { type: 'H5', http });
      expect(r.status, http).toBe(422);
      expect(json(r), http).toEqual(fail('网址域名 必须是 http 或 https 网址'));
    }
  });
});
