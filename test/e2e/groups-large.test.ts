import { expect, it } from 'vitest';
import { drain, OK, quiet, textOf, type Account, type Any } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { isText } from '../helpers/groups.js';
import { WsClient, type Frame } from '../helpers/ws.js';

/**
 * A group of 60 (E20 group, E21, E24): every member gets each message once, in order, live or
 * through chatGetmessageOffLine; the group inside a message lists at most 50 members
 * (DESIGN: group-common GROUP_USERS_IN_MESSAGES) while groupinfo lists all of them.
 */
const SIZE = 60;
const OFFLINE = 9;

describeEachDialect(
  'groups: a group of 60 members',
  (h) => {
    it(
      'delivers each message once to each of the other 59 members; group_users in messages is capped at 50',
      { timeout: 180_000 },
      async () => {
        const s = h.server;
        const owner = await s.client.register();
        const members: Account[] = [];
        for (let i = 1; i < SIZE; i++) members.push(await s.client.register());
        for (const m of members)
          expect((await s.client.post('/api/chat/autoAddFriendAndAgree', { friend_id: m.id }, { token: owner.token })).body).toEqual(OK);
        const list = await s.client.get('/api/chat/goodfriendlist/1', { token: owner.token });
        const entries = list.body.data.rows.newList.flatMap((g: Any) => g.list).map((e: Any) => e.id);
        expect(entries).toHaveLength(SIZE - 1);
        expect((await s.client.post('/api/chat/group/create', { userIds: entries }, { token: owner.token })).body).toEqual(OK);
        const gid = (await s.client.get('/api/chat/grouplist/1', { token: owner.token })).body.data[0].id;
        const info = await s.client.get(`/api/chat/groupinfo/${gid}`, { token: owner.token });
        expect(info.body.data.group_users).toHaveLength(SIZE);

        const everyone = [owner, ...members];
        const offline = everyone.slice(SIZE - OFFLINE);
        const online = everyone.slice(0, SIZE - OFFLINE);
        const sockets = new Map<number, WsClient>();
        for (const u of online) sockets.set(u.id, await WsClient.ready(s.url, u.token));

        const sender = members[0] as Account;
        const sent: Frame[] = [];
        for (const text of ['one', 'two', 'three']) {
          const res = await s.client.post(
            '/api/chat/socket/sendmessage',
            { sendto_id: gid, chatType: 'group', type: 'text', data: JSON.stringify({ data: text, dataType: false, otherData: null }) },
            { token: sender.token },
          );
          expect(res.status).toBe(200);
          sent.push(res.body.data);
        }
        const ids = new Set(everyone.map((u) => u.id));
        for (const m of sent) {
          expect(m.group.group_users).toHaveLength(50);
          const listed = m.group.group_users.map((u: Any) => u.user_id);
          expect(new Set(listed).size).toBe(50);
          for (const id of listed) expect(ids.has(id)).toBe(true);
        }

        for (const u of online) {
          if (u.id === sender.id) continue;
          const c = sockets.get(u.id) as WsClient;
          const got = await c.waitChats(3, isText);
          expect(
            got.map((m) => m.id),
            `user ${u.id}`,
          ).toEqual(sent.map((m) => m.id));
          expect(got).toEqual(sent);
        }
        for (const u of offline) {
          const c = await WsClient.ready(s.url, u.token);
          sockets.set(u.id, c);
          expect((await drain(s, u.token)).body).toEqual(OK);
          await c.waitChats(3, isText);
        }
        await quiet(s, ...everyone.map((u): [WsClient, number] => [sockets.get(u.id) as WsClient, u.id]));
        // Sockets opened after the creation get its notice too: live pushes first catch up on what the cursor skipped.
        const created = `${owner.username}创建了一个群，大家可以开始聊天了`;
        for (const u of everyone) {
          const got = (sockets.get(u.id) as WsClient).chats((m) => m.chatType === 'group').map(textOf);
          expect(got, `user ${u.id}`).toEqual(u.id === sender.id ? [created] : [created, 'one', 'two', 'three']);
        }
        for (const c of sockets.values()) c.close();
      },
    );
  },
  { env: { WS_CONNECTS_PER_MINUTE: '0' } },
);
