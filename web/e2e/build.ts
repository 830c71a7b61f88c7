import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stale } from '../../scripts/build-if-stale.mjs';

/** Where the browser tests find the repository, the built client and Chromium; how they build the client. */

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const WEB_DIST = path.join(REPO, 'dist', 'web');

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by global-setup.ts when `vite build` failed: the browser tests fail with it, the other suites still run. */
    webBuildError: string | undefined;
  }
}

/** Debian's Chromium, or CHROMIUM_PATH; undefined when it is not there (browsers cannot be downloaded here). */
export const CHROMIUM: string | undefined = (() => {
  const file = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return file;
  } catch {
    return undefined;
  }
})();

/** Set in CI: a missing Chromium fails the browser tests instead of skipping them. */
export const BROWSER_REQUIRED = Boolean(process.env.TEST_REQUIRE_BROWSER);

/** The build is stale when a source of the client is newer than dist/web/index.html (the rule `npm start` uses). */
const isStale = (): boolean => stale('web', REPO);

function runViteBuild(): Promise<void> {
  const vite = path.join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: REPO });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code}):\n${output.slice(-4000)}`))));
  });
}

const LOCK = path.join(REPO, 'dist', '.web-build.lock');
/** A lock older than this was left by a run that died. */
const LOCK_STALE_MS = 5 * 60_000;

/** Holds LOCK (a directory: mkdir is atomic) while `fn` runs, so that concurrent test runs do not build into dist/web together. */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = Date.now() - (fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) fs.rmSync(LOCK, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Builds dist/web when it is missing or older than its sources; answers whether it built. */
export async function ensureWebBuilt(): Promise<boolean> {
  if (!isStale()) return false;
  return withLock(async () => {
    if (!isStale()) return false;
    await runViteBuild();
    return true;
  });
}
