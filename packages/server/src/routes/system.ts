/** Health and readiness, outside /api/v1 and without credentials (the OpenAPI document is app.ts's). */
import { Health, Ready } from '@patchloop/contracts';
import { schemaVersion } from '@patchloop/store';
import type { Api } from '../api.js';

/** How long /readyz waits for the database's answer. */
const READY_TIMEOUT_MS = 2000;

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
}
