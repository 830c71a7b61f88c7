/**
 * Chinese by default, English selectable. Each area of the client keeps its texts in
 * messages/<area>.ts as `{ 'zh-CN': {...}, en: {...} }`; a key missing in English falls back to
 * Chinese, a key missing everywhere shows the key (and fails the unit test that checks coverage).
 */
import { ref } from 'vue';
import { catalogues } from './messages/index.js';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: { id: Locale; label: string }[] = [
  { id: 'zh-CN', label: '中文' },
  { id: 'en', label: 'English' },
];

const STORAGE_KEY = 'natter.locale';

function initial(): Locale {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  return saved === 'en' || saved === 'zh-CN' ? saved : 'zh-CN';
}

export const locale = ref<Locale>(initial());

export function setLocale(l: Locale): void {
  locale.value = l;
  globalThis.localStorage?.setItem(STORAGE_KEY, l);
  if (globalThis.document) document.documentElement.lang = l;
}

const tables: Record<Locale, Record<string, string>> = { 'zh-CN': {}, en: {} };
for (const c of catalogues) {
  Object.assign(tables['zh-CN'], c['zh-CN']);
  Object.assign(tables.en, c.en);
}

export function t(key: string, params: Record<string, string | number> = {}): string {
  const text = tables[locale.value][key] ?? tables['zh-CN'][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
}

export function hasKey(key: string, l: Locale): boolean {
  return key in tables[l];
}

/** Short local time for lists: the time today, the date otherwise. */
export function shortTime(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const n = new Date(now);
  const sameDay = d.toDateString() === n.toDateString();
  return sameDay
    ? d.toLocaleTimeString(locale.value, { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(locale.value, { month: 'numeric', day: 'numeric' });
}
