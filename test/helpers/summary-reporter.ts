import type { Reporter, TestCase, TestModule } from 'vitest/node';

/** Whether a suite above the test failed while the test did not run: its setup threw. */
function setupFailed(t: TestCase): boolean {
  if (t.result().state !== 'skipped' || t.options.mode === 'skip' || t.options.mode === 'todo') return false;
  for (let p = t.parent; p.type === 'suite'; p = p.parent) if (p.state() === 'failed') return true;
  return false;
}

/**
 * Prints one plain closing line, `Tests: N passed, N failed, N skipped`, for tools that read it.
 * A test that did not run because the setup of its suite failed counts as failed, not skipped; a
 * file that failed outside its tests (an afterAll that threw) counts one failure.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      const failedBefore = failed;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed' || setupFailed(t)) failed++;
        else skipped++;
      }
      if (m.state() === 'failed' && failed === failedBefore) failed++;
    }
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
