import { describe, expect, it } from 'vitest';
import { groupByInitial, indexLetter } from '../../src/domain/contacts.js';

/**
 * Contact-list grouping (spec §8.8), as the original's `sort-word` groups: the initial of the
 * display name, `#` for anything else, `#` last, `total` the number of groups.
 */
describe('indexLetter', () => {
  it('files Latin letters under their upper-case letter, whatever the case', () => {
    for (const [name, letter] of [
      ['alice', 'A'],
      ['Alice', 'A'],
      ['bob', 'B'],
      ['BOB', 'B'],
      ['w', 'W'],
      ['z', 'Z'],
      ['Zed', 'Z'],
      ['i', 'I'],
      ['u', 'U'],
      ['v', 'V'],
    ]) {
      expect(indexLetter(name as string), name).toBe(letter);
    }
  });

  it('files Chinese characters under the initial of their pinyin', () => {
    const cases: [string, string][] = [
      ['张三', 'Z'],
      ['阿莉', 'A'],
      ['李四', 'L'],
      ['陈', 'C'],
      ['欧阳', 'O'],
      ['吕', 'L'],
      ['女', 'N'],
      ['王五', 'W'],
    ];
    for (const [name, letter] of cases) expect(indexLetter(name), name).toBe(letter);
  });

  it('files a character read several ways under the first letter whose table holds it, as the original', () => {
    for (const [name, letter] of [
      ['重庆', 'C'],
      ['乐乐', 'Y'],
      ['石头', 'D'],
      ['长江', 'C'],
      ['行者', 'H'],
    ] as const)
      expect(indexLetter(name), name).toBe(letter);
  });

  it('looks at the first character only', () => {
    expect(indexLetter('a张')).toBe('A');
    expect(indexLetter('张a')).toBe('Z');
    expect(indexLetter('1张三')).toBe('#');
  });

  it('files empty and blank names under #', () => {
    for (const name of ['', ' ', '   ', '\t', '\n', '\u3000']) expect(indexLetter(name), JSON.stringify(name)).toBe('#');
  });

  it('reads the very first character, whitespace included (as the original)', () => {
    for (const name of ['  张三', '\t\nbob', '\u3000张', '\u00a0b']) expect(indexLetter(name), JSON.stringify(name)).toBe('#');
  });

  it('files digits, underscores and non-Latin scripts under #', () => {
    for (const name of ['1abc', '0', '9z', '_x', 'é', 'É', 'ß', 'α', 'Ω', '행', 'あ', 'Ａ']) expect(indexLetter(name), name).toBe('#');
  });

  it('files emoji and other surrogate pairs under # without splitting them', () => {
    for (const name of ['😀', '😀x', '👨‍👩‍👧 family', '𠀀', '\uD83D', '\uDE00a', '\uD83Dabc'])
      expect(indexLetter(name), JSON.stringify(name)).toBe('#');
  });

  it('treats regex metacharacters as plain characters (the seed threw on some of them)', () => {
    for (const name of ['(', '(a', ')', '[', '[abc', ']', '*', '\\', '\\a', '.x', '^', '$', '?', '+', '|', '{', '}', '/', '-']) {
      expect(() => indexLetter(name), name).not.toThrow();
      expect(indexLetter(name), name).toBe('#');
    }
  });
});

describe('groupByInitial', () => {
  interface C {
    id: number;
    name: string;
  }
  const items = (names: string[]): C[] => names.map((name, i) => ({ id: i + 1, name }));
  const byName = (c: C) => c.name;

  it('groups by letter, orders the groups A–Z and puts # last', () => {
    const list = items(['张三', 'bob', '(x)', 'Alice', '阿莉', '1st', 'Zoe', '😀', 'carl']);
    const out = groupByInitial(list, byName);
    expect(out.indexList).toEqual(['A', 'B', 'C', 'Z', '#']);
    expect(out.newList.map((g) => g.title)).toEqual(out.indexList);
    expect(out.newList.map((g) => g.list.map((c) => c.name))).toEqual([
      ['Alice', '阿莉'],
      ['bob'],
      ['carl'],
      ['张三', 'Zoe'],
      ['(x)', '1st', '😀'],
    ]);
    // as the original: the number of groups
    expect(out.total).toBe(5);
  });

  it('keeps the input order inside a group and passes the items through untouched', () => {
    const list = items(['b3', 'B1', 'b2', '白']);
    const out = groupByInitial(list, byName);
    expect(out.newList).toEqual([{ title: 'B', list }]);
    expect(out.newList[0]?.list[0]).toBe(list[0]);
  });

  it('lower and upper case land in the same group', () => {
    const out = groupByInitial(items(['alpha', 'ALPHA', 'Alpha']), byName);
    expect(out.indexList).toEqual(['A']);
    expect(out.newList[0]?.list).toHaveLength(3);
  });

  it('puts only-# lists under #, and blank names too', () => {
    const out = groupByInitial(items(['', ' ', '*', '\\', '[']), byName);
    expect(out).toEqual({ newList: [{ title: '#', list: items(['', ' ', '*', '\\', '[']) }], indexList: ['#'], total: 1 });
  });

  it('answers empty groups for no items', () => {
    expect(groupByInitial([], byName)).toEqual({ newList: [], indexList: [], total: 0 });
  });

  it('uses the name function it is given', () => {
    const out = groupByInitial(
      [
        { remark: '', nick: 'zed' },
        { remark: 'amy', nick: 'zed' },
      ],
      (c) => c.remark || c.nick,
    );
    expect(out.indexList).toEqual(['A', 'Z']);
  });

  it('does not fail on any single BMP character', () => {
    const all: string[] = [];
    for (let cp = 0; cp < 0x10000; cp += 7) all.push(String.fromCharCode(cp));
    const out = groupByInitial(all, (s) => s);
    expect(out.total).toBe(out.indexList.length);
    expect(out.indexList.at(-1)).toBe('#');
    for (const t of out.indexList) expect(t).toMatch(/^[A-Z#]$/);
    expect(out.newList.reduce((n, g) => n + g.list.length, 0)).toBe(all.length);
  });
});
