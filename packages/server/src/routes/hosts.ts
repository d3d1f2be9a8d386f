/** Hosts: list, detail, edit, packages, findings. */
import {
  FindingList,
  FindingQuery,
  Host,
  HostList,
  HostListQuery,
  HostEnrollTokenCreate,
  HostEnrollTokenCreated,
  HostPatch,
  HostRetire,
  HostTagsChange,
  HostTagsResult,
  PackageList,
  type HostSummary,
} from '@patchloop/contracts';
import {
  appendAudit,
  editHost,
  getHost,
  listHosts,
  loadHostPackages,
  queueAssessHost,
} from '@patchloop/store';
import { Type } from 'typebox';
import { PatchloopError } from '@patchloop/core';
import { actorOf, ADMIN, maskMachineId, READ, WRITE } from '../auth/principal.js';
import type { Api } from '../api.js';
import { reinstateHost, removeHost, retireHost } from '../services/host-lifecycle.js';
import { changeHostTags } from '../services/host-tags.js';
import { issueHostEnrollToken } from '../services/enroll.js';
import { sendCsv, type CsvColumns } from '../services/csv.js';
import { hostWhere } from '../services/list-queries.js';
import { findingPages, FINDING_CSV, hostDetail, hostSummary } from './views.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const notFound = (id: number) => new PatchloopError('PL_NOT_FOUND', `no host ${id}`);

export function hostRoutes(api: Api): void {
  const { app, ctx } = api;
  const stale = () => ctx.config.staleAfterMs;

  app.get(
    '/api/v1/hosts',
    {
      config: { access: READ },
      schema: { tags: ['hosts'], querystring: HostListQuery, response: { 200: HostList } },
    },
    async (req, reply) => {
      const q = req.query;
      const now = ctx.now();
      const page = async (offset: number, limit: number) => {
        const r = await listHosts(ctx.db, {
          ...hostWhere(q, now, stale()),
          limit,
          offset,
          sort: q.sort,
          order: q.order,
        });
        return {
          items: r.items.map((h) => maskMachineId(req.principal, hostSummary(h, now, stale()))),
          total: r.total,
        };
      };
      if (q.format === 'csv') return sendCsv(reply, 'hosts', HOST_CSV, page);
      return page(q.offset ?? 0, q.limit ?? 50);
    },
  );

  app.get(
    '/api/v1/hosts/:id',
    { config: { access: READ }, schema: { tags: ['hosts'], params: IdParams, response: { 200: Host } } },
    async (req) => {
      const h = await getHost(ctx.db, req.params.id);
      if (!h) throw notFound(req.params.id);
      return maskMachineId(req.principal, hostDetail(h, ctx.now(), stale()));
    },
  );

  app.patch(
    '/api/v1/hosts/:id',
    {
      config: { access: WRITE },
      schema: { tags: ['hosts'], params: IdParams, body: HostPatch, response: { 200: Host } },
    },
    async (req) => {
      const id = req.params.id;
      const edited = await ctx.db.transaction(async (tx) => {
        const before = await getHost(tx, id);
        if (!before) throw notFound(id);
        const after = await editHost(tx, id, req.body);
        if (!after) throw notFound(id);
        const pick = (h: typeof before) =>
          Object.fromEntries(Object.keys(req.body).map((k) => [k, h[k as keyof typeof h]]));
        await appendAudit(tx, {
          actor: actorOf(req.principal),
          action: 'host.edit',
          target: `host:${id}`,
          before: pick(before),
          after: pick(after),
          at: ctx.now(),
        });
        // Criticality, exposure, environment and user risk change the findings' risk: re-assess.
        await queueAssessHost(tx, id, ctx.now());
        return after;
      });
      ctx.wakeJobs();
      return hostDetail(edited, ctx.now(), stale());
    },
  );

  // Retire: kept for history, out of current figures, its agent refused (services/host-lifecycle.ts).
  app.post(
    '/api/v1/hosts/:id/retire',
    {
      config: { access: WRITE },
      schema: { tags: ['hosts'], params: IdParams, body: HostRetire, response: { 200: Host } },
    },
    async (req) => {
      const reason = req.body.reason?.trim() || null;
      const h = await retireHost(ctx, { id: req.params.id, actor: actorOf(req.principal), reason });
      return hostDetail(h, ctx.now(), stale());
    },
  );

  app.post(
    '/api/v1/hosts/:id/reinstate',
    { config: { access: WRITE }, schema: { tags: ['hosts'], params: IdParams, response: { 200: Host } } },
    async (req) => {
      const h = await reinstateHost(ctx, { id: req.params.id, actor: actorOf(req.principal) });
      return hostDetail(h, ctx.now(), stale());
    },
  );

  // A one-time token that lets this host's agent enroll again (it lost its credential). Admins only.
  app.post(
    '/api/v1/hosts/:id/enroll-token',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['hosts'],
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
    '/api/v1/hosts/:id',
    {
      config: { access: ADMIN },
      schema: { tags: ['hosts'], params: IdParams, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await removeHost(ctx, { id: req.params.id, actor: actorOf(req.principal) });
      return reply.status(204).send(null);
    },
  );

  // Tags on many hosts at once, as PATCH would set them on each (audited and re-assessed per host changed).
  app.post(
    '/api/v1/hosts/tags',
    {
      config: { access: WRITE },
      schema: { tags: ['hosts'], body: HostTagsChange, response: { 200: HostTagsResult } },
    },
    async (req) => {
      const both = (req.body.add ?? []).filter((t) => req.body.remove?.includes(t));
      if (both.length > 0) {
        throw new PatchloopError('PL_REQUEST_INVALID', `tags both added and removed: ${both.join(', ')}`);
      }
      return { updated: await changeHostTags(ctx, actorOf(req.principal), req.body) };
    },
  );

  app.get(
    '/api/v1/hosts/:id/packages',
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
    '/api/v1/hosts/:id/findings',
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
      const page = await findingPages(ctx, req.query, h.id);
      if (req.query.format === 'csv') return sendCsv(reply, `findings-${h.hostname}`, FINDING_CSV, page);
      return page(req.query.offset ?? 0, req.query.limit ?? 100);
    },
  );
}

const HOST_CSV: CsvColumns<HostSummary> = {
  id: (h) => h.id,
  hostname: (h) => h.hostname,
  os: (h) => h.os.prettyName ?? `${h.os.id} ${h.os.versionId ?? ''}`.trim(),
  tags: (h) => h.tags,
  criticality: (h) => h.criticality,
  transport: (h) => h.transport,
  last_seen: (h) => h.lastSeen,
  stale: (h) => (h.stale ? 'yes' : ''),
  reboot_required: (h) => (h.rebootRequired ? 'yes' : ''),
  packages: (h) => h.packageCount,
  findings: (h) => h.findingCounts.total,
  kev: (h) => h.findingCounts.kev,
  critical: (h) => h.findingCounts.critical,
  high: (h) => h.findingCounts.high,
  medium: (h) => h.findingCounts.medium,
  low: (h) => h.findingCounts.low,
  assessment: (h) => h.assessment.state,
  assessment_reason: (h) => h.assessment.reason,
  patch_status: (h) => h.patchStatus,
  security_updates: (h) => h.pendingUpdates?.security ?? null,
  other_updates: (h) => h.pendingUpdates?.other ?? null,
  last_patched: (h) => h.lastPatchedAt,
  eol_status: (h) => h.eolStatus,
  retired: (h) => h.retired?.at ?? null,
};
