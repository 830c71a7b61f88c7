import { createHash } from 'node:crypto';
import type { Row } from '../store/import-target.js';
import type { SeedRow } from './seed-source.js';

/**
 * The seed's rows turned into Natter's (spec §3): same table and column names; DATETIME text
 * in the seed's time zone becomes ms since the epoch; values Natter's columns cannot hold are
 * refused with a reason. Columns a seed database lacks take the seed's defaults.
 */

export type Mapped = { ok: true; row: Row; notes: string[] } | { ok: false; reason: string };

const refuse = (reason: string): Mapped => ({ ok: false, reason });

class Refused extends Error {}

const has = (r: SeedRow, col: string): boolean => r[col] !== undefined && r[col] !== null;

/** Text of at most `max` characters (Natter's column width); `fallback` when absent. */
function text(r: SeedRow, col: string, max: number, fallback: string): string;
function text(r: SeedRow, col: string, max: number, fallback: null): string | null;
function text(r: SeedRow, col: string, max: number, fallback: string | null): string | null {
  if (!has(r, col)) return fallback;
  const v = r[col];
  const s = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  if ([...s].length > max) throw new Refused(`${col} is longer than ${max} characters`);
  return s;
}

/** A unique text column: '' means none (the seed's default), stored as NULL. */
const optionalUnique = (r: SeedRow, col: string, max: number): string | null => {
  const s = text(r, col, max, null);
  return s === null || s.trim() === '' ? null : s;
};

const int = (r: SeedRow, col: string, fallback: number): number => {
  if (!has(r, col)) return fallback;
  const n = Number(r[col]);
  if (!Number.isInteger(n)) throw new Refused(`${col} is not an integer (${String(r[col])})`);
  return n;
};

/** A positive id (a foreign key the seed allows to be NULL or 0 points nowhere). */
const ref = (r: SeedRow, col: string): number => {
  const n = Number(r[col]);
  if (!has(r, col) || !Number.isInteger(n) || n <= 0) throw new Refused(`${col} is empty`);
  return n;
};

