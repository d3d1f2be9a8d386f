/**
 * A host's lifecycle (under /api/v1/hosts, routes/hosts/index.ts): retire,
 * reinstate, a one-time enrollment token for its agent, delete
 * (services/host-lifecycle.ts).
 */
import { Host, HostEnrollTokenCreate, HostEnrollTokenCreated, HostRetire } from '@patchloop/contracts';
import { Type } from 'typebox';
import { actorOf, ADMIN, WRITE } from '../../auth/principal.js';
import type { Api } from '../../api.js';
import { issueHostEnrollToken } from '../../services/enroll.js';
import { reinstateHost, removeHost, retireHost } from '../../services/host-lifecycle.js';
import { hostDetail } from '../views.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const tags = ['hosts'];

export function hostLifecycleRoutes({ app, ctx }: Api): void {
  const stale = () => ctx.config.staleAfterMs;

  // Retire: kept for history, out of current figures, its agent refused (services/host-lifecycle.ts).
  app.post(
    '/:id/retire',
    {
      config: { access: WRITE },
      schema: { tags, params: IdParams, body: HostRetire, response: { 200: Host } },
    },
    async (req) => {
      const reason = req.body.reason?.trim() || null;
      const h = await retireHost(ctx, { id: req.params.id, actor: actorOf(req.principal), reason });
      return hostDetail(h, ctx.now(), stale());
    },
  );

  app.post(
    '/:id/reinstate',
    { config: { access: WRITE }, schema: { tags, params: IdParams, response: { 200: Host } } },
    async (req) => {
      const h = await reinstateHost(ctx, { id: req.params.id, actor: actorOf(req.principal) });
      return hostDetail(h, ctx.now(), stale());
    },
  );

  // A one-time token that lets this host's agent enroll again (it lost its credential). Admins only.
  app.post(
    '/:id/enroll-token',
    {
      config: { access: ADMIN },
      schema: {
        tags,
        params: IdParams,
        body: HostEnrollTokenCreate,
        response: { 201: HostEnrollTokenCreated },
      },
    },
    async (req, reply) => {
      const r = await issueHostEnrollToken(ctx, {
        hostId: req.params.id,
        actor: actorOf(req.principal),
        expiresInHours: req.body.expiresInHours ?? 24,
      });
      return reply.status(201).send(r);
    },
  );

  // Delete: the host and all it holds are forgotten; the audit log keeps its events. Admins only.
  app.delete(
    '/:id',
    {
      config: { access: ADMIN },
      schema: { tags, params: IdParams, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await removeHost(ctx, { id: req.params.id, actor: actorOf(req.principal) });
      return reply.status(204).send(null);
    },
  );
}
