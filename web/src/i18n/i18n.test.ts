import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasKey, locale, setLocale, t } from './index.js';
import { catalogues } from './messages/index.js';

const SRC = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(vue|ts)$/.test(f) && !f.endsWith('.test.ts') ? [p] : [];
  });
}

describe('texts', () => {
  it('exist in Chinese and English for every key the client uses', () => {
    const used = new Set<string>();
    for (const file of sources(SRC)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([\w.-]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(20);
    const missing = [...used].filter((k) => !hasKey(k, 'zh-CN') || !hasKey(k, 'en'));
    expect(missing).toEqual([]);
  });

  it('have the same keys in both languages', () => {
    for (const c of catalogues) expect(Object.keys(c.en).sort()).toEqual(Object.keys(c['zh-CN']).sort());
  });

  it('are Chinese by default and switch to English, with parameters filled in', () => {
    expect(locale.value).toBe('zh-CN');
    expect(t('nav.chats')).toBe('消息');
    setLocale('en');
    expect(t('nav.chats')).toBe('Chats');
    setLocale('zh-CN');
    expect(t('no.such.key')).toBe('no.such.key');
  });
});
