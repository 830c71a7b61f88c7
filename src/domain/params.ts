import { ValidationError, type FieldIssue } from './errors.js';
import { failure, type FailureKey } from './failures.js';

/**
 * Request parameters with the semantics clients of the seed API rely on (spec §1.3–1.4):
 * a value may come from the path, the body or the query string; an empty string counts as
 * absent; values are checked as text and then converted; an optional field that fails its
 * rules but has a default silently takes the default; every failing field is collected, worded
 * as the seed's validator words them, and the answer (422) carries the first one's message.
 *
 * The same declarations produce the TypeBox schemas that document each route in OpenAPI
 * (http/params.ts), and check the fields of WebSocket send frames (realtime/client-sends.ts).
 */
type Kind = 'string' | 'int' | 'number' | 'array';

export interface Rule {
  kind: Kind;
  desc: string;
  required: boolean;
  def: unknown;
  min: number | undefined;
  max: number | undefined;
  in: readonly (string | number)[] | undefined;
  pattern: { re: RegExp; message: string } | undefined;
  clamp: boolean;
  path: boolean;
  doc: string | undefined;
  invalid: FailureKey | undefined;
}

/** A declared parameter; T is its converted type, R whether it always has a value. */
export interface Param<T, R extends boolean> {
  rule: Rule;
  readonly _t?: T;
  readonly _r?: R;
}

interface Common<D> {
  required?: boolean;
  def?: D;
  /** Declared in the path (documentation only: values are looked up everywhere). */
  path?: boolean;
  /** Extra text for the API documentation. */
  doc?: string;
  /**
   * For the few routes the original checked by hand: a missing or failing value answers this
   * failure (400 with its text) instead of the validator's 422.
   */
  invalid?: FailureKey;
}
interface StrOpts extends Common<string> {
  min?: number;
  max?: number;
  in?: readonly string[];
  pattern?: { re: RegExp; message: string };
}
interface IntOpts extends Common<number> {
  min?: number;
  max?: number;
  in?: readonly number[];
  /** Values above `max` become `max` instead of failing (page sizes). */
  clamp?: boolean;
}

type Present<O> = O extends { required: true } ? true : O extends { def: unknown } ? true : false;

/**
 * The seed's validator bounds an int without a declared range by ±10^16 (and says so in its
 * message). Ids and counts are stored as 32-bit integers: a value that passes but lies beyond
 * them is taken as ±2^31−1, which matches no row, so it meets the same "not found" answer the
 * original gives instead of an SQL overflow.
 */
export const NUMBER_MAX = 10_000_000_000_000_000;
const INT_MAX = 2_147_483_647;
const STRING_MAX = 10_000_000;

function rule(kind: Kind, desc: string, o: StrOpts | IntOpts | Common<unknown>): Rule {
  const r = o as StrOpts & IntOpts;
  return {
    kind,
    desc,
    required: r.required ?? false,
    def: r.def,
    min: r.min,
    max: r.max,
    in: r.in,
    pattern: r.pattern,
    clamp: r.clamp ?? false,
    path: r.path ?? false,
    doc: r.doc,
    invalid: r.invalid,
  };
}

export const p = {
  str<O extends StrOpts>(desc: string, o: O = {} as O): Param<string, Present<O>> {
    return { rule: rule('string', desc, o) };
  },
  int<O extends IntOpts>(desc: string, o: O = {} as O): Param<number, Present<O>> {
    return { rule: rule('int', desc, o) };
  },
  /** One of `values` (compared as sent); the converted type is narrowed to them. */
  enum<const V extends readonly string[], O extends Common<V[number]>>(
    desc: string,
    values: V,
    o: O = {} as O,
  ): Param<V[number], Present<O>> {
    return { rule: rule('string', desc, { ...o, in: values }) };
  },
  /** The id of a row: a required int of at least 1. */
  id(desc: string, o: { path?: boolean; doc?: string } = {}): Param<number, true> {
    return { rule: rule('int', desc, { required: true, min: 1, ...o }) };
  },
  /** A decimal number (not bounded to 32 bits). */
  num<O extends Omit<IntOpts, 'clamp'>>(desc: string, o: O = {} as O): Param<number, Present<O>> {
    return { rule: rule('number', desc, o) };
  },
  /** A list: a JSON array or comma-separated text; items come out as trimmed strings. */
  list<O extends Common<string[]>>(desc: string, o: O = {} as O): Param<string[], Present<O>> {
    return { rule: rule('array', desc, o) };
  },
};

export type ParamSpec = Record<string, Param<unknown, boolean>>;

export type Input<S extends ParamSpec> = {
  [K in keyof S]: S[K] extends Param<infer T, infer R> ? (R extends true ? T : T | undefined) : never;
};

// ---- messages (the zh-cn wording of the seed's validator) ----

const tick = (v: unknown): string => `\`${String(v)}\``;

