import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserStatus } from '../../src/domain/user.js';
import { openStore, type OpenedStore } from '../../src/store/kysely-store.js';

/**
 * SQLite's group commit (src/store/group-commit.ts): transactions asked for together share one
 * COMMIT, each in its own savepoint. What a caller sees must not change: its writes commit or
 * roll back as a whole, and another caller's failure does not touch them.
 */
describe('SQLite group commit', () => {
  let dir: string;
  let store: OpenedStore;
  afterEach(async () => {
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const open = async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'natter-gc-'));
    store = await openStore({ kind: 'sqlite', file: path.join(dir, 'db.sqlite') });
    await store.migrate();
    return store;
  };
  const user = (name: string) => ({
    uuid: crypto.randomUUID(),
    username: name,
    password: 'x',
    role: 'user' as const,
    status: UserStatus.active,
    avatar: null,
  });

  it('commits the transactions that succeed and rolls back, alone, each one that throws', async () => {
    const s = await open();
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        s.transaction(async (tx) => {
          const u = await tx.users.create(user(`u${i}`), 1);
          await tx.users.update(u.id, { nickname: `n${i}` }, 2);
          if (i % 3 === 0) throw new Error(`refused ${i}`);
          return u.id;
        }),
      ),
    );
    results.forEach((r, i) => {
      if (i % 3 === 0) expect(r).toEqual({ status: 'rejected', reason: new Error(`refused ${i}`) });
      else expect(r.status).toBe('fulfilled');
    });
    for (let i = 0; i < 40; i++) {
      const row = await s.users.findByUsername(`u${i}`);
      if (i % 3 === 0) expect(row).toBeUndefined();
      else expect(row?.nickname).toBe(`n${i}`);
    }
  });

  it('a constraint violation in one transaction leaves the others of its batch committed', async () => {
    const s = await open();
    const results = await Promise.allSettled(
      ['a', 'b', 'a', 'c', 'b'].map((name) => s.transaction((tx) => tx.users.create(user(name), 1))),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'rejected']);
    for (const name of ['a', 'b', 'c']) expect(await s.users.findByUsername(name)).toBeDefined();
  });

  it('answers each caller only after the shared commit, in the order asked', async () => {
    const s = await open();
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        s
          .transaction((tx) => tx.users.create(user(`o${i}`), 1))
          .then(async (u) => {
            order.push(i);
            // Visible outside any transaction: committed.
            expect((await s.users.findById(u.id))?.username).toBe(`o${i}`);
          }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('a transaction alone in its batch rolls back whole when it throws', async () => {
    const s = await open();
    await expect(
      s.transaction(async (tx) => {
        await tx.users.create(user('alone'), 1);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await s.users.findByUsername('alone')).toBeUndefined();
  });
});
