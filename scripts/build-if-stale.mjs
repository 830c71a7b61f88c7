#!/usr/bin/env node
// Builds what `npm start` runs only when its sources changed since the last build: the server
// (dist/main.js) and the web client (dist/web). A start on an up-to-date tree costs a few
// milliseconds instead of a full compile. It runs at install too (`prepare`, with `--install`):
// then an install without the build tools (`npm ci --omit=dev` over a built tree) skips the
// build and says so instead of failing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Each build: what it produces, and what it reads (a file or a folder, recursively). */
export const TARGETS = {
  server: { output: 'dist/main.js', sources: ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'] },
  web: { output: 'dist/web/index.html', sources: ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts', 'package-lock.json'] },
};

function newest(p) {
  const stat = fs.statSync(p, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(p).map((name) => newest(path.join(p, name))));
}

/** Whether `target`'s output is missing or older than one of its sources. */
export function stale(target, root = ROOT) {
  const { output, sources } = TARGETS[target];
  const built = fs.statSync(path.join(root, output), { throwIfNoEntry: false });
  return !built || Math.max(...sources.map((s) => newest(path.join(root, s)))) > built.mtimeMs;
}

/** The package each build runs; missing when dev dependencies were left out of the install. */
const TOOLS = { server: 'typescript', web: 'vite' };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const atInstall = process.argv.includes('--install');
  for (const target of Object.keys(TARGETS)) {
    if (!stale(target)) continue;
    if (atInstall && !fs.existsSync(path.join(ROOT, 'node_modules', TOOLS[target], 'package.json'))) {
      process.stderr.write(`not building the ${target}: ${TOOLS[target]} is not installed (dev dependencies left out)\n`);
      continue;
    }
    process.stderr.write(`building the ${target} (its sources changed)\n`);
    const run = spawnSync('npm', ['run', '-s', `build:${target}`], { cwd: ROOT, stdio: 'inherit' });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
}