function rangeMessage(desc: string, what: '长度' | '数值', min: number, max: number): string {
  if (min && max) return `${desc} 的${what} 必须 在 ${min} 和 ${max} 之间`;
  return `${desc} 的${what} 必须 大于等于 ${tick(min)}${min && max ? ' 并且 ' : ' '}小于等于 ${tick(max)}`;
}

const typeMessage = (desc: string, text: string, type: string): string => `${desc} 的值 ${tick(text)} 的类型不是 ${tick(type)}`;

const inMessage = (desc: string, text: string, values: readonly (string | number)[]): string =>
  `${desc} 的值 ${tick(text)} 必须在 [${values.map(tick).join('、')}] 中`;

// ---- checking ----

type Outcome = { ok: true; value: unknown } | { ok: false; err: string[] };

const textOf = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

function checkString(r: Rule, text: string): Outcome {
  // NUL cannot be stored (PostgreSQL refuses it) and has no use in any parameter.
  if (text.includes('\u0000')) return { ok: false, err: [`${r.desc} 的值包含非法字符`] };
  const min = r.min ?? 0;
  const max = r.max ?? STRING_MAX;
  const len = [...text].length;
  if (len < min || len > max) return { ok: false, err: [rangeMessage(r.desc, '长度', min, max)] };
  if (r.in && !r.in.includes(text)) return { ok: false, err: [inMessage(r.desc, text, r.in)] };
  if (r.pattern && !r.pattern.re.test(text)) return { ok: false, err: [r.pattern.message] };
  return { ok: true, value: text };
}

function checkInt(r: Rule, text: string): Outcome {
  if (!/^[-+]?\d+$/.test(text)) return { ok: false, err: [typeMessage(r.desc, text, 'int')] };
  const min = r.min ?? -NUMBER_MAX;
  const max = r.max ?? NUMBER_MAX;
  const n = r.clamp && Number(text) > max ? max : Number(text);
  if (n < min || n > max) return { ok: false, err: [rangeMessage(r.desc, '数值', min, max)] };
  if (r.in && !r.in.includes(n)) return { ok: false, err: [inMessage(r.desc, text, r.in)] };
  const stored = r.max === undefined && n > INT_MAX ? INT_MAX : r.min === undefined && n < -INT_MAX ? -INT_MAX : n;
  return { ok: true, value: stored };
}

function checkNumber(r: Rule, text: string): Outcome {
  const n = Number(text);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) || !Number.isFinite(n))
    return { ok: false, err: [typeMessage(r.desc, text, 'number')] };
  const min = r.min ?? -Number.MAX_VALUE;
  const max = r.max ?? Number.MAX_VALUE;
  if (n < min || n > max) return { ok: false, err: [rangeMessage(r.desc, '数值', min, max)] };
  return { ok: true, value: n };
}

function checkList(raw: unknown, text: string): Outcome {
  let items: unknown[] | undefined = Array.isArray(raw) ? raw : undefined;
  if (!items && text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) items = parsed;
    } catch {
      // not JSON: comma-separated text
    }
  }
  const list = (items ?? text.split(',')).map((i) => textOf(i).trim()).filter((i) => i !== '');
  return { ok: true, value: list };
}

function check(r: Rule, raw: unknown): Outcome {
  const text = textOf(raw);
  if (r.kind === 'int') return checkInt(r, text);
  if (r.kind === 'number') return checkNumber(r, text);
  if (r.kind === 'array') return checkList(raw, text);
  return checkString(r, text);
}

export interface Sources {
  params: unknown;
  body: unknown;
  query: unknown;
}

function lookup(sources: Sources, key: string): unknown {
  for (const src of [sources.params, sources.body, sources.query]) {
    if (src && typeof src === 'object' && Object.prototype.hasOwnProperty.call(src, key)) {
      const v = (src as Record<string, unknown>)[key];
      if (v !== undefined && v !== null && v !== '') return v;
    }
  }
  return undefined;
}

/** Validates and converts every declared parameter; throws ValidationError listing every failure. */
export function readInput<S extends ParamSpec>(spec: S, sources: Sources): Input<S> {
  const out: Record<string, unknown> = {};
  const issues: FieldIssue[] = [];
  for (const [key, { rule: r }] of Object.entries(spec)) {
    const raw = lookup(sources, key);
    const type = r.kind;
    if (raw === undefined) {
      if (!r.required) out[key] = r.def;
      else if (r.invalid !== undefined && issues.length === 0) throw failure(r.invalid);
      else issues.push({ key, desc: r.desc, type, err: [`${r.desc}不能为空`] });
      continue;
    }
    const res = check(r, raw);
    if (res.ok) out[key] = res.value;
    else if (r.invalid !== undefined && issues.length === 0) throw failure(r.invalid);
    else if (r.def !== undefined) out[key] = r.def;
    else issues.push({ key, desc: r.desc, type, value: raw, err: res.err });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return out as Input<S>;
}
