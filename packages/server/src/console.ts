/**
 * The console: the web application's built files served at `/`, with
 * client-side routing (any other GET that is not an API path gets index.html)
 * (its headers, like every response's, are set in security-headers.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** True when `dir` holds a built console. */
export function consoleBuilt(dir: string | undefined): dir is string {
  return dir !== undefined && existsSync(join(dir, 'index.html'));
}

/** Serves the console from `dir`; returns the fallback for paths the router does not know. */
export async function registerConsole(
  app: FastifyInstance,
  dir: string,
): Promise<(req: FastifyRequest, reply: FastifyReply) => boolean> {
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    index: ['index.html'],
    wildcard: true,
    cacheControl: false,
    setHeaders(res, path) {
      // Built assets carry a content hash in their names; index.html must be revalidated.
      res.setHeader(
        'cache-control',
        /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  return (req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    const isPage =
      (req.method === 'GET' || req.method === 'HEAD') &&
      !path.startsWith('/api/') &&
      path !== '/api' &&
      !/\.[a-z0-9]+$/i.test(path);
    if (!isPage) return false;
    void reply.header('cache-control', 'no-cache').sendFile('index.html');
    return true;
  };
}
