import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';

/** The page may load its own scripts and styles only; pictures, media and sockets may come from anywhere (uploads on S3, avatars). */
export const WEB_CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob: http: https:",
  "media-src 'self' blob: http: https:",
  "connect-src 'self' ws: wss: http: https:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CACHE = {
  /** index.html names the current hashed assets: always revalidated. */
  page: 'no-cache',
  /** assets/ names change with their content. */
  hashed: 'public, max-age=31536000, immutable',
  /** Other files at the root (favicon.svg) keep their names across builds. */
  other: 'public, max-age=3600',
};

/** Top-level names the server answers itself: a file of the build by one of these names is not served. */
const RESERVED = ['api', 'public', 'ws', 'docs', 'openapi.json', 'healthz', 'readyz', 'metrics', 'assets'];

function secure(reply: FastifyReply, cacheControl: string): void {
  void reply.header('cache-control', cacheControl);
  void reply.header('content-security-policy', WEB_CSP);
  void reply.header('x-content-type-options', 'nosniff');
  void reply.header('referrer-policy', 'no-referrer');
}

const common = { decorateReply: false, dotfiles: 'deny', list: false, serveDotFiles: false } as const;

/**
 * Serves the built web client in `root` (GET and HEAD): `/` is index.html, `/assets/*` the hashed
 * files, other files of the build by their names. Routes are made for the files present at start
 * (assets/ excepted), so nothing else is shadowed and unknown paths keep the 404 envelope. Without
 * `root/index.html` nothing is served and one line says how to build the client.
 */
export async function web(app: FastifyInstance, root: string): Promise<void> {
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    app.log.info({ root }, 'the web client is not built, so / answers 404: run `npm run build:web` (or `npm run build`) and restart');
    return;
  }
  await app.register(fastifyStatic, {
    ...common,
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    globIgnore: RESERVED.flatMap((name) => [name, `${name}/**`]),
    setHeaders: (reply, file) => secure(reply, path.basename(file) === 'index.html' ? CACHE.page : CACHE.other),
  });
  const assets = path.join(root, 'assets');
  if (!fs.existsSync(assets)) return;
  await app.register(fastifyStatic, {
    ...common,
    root: assets,
    prefix: '/assets/',
    index: false,
    setHeaders: (reply) => secure(reply, CACHE.hashed),
  });
}
