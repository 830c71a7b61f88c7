import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { fileURLToPath } from 'node:url';

/** Extensions of uploaded images, audio and video, shown inline; anything else is sent as an attachment. */
const INLINE_MEDIA = /\.(png|jpe?g|gif|webp|bmp|ico|mp3|m4a|aac|wav|ogg|oga|amr|flac|mp4|m4v|mov|webm|3gp|mkv|avi)$/i;

/** Serves the uploads folder at /public/uploads/. */
export async function uploads(app: FastifyInstance, root: string): Promise<void> {
  await app.register(fastifyStatic, {
    root,
    prefix: '/public/uploads/',
    dotfiles: 'deny',
    index: false,
    list: false,
    immutable: true,
    maxAge: '30d',
    // Uploads are the users' bytes on the API's origin: never run as a page, and only media
    // shown inline (a PDF with scripts or a polyglot file is downloaded, not opened).
    setHeaders: (reply, filePath) => {
      void reply.header('x-content-type-options', 'nosniff');
      void reply.header('content-security-policy', "default-src 'none'; sandbox");
      if (!INLINE_MEDIA.test(filePath)) void reply.header('content-disposition', 'attachment');
    },
  });
}

/** The images Natter ships (default avatars, notice icons: domain/images.ts), three levels above this module in src/ or dist/. */
const DEFAULTS_ROOT = fileURLToPath(new URL('../../../assets/defaults', import.meta.url));

/** Serves the shipped default images at /public/defaults/ (a week in caches: their names do not change with their content). */
export async function defaultImages(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: DEFAULTS_ROOT,
    prefix: '/public/defaults/',
    decorateReply: false,
    dotfiles: 'deny',
    index: false,
    list: false,
    maxAge: '7d',
    setHeaders: (reply) => void reply.header('x-content-type-options', 'nosniff'),
  });
}
