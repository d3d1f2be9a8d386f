/**
 * Hosts (mounted at /api/v1/hosts): list, detail, edit, tags; with the
 * modules beside this one, an offline host's import (import.ts) and
 * everything under /hosts/:id — its lifecycle (lifecycle.ts), and what it
 * holds: packages, findings, offered updates, deployment history
 * (inventory.ts).
 */
import {
  Host,
  HostList,
  HostListQuery,
  HostPatch,
  HostTagsChange,
  HostTagsResult,
  type HostSummary,
} from '@patchloop/contracts';
import { getHost, listHosts } from '@patchloop/store';
import { Type } from 'typebox';
import { PatchloopError } from '@patchloop/core';
import { actorOf, maskMachineId, READ, WRITE } from '../../auth/principal.js';
import type { Api } from '../../api.js';
import { editHostAs } from '../../services/host-edit.js';
import { changeHostTags } from '../../services/host-tags.js';
import { sendCsv, type CsvColumns } from '../../services/csv.js';
import { hostWhere } from '../../services/list-queries.js';
import { hostDetail, hostSummary } from '../views.js';
import { hostImportRoutes } from './import.js';
import { hostInventoryRoutes } from './inventory.js';
import { hostLifecycleRoutes } from './lifecycle.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const notFound = (id: number) => new PatchloopError('PL_NOT_FOUND', `no host ${id}`);

export function hostRoutes(api: Api): void {
  const { app, ctx } = api;
  hostLifecycleRoutes(api);
  hostInventoryRoutes(api);
  hostImportRoutes(api);
  const stale = () => ctx.config.staleAfterMs;

  app.get(
    '',
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
    '/:id',
    { config: { access: READ }, schema: { tags: ['hosts'], params: IdParams, response: { 200: Host } } },
    async (req) => {
      const h = await getHost(ctx.db, req.params.id);
      if (!h) throw notFound(req.params.id);
      return maskMachineId(req.principal, hostDetail(h, ctx.now(), stale()));
    },
  );

  app.patch(
    '/:id',
    {
      config: { access: WRITE },
      schema: { tags: ['hosts'], params: IdParams, body: HostPatch, response: { 200: Host } },
    },
    async (req) => {
      const edited = await editHostAs(ctx, {
        id: req.params.id,
        patch: req.body,
        actor: actorOf(req.principal),
      });
      return hostDetail(edited, ctx.now(), stale());
    },
  );

  // Tags on many hosts at once, as PATCH would set them on each (audited and re-assessed per host changed).
  app.post(
    '/tags',
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