/** DATETIME text (`YYYY-MM-DD HH:mm:ss[.fff]`) in the seed's zone, or a Date; undefined when absent or zero. */
export function seedTime(v: unknown, tzOffsetMinutes: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(String(v).trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (y === 0 || mo === 0 || d === 0) return undefined;
  const ms = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - tzOffsetMinutes * 60_000;
}

export interface Clock {
  tzOffsetMinutes: number;
  now: number;
}

/** `order`, `create_time`, `update_time`, common to every seed table. */
function common(r: SeedRow, c: Clock): Row {
  const created = seedTime(r.create_time, c.tzOffsetMinutes) ?? c.now;
  return {
    order: has(r, 'order') ? int(r, 'order', 50) : null,
    create_time: created,
    update_time: seedTime(r.update_time, c.tzOffsetMinutes) ?? created,
  };
}

function guarded(fn: (notes: string[]) => Row): Mapped {
  const notes: string[] = [];
  try {
    return { ok: true, row: fn(notes), notes };
  } catch (e) {
    if (e instanceof Refused) return refuse(e.message);
    throw e;
  }
}

const HASH_FORMATS = [/^[0-9a-f]{64}$/i, /^scrypt\$/];

export function mapUser(r: SeedRow, c: Clock): Mapped {
  return guarded((notes) => {
    const username = text(r, 'username', 50, '');
    if (username.trim() === '') throw new Refused('username is empty');
    if ([...username].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\u007f')) throw new Refused('username contains control characters');
    const password = text(r, 'password', 255, '');
    if (!HASH_FORMATS.some((f) => f.test(password)))
      notes.push('password hash in an unknown format: the account cannot log in until its password is set again');
    let role = text(r, 'role', 20, 'user');
    if (role !== 'user' && role !== 'visitor') {
      notes.push(`role "${role}" is not one Natter knows: imported as "user"`);
      role = 'user';
    }
    const times = common(r, c);
    return {
      id: ref(r, 'id'),
      uuid: optionalUnique(r, 'uuid', 36) ?? derivedUuid(`user:${String(r.id)}:${username}`),
      username,
      password,
      nickname: text(r, 'nickname', 50, ''),
      avatar: text(r, 'avatar', 1000, null),
      devicefingeruuid: optionalUnique(r, 'devicefingeruuid', 200),
      uniplatform: text(r, 'uniplatform', 100, ''),
      devicemodel: text(r, 'devicemodel', 100, ''),
      deviceos: text(r, 'deviceos', 100, ''),
      devicebrand: text(r, 'devicebrand', 100, ''),
      userset: text(r, 'userset', 1_000_000, ''),
      invite_confirm: int(r, 'invite_confirm', 0),
      mobile: optionalUnique(r, 'mobile', 20),
      email: optionalUnique(r, 'email', 100),
      status: int(r, 'status', 1),
      last_login: seedTime(r.last_login, c.tzOffsetMinutes) ?? null,
      last_login_ip: text(r, 'last_login_ip', 45, null),
      register_time: seedTime(r.register_time, c.tzOffsetMinutes) ?? times.create_time,
      register_ip: text(r, 'register_ip', 45, null),
      is_deleted: int(r, 'is_deleted', 0),
      wechat_openid: optionalUnique(r, 'wechat_openid', 128),
      qq_openid: optionalUnique(r, 'qq_openid', 128),
      weibo_uid: optionalUnique(r, 'weibo_uid', 128),
      role,
      is_email_verified: int(r, 'is_email_verified', 0),
      is_mobile_verified: int(r, 'is_mobile_verified', 0),
      ...times,
    };
  });
}

const GENDERS = new Set(['male', 'female', 'unknown']);

export function mapUserInfo(r: SeedRow, c: Clock): Mapped {
  return guarded((notes) => {
    let gender = text(r, 'gender', 10, 'unknown');
    if (!GENDERS.has(gender)) {
      notes.push(`gender "${gender}" imported as "unknown"`);
      gender = 'unknown';
    }
    return {
      id: ref(r, 'id'),
      user_id: ref(r, 'user_id'),
      gender,
      birthday: seedTime(r.birthday, c.tzOffsetMinutes) ?? null,
      bio: text(r, 'bio', 200, null),
      location: text(r, 'location', 100, null),
      website: text(r, 'website', 255, null),
      ...common(r, c),
    };
  });
}

/** The columns `goodfriend` and `goodfriendapply` share. */
const contact = (r: SeedRow, c: Clock) => ({
  id: ref(r, 'id'),
  user_id: ref(r, 'user_id'),
  friend_id: ref(r, 'friend_id'),
  nickname: text(r, 'nickname', 50, ''),
  friendlookme: int(r, 'friendlookme', 1),
  melookfriend: int(r, 'melookfriend', 1),
  ismystarfriend: int(r, 'ismystarfriend', 0),
  isblack: int(r, 'isblack', 0),
  ...common(r, c),
});

export const mapFriend = (r: SeedRow, c: Clock): Mapped => guarded(() => ({ ...contact(r, c), status: int(r, 'status', 1) }));

const APPLY_STATUSES = new Set(['pending', 'refuse', 'agree', 'ignore']);

export function mapApply(r: SeedRow, c: Clock): Mapped {
  return guarded(() => {
    const status = text(r, 'status', 10, 'pending');
    if (!APPLY_STATUSES.has(status)) throw new Refused(`status "${status}" is not pending, refuse, agree or ignore`);
    const row = { ...contact(r, c), status };
    const open = status === 'pending' || status === 'agree';
    return { ...row, active_key: open ? `${String(row.user_id)}:${String(row.friend_id)}` : null };
  });
}

export function mapGroup(r: SeedRow, c: Clock): Mapped {
  return guarded(() => {
    const name = text(r, 'name', 50, '');
    return {
      id: ref(r, 'id'),
      uuid: optionalUnique(r, 'uuid', 36) ?? derivedUuid(`group:${String(r.id)}`),
      user_id: ref(r, 'user_id'),
      name,
      avatar: text(r, 'avatar', 4000, null),
      remark: text(r, 'remark', 1_000_000, null),
      invite_confirm: int(r, 'invite_confirm', 0),
      status: int(r, 'status', 1),
      ...common(r, c),
    };
  });
}

export const mapMember = (r: SeedRow, c: Clock): Mapped =>
  guarded(() => ({
    id: ref(r, 'id'),
    group_id: ref(r, 'group_id'),
    user_id: ref(r, 'user_id'),
    nickname: text(r, 'nickname', 50, ''),
    avatar: text(r, 'avatar', 1000, ''),
    status: int(r, 'status', 1),
    ...common(r, c),
  }));

/** A stable UUID-shaped id made from `seed` (for rows and messages that came without one). */
export function derivedUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A waiting offline message as Natter stores it for its recipient. */
export interface OfflineMessage {
  msgId: string;
  chatType: string;
  type: string;
  body: string;
  createTime: number;
}

export type MappedMessage = { ok: true; message: OfflineMessage } | { ok: false; reason: string };

/**
 * One entry of `chat_getmessage_<userId>`: the JSON of the message object the seed would have
 * pushed (spec §6), kept as it is. Its `id` is the key clients use; an entry without a usable
 * one gets an id derived from its text, so that a second run recognises it.
 */
export function mapOfflineMessage(userId: number, entry: string, now: number): MappedMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'not a message object' };
  const m = parsed as Record<string, unknown>;
  const id = typeof m.id === 'string' || typeof m.id === 'number' ? String(m.id) : '';
  const msgId = id !== '' && id.length <= 36 ? id : derivedUuid(`offline:${userId}:${entry}`);
  const chatType = m.chatType ?? m.chat_type;
  const created = typeof m.create_time === 'number' && Number.isFinite(m.create_time) ? m.create_time : Date.parse(String(m.create_time));
  return {
    ok: true,
    message: {
      msgId,
      chatType: chatType === 'group' ? 'group' : 'single',
      type: typeof m.type === 'string' && m.type !== '' ? [...m.type].slice(0, 50).join('') : 'text',
      body: JSON.stringify(m),
      createTime: Number.isFinite(created) ? created : now,
    },
  };
}
