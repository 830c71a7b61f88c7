import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KNOWN_KEYS } from '../../src/config.js';

/** The settings are listed in three places; they must name the same keys. */
const read = (file: string) => fs.readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const sorted = (keys: Iterable<string>) => [...new Set(keys)].sort();

describe('settings lists', () => {
  const known = sorted(KNOWN_KEYS);

  it('config.ts reads exactly the keys it declares', () => {
    const source = read('src/config.ts');
    const readKeys = [...source.matchAll(/\br\s*\.\w+\(\s*'([A-Z0-9_]+)'/g)].map((m) => m[1]!);
    expect(readKeys.length).toBeGreaterThan(20);
    expect(sorted(readKeys)).toEqual(known);
  });

  it('the README settings table lists every key', () => {
    // A row may group related keys in its first cell: | `A` / `B` | … |
    const cells = [...read('README.md').matchAll(/^\| (`[A-Z0-9_]+`[^|]*)\|/gm)].map((m) => m[1]!);
    const keys = cells.flatMap((cell) => [...cell.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]!));
    expect(sorted(keys)).toEqual(known);
  });

  it('.env.example lists every key', () => {
    const lines = [...read('.env.example').matchAll(/^(?:# )?([A-Z0-9_]+)=/gm)].map((m) => m[1]!);
    expect(sorted(lines)).toEqual(known);
  });
});
