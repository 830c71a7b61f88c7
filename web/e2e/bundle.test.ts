import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureWebBuilt, WEB_DIST } from './build.js';

/**
 * The first load stays small: the JavaScript that index.html makes the browser fetch (the entry
 * script and its modulepreload links), gzipped as a server would send it, is at most 250 KB.
 * No browser needed; the build is the one global-setup.ts made (built here when it skipped it).
 */

const BUDGET = 250 * 1024;

/** `src` / `href` of the tags in index.html that match `tag` and `attrs`. */
function refs(html: string, tag: RegExp): string[] {
  return [...html.matchAll(tag)].map((m) => m[1]!);
}

/** The files a module imports statically (`import … from "./x.js"`, `import "./x.js"`), not `import("./x.js")`. */
function staticImports(code: string): string[] {
  return [...code.matchAll(/(?<![\w$.(])(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?["'](\.\.?\/[^"']+\.js)["']/g)].map((m) => m[1]!);
}

describe('web client bundle', () => {
  beforeAll(async () => {
    const error = inject('webBuildError');
    if (error) throw new Error(`the web client did not build:\n${error}`);
    await ensureWebBuilt();
  }, 120_000);

  it('the JavaScript of the first load, gzipped, is at most 250 KB', () => {
    const html = fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
    const entry = refs(html, /<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g);
    const preloads = refs(html, /<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g);
    expect(entry).toHaveLength(1);
    const first = [...new Set([...entry, ...preloads])];
    const file = (url: string) => path.join(WEB_DIST, new URL(url, 'http://x/').pathname);

    // index.html names every module the entry needs before it runs: each static import is preloaded.
    const names = new Set(first.map((u) => new URL(u, 'http://x/').pathname));
    for (const url of first) {
      const here = new URL(url, 'http://x/');
      for (const dep of staticImports(fs.readFileSync(file(url), 'utf8'))) {
        expect(names, `${here.pathname} imports ${dep}`).toContain(new URL(dep, here).pathname);
      }
    }

    const sizes = first.map((url) => {
      const raw = fs.readFileSync(file(url));
      return { url, raw: raw.length, gzip: zlib.gzipSync(raw, { level: 9 }).length };
    });
    const total = sizes.reduce((n, s) => n + s.gzip, 0);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    console.log(
      [
        `first-load JavaScript: ${kb(total)} gzipped (budget ${kb(BUDGET)}), ${kb(sizes.reduce((n, s) => n + s.raw, 0))} raw`,
        ...sizes.map((s) => `  ${s.url}  ${kb(s.raw)} → ${kb(s.gzip)}`),
      ].join('\n'),
    );
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(BUDGET);
  });
});
