import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserStatus } from '../../src/domain/user.js';
import { cachingDatabase } from '../../src/store/dialects/sqlite.js';
import { openStore, type OpenedStore } from '../../src/store/kysely-store.js';

describe('SQLite dialect', () => {
  const dirs: string[] = [];
  const stores: OpenedStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'natter-sqlite-'));
    dirs.push(d);
    return d;
  };

  it('keeps one compiled statement per SQL text, least recently used dropped past the limit', () => {
    const db = new Database(':memory:');
    const cached = cachingDatabase(db, 2);
    const a = cached.prepare('select 1');
    expect(cached.prepare('select 1')).toBe(a);
    cached.prepare('select 2');
    cached.prepare('select 1'); // now the most recent
    cached.prepare('select 3'); // drops 'select 2'
    expect(cached.prepare('select 1')).toBe(a);
    const b = cached.prepare('select 2');
    expect(cached.prepare('select 2')).toBe(b);
    cached.close();
    expect(db.open).toBe(false);
  });

  it('never hands out a statement that is still iterating', () => {
    const db = new Database(':memory:');
    const cached = cachingDatabase(db);
    const sql = 'select value from json_each(?)';
    const first = cached.prepare(sql) as unknown as Database.Statement;
    const it1 = first.iterate('[1,2,3]');
    it1.next();
    const second = cached.prepare(sql) as unknown as Database.Statement;
    expect(second).not.toBe(first);
    expect(second.all('[4,5]')).toEqual([{ value: 4 }, { value: 5 }]);
    expect([...it1].map((r) => (r as { value: number }).value)).toEqual([2, 3]);
    cached.close();
  });

  it('copies the WAL into the database file in the background, without waiting for 1,000 pages', async () => {
    const file = path.join(tmp(), 'natter.db');
    const store = await openStore({ kind: 'sqlite', file });
    stores.push(store);
    await store.migrate();
    const before = fs.statSync(file).size;
    // About 2 MB in the WAL: far below the main connection's own checkpoint threshold (10,000 pages).
    for (let i = 0; i < 40; i++) {
      await store.transaction(async (tx) => {
        const u = await tx.users.create(
          { uuid: crypto.randomUUID(), username: `u${i}`, password: 'x', role: 'user', status: UserStatus.active, avatar: null },
          1,
        );
        await tx.users.update(u.id, { userset: 'y'.repeat(50_000) }, 1);
      });
    }
    const deadline = Date.now() + 10_000;
    while (fs.statSync(file).size < before + 1_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(fs.statSync(file).size).toBeGreaterThan(before + 1_000_000);
  });
});
