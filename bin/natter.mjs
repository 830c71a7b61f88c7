#!/usr/bin/env node
// `natter <command>`: the operator's command line (admin, import). Runs the compiled code in
// dist/, building the server first when its sources are newer (a tree that was never built).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stale } from '../scripts/build-if-stale.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
if (stale('server')) {
  process.stderr.write('building the server (its sources changed)\n');
  const build = spawnSync('npm', ['run', '-s', 'build:server'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const { run } = await import('../dist/cli/main.js');
const { processIo } = await import('../dist/cli/io.js');
process.exitCode = await run(process.argv.slice(2), processIo());
