/**
 * Writes the OpenAPI document generated from the route schemas to openapi.json.
 * With --check, fails (exit 1) when the committed file differs from what the code generates.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const out = path.resolve(import.meta.dirname, '..', 'openapi.json');
const check = process.argv.includes('--check');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'natter-openapi-'));
const app = await createApp(
  loadConfig({ DATABASE_URL: 'sqlite::memory:', DATA_DIR: dir, JWT_SECRET: 'x'.repeat(32), LOG_LEVEL: 'silent' }),
);
await app.http.ready();
const doc = `${JSON.stringify(app.http.swagger(), null, 2)}\n`;
await app.close();
fs.rmSync(dir, { recursive: true, force: true });

if (check) {
  const current = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
  if (current !== doc) {
    console.error('openapi.json is stale: run `npm run openapi` and commit the result.');
    process.exit(1);
  }
  console.log('openapi.json is up to date.');
} else {
  fs.writeFileSync(out, doc);
  console.log(`wrote ${out}`);
}
