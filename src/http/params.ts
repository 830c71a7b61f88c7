import { Type, type TSchema } from 'typebox';
import { NUMBER_MAX, type ParamSpec, type Rule } from '../domain/params.js';

/**
 * Request parameters (domain/params.ts: the seed's rules and messages, shared with the WebSocket
 * send path) and the OpenAPI schemas their declarations produce.
 */
export { p, readInput, type Input, type Param, type ParamSpec, type Sources } from '../domain/params.js';

// ---- documentation ----

function schemaOf(r: Rule): TSchema {
  const description = r.doc ? `${r.desc}. ${r.doc}` : r.desc;
  const base = { description, ...(r.def !== undefined ? { default: r.def } : {}) };
  if (r.kind === 'number')
    return Type.Number({ ...base, ...(r.min !== undefined ? { minimum: r.min } : {}), ...(r.max !== undefined ? { maximum: r.max } : {}) });
  if (r.kind === 'int') {
    return r.in
      ? Type.Integer({ ...base, enum: [...r.in] })
      : Type.Integer({ ...base, minimum: r.min ?? -NUMBER_MAX, maximum: r.max ?? NUMBER_MAX });
  }
  if (r.kind === 'array') {
    return Type.Union([Type.Array(Type.Union([Type.String(), Type.Integer()])), Type.String()], base);
  }
  if (r.in) return Type.String({ ...base, enum: [...r.in] });
  return Type.String({ ...base, minLength: r.min ?? 0, ...(r.max !== undefined ? { maxLength: r.max } : {}) });
}

/** OpenAPI schemas for a parameter set: path fields as `params`, the rest as body or query. */
export function docSchemas(spec: ParamSpec, method: string): { params?: TSchema; body?: TSchema; querystring?: TSchema } {
  const path: Record<string, TSchema> = {};
  const rest: Record<string, TSchema> = {};
  for (const [key, { rule: r }] of Object.entries(spec)) {
    const s = schemaOf(r);
    if (r.path) path[key] = s;
    else rest[key] = r.required ? s : Type.Optional(s);
  }
  const out: { params?: TSchema; body?: TSchema; querystring?: TSchema } = {};
  if (Object.keys(path).length > 0) out.params = Type.Object(path);
  if (Object.keys(rest).length > 0) {
    if (method === 'GET') out.querystring = Type.Object(rest);
    else out.body = Type.Object(rest);
  }
  return out;
}
