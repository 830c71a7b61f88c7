import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { failure } from '../../domain/failures.js';

/** Accepts JSON as the seed did: an empty body is `{}`, malformed JSON a 400 in the envelope. */
function lenientJson(app: FastifyInstance): void {
  const strict = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, {});
    strict(req, String(body), (err, value) => (err ? done(failure('badRequest')) : done(null, value)));
  });
}

/** What a request may carry and from where: CORS, JSON, forms, one uploaded file. */
export async function bodies(
  app: FastifyInstance,
  o: { corsOrigins: '*' | string[]; bodyLimit: number; uploadMaxBytes: number },
): Promise<void> {
  lenientJson(app);
  // The original ran egg-cors with origin '*': its H5 client calls the API from another origin.
  await app.register(cors, {
    origin: o.corsOrigins === '*' ? '*' : o.corsOrigins,
    methods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH'],
    credentials: false,
    maxAge: 86_400,
  });
  await app.register(formbody, { bodyLimit: o.bodyLimit });
  await app.register(multipart, {
    // One byte more than allowed reaches the file store, which then refuses the file whole.
    limits: { fileSize: o.uploadMaxBytes + 1, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 30, headerPairs: 200 },
  });
}
