/**
 * What a host holds (under /api/v1/hosts, routes/hosts/index.ts): its
 * packages with the updates offered for them, its findings, its patch
 * catalogue (services/remediation.ts) and its deployment history.
 */
import {
  CatalogueList,
  FindingList,
  FindingQuery,
  HostDeploymentHistory,
  PackageList,
  Paging,
} from '@patchloop/contracts';
import { getHost, loadHostPackages, tasksForHost } from '@patchloop/store';
import { Type } from 'typebox';
import { PatchloopError } from '@patchloop/core';
import { READ } from '../../auth/principal.js';
import type { Api } from '../../api.js';
import { sendCsv } from '../../services/csv.js';
import { hostCatalogue } from '../../services/remediation.js';
import { findingBatches, findingPages, FINDING_CSV } from '../views.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const notFound = (id: number) => new PatchloopError('PL_NOT_FOUND', `no host ${id}`);

export function hostInventoryRoutes({ app, ctx }: Api): void {
  app.get(
    '/:id/packages',
    {
      config: { access: READ },
      schema: { tags: ['hosts'], params: IdParams, response: { 200: PackageList } },
    },
    async (req) => {
      const h = await getHost(ctx.db, req.params.id);
      if (!h) throw notFound(req.params.id);
      const updates = new Map((h.updates ?? []).map((u) => [`${u.name}\u0000${u.arch}`, u]));
      const items = (await loadHostPackages(ctx.db, h.id)).map((p) => {
        const u = updates.get(`${p.name}\u0000${p.arch}`) ?? updates.get(`${p.name}\u0000`);
        return {
          name: p.name,
          version: p.version,
          arch: p.arch,
          sourceName: p.sourceName,
          sourceVersion: p.sourceVersion,
          update: u
            ? {
                candidateVersion: u.candidateVersion,
                repository: u.repository,
                security: u.security,
                classification: u.classification,
              }
            : null,
        };
      });
      return { items, total: items.length };
    },
  );

  app.get(
    '/:id/findings',
    {
      config: { access: READ },
      schema: {
        tags: ['hosts', 'findings'],
        params: IdParams,
        querystring: FindingQuery,
        response: { 200: FindingList },
      },
    },
    async (req, reply) => {
      const h = await getHost(ctx.db, req.params.id);
      if (!h) throw notFound(req.params.id);
      if (req.query.format === 'csv') {
        return sendCsv(reply, `findings-${h.hostname}`, FINDING_CSV, findingBatches(ctx, req.query, h.id));
      }
      const page = await findingPages(ctx, req.query, h.id);
      return page(req.query.offset ?? 0, req.query.limit ?? 100);
    },
  );

  app.get(
    '/:id/updates',
    {
      config: { access: READ },
      schema: { tags: ['remediation'], params: IdParams, response: { 200: CatalogueList } },
    },
    async (req) => hostCatalogue(ctx, req.params.id),
  );

  // A host's deployment history: its tasks, newest first.
  app.get(
    '/:id/deployments',
    {
      config: { access: READ },
      schema: {
        tags: ['deployments'],
        params: IdParams,
        querystring: Type.Object(Paging(50, 500)),
        response: { 200: HostDeploymentHistory },
      },
    },
    async (req) => {
      const r = await tasksForHost(ctx.db, req.params.id, {
        limit: req.query.limit ?? 50,
        offset: req.query.offset ?? 0,
      });
      return {
        total: r.total,
        items: r.items.map((t) => ({
          deploymentId: t.deploymentId,
          deploymentStatus: t.deploymentStatus,
          kind: t.deploymentKind,
          policy: t.policy,
          taskId: t.id,
          ring: t.ring,
          status: t.status,
          packages: t.packages.map((p) => ({ name: p.name, version: p.version })),
          error: t.errorCode === null ? null : { code: t.errorCode, message: t.errorMessage ?? '' },
          queuedAt: t.queuedAt.toISOString(),
          finishedAt: t.finishedAt?.toISOString() ?? null,
        })),
      };
    },
  );
}
