import { pinyin } from 'pinyin-pro';

/**
 * Contact-list grouping (spec §8.8): by the first character of the display name — Latin letters
 * under themselves, Chinese characters under the initial of their pinyin, anything else under
 * `#`, which comes last. Items keep their order inside a group. No input can make it fail.
 */
export interface IndexGroup<T> {
  title: string;
  list: T[];
}

export interface Indexed<T> {
  newList: IndexGroup<T>[];
  indexList: string[];
  total: number;
}

const HAN = /^\p{Script=Han}$/u;

export function indexLetter(name: string): string {
  const first = [...name.trim()][0];
  if (first === undefined) return '#';
  if (/^[A-Za-z]$/.test(first)) return first.toUpperCase();
  if (HAN.test(first)) {
    const initial = (pinyin(first, { pattern: 'first', toneType: 'none', type: 'array' })[0] ?? '').toUpperCase();
    if (/^[A-Z]$/.test(initial)) return initial;
  }
  return '#';
}

export function groupByInitial<T>(items: T[], nameOf: (item: T) => string): Indexed<T> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const letter = indexLetter(nameOf(item));
    const list = groups.get(letter);
    if (list) list.push(item);
    else groups.set(letter, [item]);
  }
  const titles = [...groups.keys()].sort((a, b) => (a === '#' ? 1 : b === '#' ? -1 : a.localeCompare(b)));
  return {
    newList: titles.map((title) => ({ title, list: groups.get(title) ?? [] })),
    indexList: titles,
    total: items.length,
  };
}
