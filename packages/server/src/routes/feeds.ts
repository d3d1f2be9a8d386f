/**
 * Feeds (mounted at /api/v1/feeds): each source's status, a sync queued on
 * request, and a feed file or archive uploaded as it is (what the CLI's
 * `feeds import --server` sends instead of opening the server's store).
 */
import { FeedImportParams, FeedImportQuery, FeedImportResult, FeedStatusList } from '@patchloop/contracts';
import { FEED_SOURCES, PatchloopError, type FeedSource } from '@patchloop/core';
import { Type } from 'typebox';
import { actorOf, READ, WRITE } from '../auth/principal.js';
import type { Api } from '../api.js';
import { importFeedBody } from '../services/feed-upload.js';
import { feedStatus, queueFeedSync } from '../services/feeds.js';

const Queued = Type.Object({ queued: Type.Boolean(), jobId: Type.Union([Type.Integer(), Type.Null()]) });
/** Which sources to sync now (default: all). */
const SyncRequest = Type.Object(
  {
    sources: Type.Optional(
      Type.Array(Type.Union(FEED_SOURCES.map((s) => Type.Literal(s))), { minItems: 1, uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);

export function feedRoutes({ app, ctx }: Api): void {
  app.get(
    '',
    { config: { access: READ }, schema: { tags: ['feeds'], response: { 200: FeedStatusList } } },
    async () => feedStatus(ctx),
  );

  app.post(
    '/sync',
    {
      config: { access: WRITE },
      schema: { tags: ['feeds'], body: SyncRequest, response: { 202: Queued } },
      // No body at all (the console's button, older clients) is a sync of every source.
      preValidation: async (req) => {
        if (req.body === undefined || req.body === null) req.body = {};
      },
    },
    async (req, reply) => {
      const sources = (req.body as { sources?: FeedSource[] }).sources;
      return reply.status(202).send(await queueFeedSync(ctx, actorOf(req.principal), sources));
    },
  );

  // Feed files arrive as they are published (bytes), streamed to a temporary file; the
  // octet-stream parser is scoped to this route alone.
  app.register(async (scoped) => {
    scoped.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
    scoped.post(
      '/:source/import',
      {
        config: { access: WRITE },
        schema: {
          tags: ['feeds'],
          params: FeedImportParams,
          querystring: FeedImportQuery,
          response: { 200: FeedImportResult },
        },
      },
      async (req) => {
        const { assertSource } = await import('@patchloop/feeds');
        const source = assertSource((req.params as { source: string }).source);
        if (!req.headers['content-type']?.startsWith('application/octet-stream')) {
          throw new PatchloopError(
            'PL_MEDIA_TYPE_UNSUPPORTED',
            'send the feed file as application/octet-stream',
          );
        }
        const upload = {
          body: req.body as NodeJS.ReadableStream,
          name: (req.query as { name: string }).name,
        };
        return importFeedBody(ctx, source, upload, actorOf(req.principal));
      },
    );
  });
}
