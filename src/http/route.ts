import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static, TSchema } from 'typebox';
import type { AuthService } from '../services/auth.js';
import { authenticate, type Caller } from './auth.js';
import { docSchemas, readInput, type Input, type ParamSpec } from './params.js';
import { Envelope, failResponses } from './schemas/common.js';

interface Base<S extends ParamSpec> {
  method: 'GET' | 'POST';
  url: string;
  summary: string;
  description?: string;
  tags: string[];
  params: S;
  /** Schema of `data` in the success envelope; it is also the output whitelist. */
  data: TSchema;
  /** Checks that come before parameter validation (e.g. a required header). */
  pre?: (req: FastifyRequest) => void;
}

interface AuthedRoute<S extends ParamSpec, D extends TSchema> extends Base<S> {
  auth: 'token';
  data: D;
  handler: (input: Input<S>, caller: Caller, req: FastifyRequest) => Promise<Static<D>>;
}

interface PublicRoute<S extends ParamSpec, D extends TSchema> extends Base<S> {
  auth: 'public';
  data: D;
  handler: (input: Input<S>, caller: undefined, req: FastifyRequest) => Promise<Static<D>>;
}

export type RouteDef<S extends ParamSpec, D extends TSchema> = AuthedRoute<S, D> | PublicRoute<S, D>;

/**
 * Registers a JSON route: authenticate (when `auth: 'token'`), then read and validate the
 * parameters, call the handler, answer `{"msg":"ok","data":…}`. Errors thrown anywhere reach the
 * one error handler; no route sets a status by hand.
 */
export function addRoute<S extends ParamSpec, D extends TSchema>(
  app: FastifyInstance,
  auth: AuthService,
  def: RouteDef<S, D>,
): void {
  app.route({
    method: def.method,
    url: def.url,
    schema: {
      summary: def.summary,
      ...(def.description ? { description: def.description } : {}),
      tags: def.tags,
      ...(def.auth === 'token' ? { security: [{ token: [] }, { bearer: [] }] } : {}),
      ...(def.method === 'POST' ? { consumes: ['application/json', 'application/x-www-form-urlencoded'] } : {}),
      ...docSchemas(def.params, def.method),
      response: { 200: Envelope(def.data), ...failResponses },
    },
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      const caller = def.auth === 'token' ? await authenticate(auth, req) : undefined;
      def.pre?.(req);
      const input = readInput(def.params, { params: req.params, body: req.body, query: req.query });
      const data = await (def.handler as (i: Input<S>, c: Caller | undefined, r: FastifyRequest) => Promise<Static<D>>)(
        input,
        caller,
        req,
      );
      return reply.send({ msg: 'ok', data });
    },
  });
}
