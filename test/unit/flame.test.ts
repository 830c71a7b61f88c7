import { describe, expect, it } from 'vitest';
import { callTree, flameSvg } from '../../bench/flame.js';

/** bench/flame.ts: the call tree under the flame graph. */
const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url, lineNumber: 0 },
  children,
});

// (root) → main → a → leaf ; (root) → main → b ; (root) → (idle)
const profile = {
  nodes: [
    frame(1, '(root)', '', [2, 5]),
    frame(2, 'main', 'file:///app/dist/main.js', [3, 4]),
    frame(3, 'a', 'file:///app/node_modules/kysely/dist/esm/a.js', [6]),
    frame(4, 'b', 'node:internal/b', []),
    frame(5, '(idle)', '', []),
    frame(6, 'leaf', 'file:///app/node_modules/kysely/dist/esm/a.js', []),
  ],
  // time deltas in µs; samples at t = 10, 20, 30, 40, 50, 60
  samples: [6, 6, 4, 5, 3, 6],
  timeDeltas: [10, 10, 10, 10, 10, 10],
  startTime: 0,
};

describe('flame graph call tree', () => {
  it('merges samples into stacks, leaves idle out, and keeps time per frame', () => {
    const root = callTree(profile);
    expect(root.us).toBe(50);
    const main = root.children.get('main\u0000main.js:1');
    expect(main?.us).toBe(50);
    const a = main?.children.get('a\u0000kysely');
    expect(a?.us).toBe(40);
    expect(a?.children.get('leaf\u0000kysely')?.us).toBe(30);
    expect(main?.children.get('b\u0000node internals')?.us).toBe(10);
  });

  it('counts only samples inside the window', () => {
    // t = 30 (b), t = 40 (idle: left out), t = 50 (a)
    const root = callTree(profile, [25, 55]);
    expect(root.us).toBe(20);
    expect(root.children.get('main\u0000main.js:1')?.children.get('a\u0000kysely')?.us).toBe(10);
  });

  it('draws one rectangle per frame, widths in proportion, names escaped', () => {
    const svg = flameSvg(callTree(profile), 'a <title> & more');
    expect(svg).toContain('a &lt;title&gt; &amp; more');
    expect(svg.match(/<rect /g)?.length).toBe(1 + 5); // background + all, main, a, leaf, b
    expect(svg).toContain('leaf kysely — 60.0 %');
  });
});
