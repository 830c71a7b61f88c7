import { describe, expect, it } from 'vitest';
import { ValidationError, type FieldIssue } from '../../src/domain/errors.js';
import { p, readInput, type ParamSpec, type Sources } from '../../src/http/params.js';

/** src/http/params.ts: the seed validator's semantics and zh-cn wording (spec §1.3–1.4). */
const src = (body: unknown, query: unknown = {}, params: unknown = {}): Sources => ({ params, body, query });

function issuesOf(spec: ParamSpec, sources: Sources): FieldIssue[] {
  try {
    readInput(spec, sources);
  } catch (e) {
    if (e instanceof ValidationError) return e.issues;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

/** The one message of the one failing field. */
const errOf = (spec: ParamSpec, body: unknown): string[] | undefined => issuesOf(spec, src(body))[0]?.err;

describe('readInput: required and empty values', () => {
  it('words a missing required value "<desc>不能为空", with the type and no value', () => {
    const spec = {
      username: p.str('账号', { required: true }),
      page: p.int('页码', { required: true }),
      userIds: p.list('用户', { required: true }),
    };
    expect(issuesOf(spec, src({}))).toEqual([
      { key: 'username', desc: '账号', type: 'string', err: ['账号不能为空'] },
      { key: 'page', desc: '页码', type: 'int', err: ['页码不能为空'] },
      { key: 'userIds', desc: '用户', type: 'array', err: ['用户不能为空'] },
    ]);
  });

  it('counts an empty string, null and undefined as not supplied', () => {
    const spec = { a: p.str('甲', { required: true }) };
    for (const a of ['', null, undefined]) expect(errOf(spec, { a })).toEqual(['甲不能为空']);
    const opt = { a: p.str('甲', { min: 3 }), b: p.int('乙', { def: 7 }) };
    expect(readInput(opt, src({ a: '', b: '' }))).toEqual({ a: undefined, b: 7 });
  });

  it('lists every failing field, in declaration order', () => {
    const spec = { a: p.str('甲', { required: true }), b: p.int('乙', { required: true }), c: p.str('丙', { min: 2, max: 3 }) };
    const issues = issuesOf(spec, src({ b: 'x', c: 'long' }));
    expect(issues.map((i) => i.key)).toEqual(['a', 'b', 'c']);
    expect(issues[1]).toEqual({ key: 'b', desc: '乙', type: 'int', value: 'x', err: ['乙 的值 `x` 的类型不是 `int`'] });
    expect(issues[2]).toEqual({ key: 'c', desc: '丙', type: 'string', value: 'long', err: ['丙 的长度 必须 在 2 和 3 之间'] });
  });
});

describe('readInput: string rules', () => {
  it('words a length outside min and max "<desc> 的长度 必须 在 <min> 和 <max> 之间"', () => {
    const spec = { username: p.str('账号', { required: true, min: 4, max: 20 }) };
    expect(errOf(spec, { username: 'abc' })).toEqual(['账号 的长度 必须 在 4 和 20 之间']);
    expect(errOf(spec, { username: 'a'.repeat(21) })).toEqual(['账号 的长度 必须 在 4 和 20 之间']);
    expect(readInput(spec, src({ username: 'abcd' }))).toEqual({ username: 'abcd' });
    expect(readInput(spec, src({ username: 'a'.repeat(20) }))).toEqual({ username: 'a'.repeat(20) });
  });

  it('words a length with only a min against the validator default max of 10000000', () => {
    expect(errOf({ userset: p.str('用户设置', { required: true, min: 2 }) }, { userset: 'x' })).toEqual([
      '用户设置 的长度 必须 在 2 和 10000000 之间',
    ]);
  });

  // The seed's validator (valparams zh-cn locale, maxOpMap '<=' → '小于等于') words an upper bound "小于等于".
  it('words a length with only a max "大于等于 `0` 小于等于 `<max>`", as valparams zh-cn does', () => {
    const spec = { nickname: p.str('我的昵称或者说明', { max: 50 }) };
    expect(issuesOf(spec, src({ nickname: 'n'.repeat(51) }))).toEqual([
      {
        key: 'nickname',
        desc: '我的昵称或者说明',
        type: 'string',
        value: 'n'.repeat(51),
        err: ['我的昵称或者说明 的长度 必须 大于等于 `0` 小于等于 `50`'],
      },
    ]);
    const int = { addGroupSet: p.int('进群设置属性值', { required: true, min: 0, max: 10 }) };
    expect(errOf(int, { addGroupSet: '11' })).toEqual(['进群设置属性值 的数值 必须 大于等于 `0` 小于等于 `10`']);
  });

  it('counts characters, not UTF-16 units', () => {
    const spec = { s: p.str('昵称', { required: true, min: 2, max: 3 }) };
    expect(readInput(spec, src({ s: '😀😀😀' }))).toEqual({ s: '😀😀😀' });
    expect(readInput(spec, src({ s: '中文' }))).toEqual({ s: '中文' });
    expect(errOf(spec, { s: '😀😀😀😀' })).toEqual(['昵称 的长度 必须 在 2 和 3 之间']);
  });

  it('words a value outside `in` "<desc> 的值 `x` 必须在 [`a`、`b`] 中"', () => {
    const spec = { status: p.str('处理状态', { required: true, in: ['pending', 'refuse', 'agree', 'ignore'] }) };
    expect(errOf(spec, { status: 'maybe' })).toEqual(['处理状态 的值 `maybe` 必须在 [`pending`、`refuse`、`agree`、`ignore`] 中']);
    expect(readInput(spec, src({ status: 'agree' }))).toEqual({ status: 'agree' });
  });

  it('words a pattern failure with the declared message', () => {
    const spec = {
      username: p.str('账号', { required: true, min: 4, max: 20, pattern: { re: /^\w+$/, message: '账号 只能包含字母、数字和下划线' } }),
    };
    expect(errOf(spec, { username: 'ab-cd' })).toEqual(['账号 只能包含字母、数字和下划线']);
  });

  it('turns numbers, booleans and objects into text', () => {
    const spec = { a: p.str('甲'), b: p.str('乙'), c: p.str('丙') };
    expect(readInput(spec, src({ a: 123, b: true, c: { x: [1] } }))).toEqual({ a: '123', b: 'true', c: '{"x":[1]}' });
  });
});

describe('readInput: int rules', () => {
  it('words a non-integer "<desc> 的值 `x` 的类型不是 `int`"', () => {
    const spec = { page: p.int('页码', { required: true, min: 1 }) };
    for (const bad of ['abc', '1.5', '1e3', ' 1', '0x10']) {
      expect(issuesOf(spec, src({ page: bad }))).toEqual([
        { key: 'page', desc: '页码', type: 'int', value: bad, err: [`页码 的值 \`${bad}\` 的类型不是 \`int\``] },
      ]);
    }
    expect(issuesOf(spec, src({ page: 1.5 }))).toEqual([
      { key: 'page', desc: '页码', type: 'int', value: 1.5, err: ['页码 的值 `1.5` 的类型不是 `int`'] },
    ]);
  });

  it('words a value outside min and max "<desc> 的数值 必须 在 <min> 和 <max> 之间"', () => {
    const spec = { n: p.int('数量', { required: true, min: 1, max: 10 }) };
    expect(errOf(spec, { n: '0' })).toEqual(['数量 的数值 必须 在 1 和 10 之间']);
    expect(errOf(spec, { n: 11 })).toEqual(['数量 的数值 必须 在 1 和 10 之间']);
    expect(readInput(spec, src({ n: '10' }))).toEqual({ n: 10 });
  });

  it('bounds ints by 10^16 when no max is declared, and stores values past 32 bits as 2^31-1', () => {
    const spec = { page: p.int('页码', { required: true, min: 1 }) };
    // the seed's validator bounds an int by 10^16 unless told otherwise, and says so
    expect(errOf(spec, { page: '0' })).toEqual(['页码 的数值 必须 在 1 和 10000000000000000 之间']);
    expect(errOf(spec, { page: '20000000000000000' })).toEqual(['页码 的数值 必须 在 1 和 10000000000000000 之间']);
    expect(readInput(spec, src({ page: '2147483647' }))).toEqual({ page: 2147483647 });
    // beyond a stored 32-bit id, but accepted as the original accepts it: taken as 2^31-1, which matches no row
    expect(readInput(spec, src({ page: '2147483648' }))).toEqual({ page: 2147483647 });
    expect(readInput(spec, src({ page: '10000000000000000' }))).toEqual({ page: 2147483647 });
  });

  it('converts text to numbers, with a sign', () => {
    const spec = { a: p.int('甲'), b: p.int('乙'), c: p.int('丙') };
    expect(readInput(spec, src({ a: '42', b: '+7', c: -3 }))).toEqual({ a: 42, b: 7, c: -3 });
  });

  it('words a value outside `in` for ints', () => {
    const spec = { friendlookme: p.int('朋友是否可以看我的动态', { required: true, in: [0, 1] }) };
    expect(errOf(spec, { friendlookme: '2' })).toEqual(['朋友是否可以看我的动态 的值 `2` 必须在 [`0`、`1`] 中']);
    expect(readInput(spec, src({ friendlookme: '1' }))).toEqual({ friendlookme: 1 });
  });
});

describe('readInput: defaults, sources and lists', () => {
  it('silently uses the default of an optional field that fails its rules', () => {
    const spec = { limit: p.int('每页多少条', { def: 10 }), nickname: p.str('我的昵称或者说明', { def: '', min: 1, max: 50 }) };
    expect(readInput(spec, src({ limit: 'abc', nickname: 'n'.repeat(51) }))).toEqual({ limit: 10, nickname: '' });
    expect(readInput(spec, src({}))).toEqual({ limit: 10, nickname: '' });
    expect(readInput(spec, src({ limit: '5', nickname: 'hi' }))).toEqual({ limit: 5, nickname: 'hi' });
  });

  it('reports an optional field without a default that fails its rules', () => {
    const spec = { nickname: p.str('群昵称', { min: 1, max: 2 }) };
    expect(errOf(spec, { nickname: 'abc' })).toEqual(['群昵称 的长度 必须 在 1 和 2 之间']);
    expect(readInput(spec, src({}))).toEqual({ nickname: undefined });
  });

  it('looks in the path, then the body, then the query', () => {
    const spec = { id: p.int('群id', { required: true }) };
    expect(readInput(spec, src({ id: '2' }, { id: '3' }, { id: '1' }))).toEqual({ id: 1 });
    expect(readInput(spec, src({ id: '2' }, { id: '3' }, {}))).toEqual({ id: 2 });
    expect(readInput(spec, src({}, { id: '3' }, {}))).toEqual({ id: 3 });
    expect(readInput(spec, src({ id: '' }, { id: '3' }, { id: '' }))).toEqual({ id: 3 });
    expect(readInput(spec, src(undefined, { id: '3' }, undefined))).toEqual({ id: 3 });
    expect(readInput(spec, src('a string body', { id: '3' }))).toEqual({ id: 3 });
  });

  it('returns only the declared keys', () => {
    expect(readInput({ a: p.str('甲') }, src({ a: 'x', token: 't', b: 'y' }))).toEqual({ a: 'x' });
  });

  it('reads lists from JSON arrays, JSON text and comma-separated text', () => {
    const spec = { userIds: p.list('用户', { required: true }) };
    expect(readInput(spec, src({ userIds: [1, 2] }))).toEqual({ userIds: ['1', '2'] });
    expect(readInput(spec, src({ userIds: '[1,2]' }))).toEqual({ userIds: ['1', '2'] });
    expect(readInput(spec, src({ userIds: '1,2' }))).toEqual({ userIds: ['1', '2'] });
    expect(readInput(spec, src({ userIds: ' 1 , 2 ,, 3 ' }))).toEqual({ userIds: ['1', '2', '3'] });
    expect(readInput(spec, src({ userIds: '7' }))).toEqual({ userIds: ['7'] });
    expect(readInput(spec, src({ userIds: 7 }))).toEqual({ userIds: ['7'] });
    expect(readInput(spec, src({ userIds: ['a', ' b '] }))).toEqual({ userIds: ['a', 'b'] });
    expect(readInput(spec, src({ userIds: '[1,2' }))).toEqual({ userIds: ['[1', '2'] });
    expect(readInput({ l: p.list('列表', { def: [] }) }, src({}))).toEqual({ l: [] });
  });
});
