import { MemberStatus } from '../domain/group.js';
import { Conversation } from '../domain/message.js';
import type { ImportWriter, Row, SeedTable } from '../store/import-target.js';
import { mapApply, mapFriend, mapGroup, mapMember, mapUser, mapUserInfo, type Clock, type Mapped } from './seed-rows.js';

/** How each seed table is taken: its conversion, the ids it points to, its identity and its unique keys. */

/** A natural unique key of a table: checked against this run and against Natter's rows. */
export interface Unique {
  /** The column looked up in Natter (the first of the key). */
  column: string;
  key(row: Row): string | undefined;
  /** What to do when another row holds the key: refuse this row, or take it without the value. */
  clash: 'reject' | { clear: string };
  label: string;
}

export interface TableSpec {
  table: SeedTable;
  map(r: Row, c: Clock): Mapped;
  /** Columns that must name an imported user or group. */
  refs: { column: string; to: 'users' | 'groups' }[];
  /** Identity of a row: an existing row with the same id and identity is this row. */
  identity: string[];
  uniques: Unique[];
  /** Writes that go with the batch's rows, in its transaction. */
  alongside?(w: ImportWriter, rows: Row[], now: number): Promise<void>;
}

const col = (name: string): Unique => ({
  column: name,
  key: (r) => (r[name] == null ? undefined : String(r[name])),
  clash: 'reject',
  label: name,
});
const clearable = (name: string): Unique => ({ ...col(name), clash: { clear: name } });
const pair = (a: string, b: string, label: string): Unique => ({
  column: a,
  key: (r) => `${String(r[a])}:${String(r[b])}`,
  clash: 'reject',
  label,
});

export const SPECS: TableSpec[] = [
  {
    table: 'user',
    map: mapUser,
    refs: [],
    identity: ['username'],
    uniques: [
      col('username'),
      col('uuid'),
      ...['devicefingeruuid', 'mobile', 'email', 'wechat_openid', 'qq_openid', 'weibo_uid'].map(clearable),
    ],
  },
  {
    table: 'user_info',
    map: mapUserInfo,
    refs: [{ column: 'user_id', to: 'users' }],
    identity: ['user_id'],
    uniques: [{ ...col('user_id'), label: 'profile of user' }],
  },
  {
    table: 'goodfriend',
    map: mapFriend,
    refs: [
      { column: 'user_id', to: 'users' },
      { column: 'friend_id', to: 'users' },
    ],
    identity: ['user_id', 'friend_id'],
    uniques: [pair('user_id', 'friend_id', 'contact entry of the pair')],
  },
  {
    table: 'goodfriendapply',
    map: mapApply,
    refs: [
      { column: 'user_id', to: 'users' },
      { column: 'friend_id', to: 'users' },
    ],
    identity: ['user_id', 'friend_id'],
    uniques: [{ ...clearable('active_key'), label: 'open application of the pair' }],
  },
  { table: 'group', map: mapGroup, refs: [{ column: 'user_id', to: 'users' }], identity: ['uuid'], uniques: [col('uuid')] },
  {
    table: 'group_user',
    map: mapMember,
    refs: [
      { column: 'group_id', to: 'groups' },
      { column: 'user_id', to: 'users' },
    ],
    identity: ['group_id', 'user_id'],
    uniques: [pair('group_id', 'user_id', 'membership (group:user)')],
    // Active members read the group's conversation from now on, as when Natter admits a member.
    async alongside(w, rows, now) {
      const byGroup = new Map<number, number[]>();
      for (const r of rows) {
        if (r.status !== MemberStatus.active) continue;
        const g = Number(r.group_id);
        byGroup.set(g, [...(byGroup.get(g) ?? []), Number(r.user_id)]);
      }
      for (const [g, users] of byGroup) await w.joinConversation(Conversation.group(g), users, now);
    },
  },
];

export const same = (a: Row, b: Row, columns: string[]): boolean => columns.every((c) => String(a[c]) === String(b[c]));
