import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { loadConfig } from '../../src/config.js';
import { tempDir } from '../helpers/databases.js';
import { TEST_SECRET } from '../helpers/server.js';

describe('start-up failure', () => {
  it('closes what it opened when a later step fails', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'natter.db');
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${file}`, DATA_DIR: dir, JWT_SECRET: TEST_SECRET });
    const logs: string[] = [];
    const logStream = new Writable({ write: (chunk: Buffer, _e, cb) => (logs.push(chunk.toString()), cb()) });
    // The realtime step registers a gap listener on the bus; this bus refuses it.
    const bus = new MemoryBus(() => undefined);
    bus.onGap = () => {
      throw new Error('bus refused the listener');
    };
    await expect(createApp(config, { bus, logStream })).rejects.toThrow('bus refused the listener');
    // The store was opened and migrated, then closed: SQLite removes its write-ahead log when
    // the last connection closes, and a second app opens the same file.
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const again = await createApp(config, { logStream });
    await again.listen();
    await again.close();
    expect(logs.join('')).not.toContain('could not close');
  });
});
