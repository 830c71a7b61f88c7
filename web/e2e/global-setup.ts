import type { TestProject } from 'vitest/node';
import { BROWSER_REQUIRED, CHROMIUM, ensureWebBuilt } from './build.js';

/**
 * Runs once per test run, before the workers start, and only when a browser test is queued:
 * rebuilds dist/web if web/ changed. A failed build is handed to the browser tests (they fail
 * with it) rather than thrown, so that the server suites of the same run still report.
 */
export default async function setup(project: TestProject): Promise<void> {
  project.provide('webBuildError', undefined);
  if (!CHROMIUM && !BROWSER_REQUIRED) return;
  try {
    if (await ensureWebBuilt()) process.stdout.write('browser tests: built dist/web\n');
  } catch (e) {
    project.provide('webBuildError', e instanceof Error ? e.message : String(e));
  }
}
