/** Health, readiness and feed status/sync. */
import { FeedStatusList, Health, Ready } from '@patchloop/contracts';
import { FEED_SOURCES, type FeedSource } from '@patchloop/core';
import { createFeedStore, jobCounts, queueJob, schemaVersion } from '@patchloop/store';
import { Type } from 'typebox';
import { actorOf, READ, WRITE } from '../auth/principal.js';
import type { Api } from '../api.js';

const Queued = Type.Object({ queued: Type.Boolean(), jobId: Type.Union([Type.Integer(), Type.Null()]) });
/** How long /readyz waits for the database's answer. */
const READY_TIMEOUT_MS = 2000;
/** Which sources to sync now (default: all). */
const SyncRequest = Type.Object(
  {
    sources: Type.Optional(
      Type.Array(Type.Union(FEED_SOURCES.map((s) => Type.Literal(s))), { minItems: 1, uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);

export function systemRoutes({ app, ctx }: Api): void {
  app.get('/healthz', { schema: { tags: ['system'], response: { 200: Health } } }, async () => ({
    status: 'ok',
  }));

  app.get(
    '/readyz',
    { schema: { tags: ['system'], response: { 200: Ready, 503: Ready } } },
    async (_req, reply) => {
      try {
        // A probe answers within seconds: a query waiting for an unreachable database is not ready.
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the database did not answer')), READY_TIMEOUT_MS);
        });
        const v = await Promise.race([schemaVersion(ctx.db), late]).finally(() => clearTimeout(timer));
        return { status: 'ready', database: ctx.db.kind, schemaVersion: v };
      } catch {
        return reply.status(503).send({ status: 'unavailable', database: ctx.db.kind, schemaVersion: 0 });
      }
    },
  );

  app.get(
    '/api/v1/feeds',
    { config: { access: READ }, schema: { tags: ['feeds'], response: { 200: FeedStatusList } } },
    async () => ({
      items: (await createFeedStore(ctx.db).status()).map((s) => {
        const r = ctx.feedRuns.get(s.source);
        const running = r
          ? { kind: r.kind, phase: r.phase, records: r.records, bytes: r.bytes, started: r.started }
          : null;
        return { ...s, running };
      }),
      jobs: await jobCounts(ctx.db),
    }),
  );

  app.post(
    '/api/v1/feeds/sync',
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
      const jobId = await queueJob(
        ctx.db,
        'feed-sync',
        { requestedBy: actorOf(req.principal), ...(sources ? { sources } : {}) },
        ctx.now(),
      );
      ctx.wakeJobs();
      return reply.status(202).send({ queued: jobId !== null, jobId });
    },
  );
}
