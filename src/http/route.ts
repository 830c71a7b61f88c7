import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from 'typebox';
import type { AuthService } from '../services/auth.js';
import { authenticate, type Caller } from './auth.js';
import { docSchemas, readInput, type Input, type ParamSpec } from './params.js';
import { Envelope, failResponses } from './schemas/common.js';

export type Access = 'token' | 'public';

/** The caller a handler is given: the authenticated user on token routes, nothing on public ones. */
type CallerOf<A extends Access> = A extends 'token' ? Caller : undefined;

/** `reply` is there for response headers only: the answer is what the handler returns (or throws). */
type Handler<S extends ParamSpec, A extends Access, R> = (
  input: Input<S>,
  caller: CallerOf<A>,
  req: FastifyRequest,
  reply: FastifyReply,
) => Promise<R>;

/** What every route says about itself; `tags` and `auth` default to its file's (see `routes`). */
interface Common<S extends ParamSpec, A extends Access> {
  summary: string;
  description?: string;
  tags?: string[];
  auth?: A;
  params: S;
  /** Checks that come before parameter validation (e.g. a required header). */
  pre?: (req: FastifyRequest) => void;
  /**
   * The body is multipart (uploads), documented with these fields; the parameters are then read
   * from the path and the query string only, and the handler reads the parts from `req`.
   */
  multipart?: Record<string, TSchema>;
  /** Other answers than 200 and the usual failures (e.g. 503), for the documentation. */
  responses?: Record<number, TSchema>;
}

/**
 * How a route answers: `data` with a schema (`{"msg":"ok","data":…}`, the schema also being the
 * output whitelist), `ok` (`data` is "ok"), `text` (`data` is a text), or `file` (the bytes
 * themselves, with a content type: images, the metrics page).
 */
export type RouteDef<S extends ParamSpec, D extends TSchema, A extends Access> = Common<S, A> &
  (
    | { data: D; handler: Handler<S, A, Static<D>> }
    | { ok: Handler<S, A, void> }
    | { text: Handler<S, A, string> }
    | { file: FileAnswer; send: Handler<S, A, Buffer | string> }
  );

/** A `file` route's answer: its content type, what it is, and headers it is sent with. */
interface FileAnswer {
  type: string | ((req: FastifyRequest) => string);
  description: string;
  headers?: Record<string, string>;
}

const SECURITY: Record<string, string[]>[] = [{ token: [] }, { bearer: [] }];

function dataSchema(def: RouteDef<ParamSpec, TSchema, Access>): TSchema | undefined {
  if ('data' in def) return def.data;
  if ('ok' in def) return Type.Literal('ok');
  if ('text' in def) return Type.String();
  return undefined;
}

/** A file answer in the documentation (its failures stay JSON). */
function fileResponse(file: FileAnswer) {
  const type = typeof file.type === 'string' ? file.type : 'application/octet-stream';
  return { description: file.description, content: { [type]: { schema: Type.String({ format: 'binary' }) } } };
}

type Method = 'GET' | 'POST';

function schemaOf(method: Method, def: RouteDef<ParamSpec, TSchema, Access>, tags: string[], auth: Access) {
  const data = dataSchema(def);
  const params = docSchemas(def.params, def.multipart ? 'GET' : method);
  return {
    summary: def.summary,
    ...(def.description ? { description: def.description } : {}),
    tags,
    ...(auth === 'token' ? { security: SECURITY } : {}),
    ...(def.multipart
      ? { consumes: ['multipart/form-data'], body: Type.Object(def.multipart) }
      : method === 'POST'
        ? { consumes: ['application/json', 'application/x-www-form-urlencoded'] }
        : {}),
    ...params,
    response: {
      200: data ? Envelope(data) : fileResponse((def as { file: FileAnswer }).file),
      // A public route without parameters has no usual failure (only its own `responses`).
      ...(auth === 'token' || Object.keys(def.params).length > 0 ? failResponses : {}),
      ...def.responses,
    },
  };
}

/**
 * Registers one route: authenticate (token routes), run `pre`, read and validate the parameters
 * (http/params.ts), call the handler, answer in the envelope (or with the file). Errors thrown
 * anywhere reach the one error handler; no route sets a status by hand.
 */
function register<S extends ParamSpec, D extends TSchema, A extends Access>(
  app: FastifyInstance,
  authService: AuthService,
  defaults: { tags: string[]; auth: A },
  method: Method,
  url: string,
  def: RouteDef<S, D, A>,
): void {
  const auth = def.auth ?? defaults.auth;
  const tags = def.tags ?? defaults.tags;
  const any = def as unknown as RouteDef<ParamSpec, TSchema, Access>;
  app.route({
    method,
    url,
    schema: schemaOf(method, any, tags, auth),
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      const caller = (auth === 'token' ? await authenticate(authService, req) : undefined) as CallerOf<A>;
      def.pre?.(req);
      const body = def.multipart ? undefined : req.body;
      const input = readInput(def.params, { params: req.params, body, query: req.query });
      if ('file' in def) {
        const type = typeof def.file.type === 'string' ? def.file.type : def.file.type(req);
        const bytes = await def.send(input, caller, req, reply);
        return reply
          .type(type)
          .headers(def.file.headers ?? {})
          .send(bytes);
      }
      if ('ok' in def) {
        await def.ok(input, caller, req, reply);
        return reply.send({ msg: 'ok', data: 'ok' });
      }
      const data = 'text' in def ? await def.text(input, caller, req, reply) : await def.handler(input, caller, req, reply);
      return reply.send({ msg: 'ok', data });
    },
  });
}

/**
 * The routes of one file, with its defaults (`tags`, `auth`) stated once:
 * `const route = routes(app, d.auth, { tags: ['friends'], auth: 'token' }); route.post('/api/…', { … });`
 */
export function routes<A extends Access>(app: FastifyInstance, authService: AuthService, defaults: { tags: string[]; auth: A }) {
  const on =
    (method: Method) =>
    <S extends ParamSpec, D extends TSchema = TSchema>(url: string, def: RouteDef<S, D, A>): void =>
      register(app, authService, defaults, method, url, def);
  return { get: on('GET'), post: on('POST') };
}
