import { describe, expect, it } from 'vitest';
import { derivedUuid, mapApply, mapOfflineMessage, mapUser, seedTime } from '../../src/migrate/seed-rows.js';

/** src/migrate/seed-rows.ts: the seed's rows and offline entries as Natter stores them. */
const clock = { tzOffsetMinutes: 480, now: 1_700_000_000_000 };

describe('seedTime', () => {
  it("reads DATETIME text in the seed's zone", () => {
    expect(seedTime('2024-05-01 10:00:00', 480)).toBe(Date.UTC(2024, 4, 1, 2, 0, 0));
    expect(seedTime('2024-05-01 10:00:00.250', 0)).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 250));
    expect(seedTime('0000-00-00 00:00:00', 480)).toBeUndefined();
    expect(seedTime(null, 480)).toBeUndefined();
    expect(seedTime('yesterday', 480)).toBeUndefined();
  });
});

describe('mapUser', () => {
  const row = { id: 3, uuid: 'u', username: 'carol', password: 'a'.repeat(64), devicefingeruuid: '', create_time: '2024-05-01 10:00:00' };

  it("takes the seed's defaults for absent columns; '' device ids become NULL", () => {
    const m = mapUser(row, clock);
    expect(m).toMatchObject({ ok: true, notes: [] });
    if (!m.ok) return;
    expect(m.row).toMatchObject({ id: 3, username: 'carol', devicefingeruuid: null, role: 'user', status: 1, userset: '', order: null });
    expect(m.row.update_time).toBe(m.row.create_time);
  });

  it('refuses what Natter cannot hold, and notes what it changes', () => {
    expect(mapUser({ ...row, username: ' ' }, clock)).toEqual({ ok: false, reason: 'username is empty' });
    expect(mapUser({ ...row, nickname: 'x'.repeat(51) }, clock)).toEqual({ ok: false, reason: 'nickname is longer than 50 characters' });
    expect(mapUser({ ...row, status: 'on' }, clock)).toEqual({ ok: false, reason: 'status is not an integer (on)' });
    const admin = mapUser({ ...row, role: 'admin', password: 'plain' }, clock);
    expect(admin.ok && admin.row.role).toBe('user');
    expect(admin.ok && admin.notes).toHaveLength(2);
  });
});

describe('mapApply', () => {
  it('keeps an open key only for pending and agreed applications', () => {
    const base = { id: 1, user_id: 4, friend_id: 2 };
    expect(mapApply({ ...base, status: 'pending' }, clock)).toMatchObject({ ok: true, row: { active_key: '4:2' } });
    expect(mapApply({ ...base, status: 'refuse' }, clock)).toMatchObject({ ok: true, row: { active_key: null } });
    expect(mapApply({ ...base, status: 'maybe' }, clock)).toMatchObject({ ok: false });
    expect(mapApply({ ...base, user_id: 0, status: 'pending' }, clock)).toEqual({ ok: false, reason: 'user_id is empty' });
  });
});

describe('mapOfflineMessage', () => {
  it('keeps the message object and its id', () => {
    const msg = { id: 'a1', chatType: 'group', type: 'image', data: '{}', create_time: 5, isremove: 0 };
    expect(mapOfflineMessage(2, JSON.stringify(msg), clock.now)).toEqual({
      ok: true,
      message: { msgId: 'a1', chatType: 'group', type: 'image', body: JSON.stringify(msg), createTime: 5 },
    });
  });

  it('gives an entry without a usable id the same derived id every time', () => {
    const entry = JSON.stringify({ data: 'x' });
    const a = mapOfflineMessage(2, entry, 1);
    const b = mapOfflineMessage(2, entry, 2);
    expect(a.ok && b.ok && a.message.msgId === b.message.msgId).toBe(true);
    expect(a.ok && a.message).toMatchObject({ chatType: 'single', type: 'text', createTime: 1 });
    expect(derivedUuid('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses entries that are not message objects', () => {
    expect(mapOfflineMessage(2, '{oops', 0)).toEqual({ ok: false, reason: 'not JSON' });
    expect(mapOfflineMessage(2, '[1]', 0)).toEqual({ ok: false, reason: 'not a message object' });
  });
});
