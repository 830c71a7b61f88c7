import { createRequire } from 'node:module';

/**
 * Contact-list grouping (spec §8.8), as the original groups it with the `sort-word` package: the
 * first character of the display name is looked up in that package's tables, one per letter
 * A–Z (Latin letters and the Chinese characters read with that initial, a character read
 * several ways sits under the first letter whose table holds it); anything else goes under `#`,
 * which comes last. Items keep their order inside a group; `total` counts the groups.
 *
 * Unlike the package, the character is looked up as itself: the package turned it into a regular
 * expression, so that `(` failed with a 500 and `.` or `$` went under A (spec §11.15).
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

/** Letter → every character filed under it (the package's data, ISC licence). */
const TABLES = Object.entries(createRequire(import.meta.url)('sort-word/base.js') as Record<string, string>);

export function indexLetter(name: string): string {
  // The package reads one UTF-16 unit: a character outside the BMP is in no table either way.
  const first = name.slice(0, 1);
  if (first === '') return '#';
  for (const [letter, chars] of TABLES) if (chars.includes(first)) return letter;
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
  const titles = [...groups.keys()].sort((a, b) => (a === '#' ? 1 : b === '#' ? -1 : a < b ? -1 : a > b ? 1 : 0));
  return {
    newList: titles.map((title) => ({ title, list: groups.get(title) ?? [] })),
    indexList: titles,
    total: titles.length,
  };
}
