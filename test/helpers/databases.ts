import mysql from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config.js';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/** The dialects this run covers: TEST_DB=sqlite,postgres,mysql (default sqlite). */
export function testDialects(): DialectName[] {
  const list = (process.env.TEST_DB ?? 'sqlite')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const d of list) {
    if (d !== 'sqlite' && d !== 'postgres' && d !== 'mysql') throw new Error(`TEST_DB: unknown dialect ${d}`);
  }
  return list as DialectName[];
}

const PG_ADMIN = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MYSQL_ADMIN = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

const withDb = (admin: string, name: string): string => {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
};

/**
 * A new, empty database of the dialect, dropped again by `drop()`. PostgreSQL and MySQL databases
 * are made next to the one `admin` names (default TEST_PG_URL / TEST_MYSQL_URL); SQLite's is a
 * file in `tmpDir`.
 */
export async function freshDatabase(dialect: DialectName, tmpDir: string, admin?: string): Promise<FreshDatabase> {
  const name = `natter_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  if (dialect === 'sqlite') {
    const file = path.join(tmpDir, `${name}.db`);
    return { url: `sqlite:${file}`, drop: async () => undefined };
  }
  if (dialect === 'postgres') {
    const server = admin ?? PG_ADMIN;
    const c = new pg.Client({ connectionString: server });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    return {
      url: withDb(server, name),
      drop: async () => {
        const c = new pg.Client({ connectionString: server });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  const server = admin ?? MYSQL_ADMIN;
  const c = await mysql.createConnection(server);
  await c.query(`create database ${name} character set utf8mb4 collate utf8mb4_bin`);
  await c.end();
  return {
    url: withDb(server, name),
    drop: async () => {
      const c = await mysql.createConnection(server);
      await c.query(`drop database if exists ${name}`);
      await c.end();
    },
  };
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'natter-test-'));
}

/** The store configuration for a database URL of `freshDatabase` (what `loadConfig` makes of DATABASE_URL). */
export function databaseConfig(url: string): DatabaseConfig {
  if (url.startsWith('sqlite:')) return { kind: 'sqlite', file: url.slice('sqlite:'.length) };
  if (url.startsWith('postgres')) return { kind: 'postgres', url };
  return { kind: 'mysql', url };
}
