/**
 * The patch catalogue of a host (its offered updates, classified) and the
 * fleet's remediations: "updating X to V closes N findings on M hosts"
 * (X a source package: its binary packages are updated together), ordered
 * by the risk removed, with a greedy plan; paged, or filtered to one source
 * package with what to install on each host, or exported as CSV.
 */
import {
  classifyUpdates,
  greedyPlan,
  remediations,
  schemeOfManager,
  type OfferedUpdate,
  type PlanStep,
  type Severity,
  PatchloopError,
} from '@patchloop/core';
import type { Remediation } from '@patchloop/contracts';
import { CatalogueList, RemediationList, RemediationQuery } from '@patchloop/contracts';
import { getHost, loadRemediationInputs } from '@patchloop/store';
import { Type, type Static } from 'typebox';
import { READ } from '../auth/principal.js';
import type { Api } from '../api.js';
import { sendCsv, type CsvColumns } from '../services/csv.js';

export function remediationRoutes({ app, ctx }: Api): void {
  app.get(
    '/api/v1/hosts/:id/updates',
    {
      config: { access: READ },
      schema: {
        tags: ['remediation'],
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: CatalogueList },
      },
    },
    async (req) => {
      const h = await getHost(ctx.db, req.params.id);
      if (!h) throw new PatchloopError('PL_NOT_FOUND', `no host ${req.params.id}`);
      const scheme = schemeOfManager(h.packageManager);
      if (!scheme || h.updates === null) return { items: [], collected: false };
      const updates = (h.updates as (Omit<OfferedUpdate, 'package'> & { name: string })[]).map(
        ({ name, ...u }) => ({
          ...u,
          package: name,
        }),
      );
      const open = await ctx.db.query<{
        data: {
          package: string;
          advisory: { id: string };
          fixedVersion: string | null;
          severity: null;
          kev: unknown;
        };
      }>('SELECT data FROM finding WHERE host_id = $1 AND resolved_at IS NULL', [h.id]);
      const findings = open.rows.map(({ data: d }) => ({
        package: d.package,
        advisoryId: d.advisory.id,
        fixedVersion: d.fixedVersion,
        severity: d.severity,
        kev: d.kev !== null,
      }));
      const items = classifyUpdates(scheme, updates, findings).map((i) => ({ ...i, closes: [...i.closes] }));
      return { items, collected: true };
    },
  );

  app.get(
    '/api/v1/remediations',
    {
      config: { access: READ },
      schema: {
        tags: ['remediation'],
        querystring: RemediationQuery,
        response: { 200: RemediationList },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const input = await loadRemediationInputs(ctx.db, ctx.now());
      const hosts = input.hosts.flatMap((h) => {
        const versionScheme = schemeOfManager(h.packageManager);
        return versionScheme
          ? [
              {
                hostId: h.id,
                versionScheme,
                candidates: new Map(h.updates.map((u) => [u.name, u.candidateVersion])),
              },
            ]
          : [];
      });
      const items = remediations(
        hosts,
        input.findings.map((f) => ({
          ...f,
          risk: f.riskScore ?? 0,
          severity: f.severity as Severity | null,
        })),
      );
      // The cumulative figures are over the whole plan, whichever page or package is shown.
      const plan = greedyPlan(items, items.length);
      const names = new Map(input.hosts.map((h) => [h.id, h.hostname]));
      const steps = q.package === undefined ? plan.steps : plan.steps.filter((s) => s.package === q.package);
      const view = (s: PlanStep) => ({
        package: s.package,
        toVersion: s.toVersion,
        binaries: [...s.binaries],
        hosts: s.hosts,
        findings: s.findings,
        riskRemoved: s.riskRemoved,
        kev: s.kev,
        severity: s.severity,
        advisories: [...s.advisories],
        summary: `updating ${s.package} to ${s.toVersion} closes ${plural(s.findings, 'finding')} on ${plural(s.hosts, 'host')}`,
        cumulativeRisk: s.cumulativeRisk,
        cumulativeShare: s.cumulativeShare,
        ...(q.package === undefined
          ? {}
          : {
              targets: s.targets.map((t) => ({
                hostId: t.hostId,
                hostname: names.get(t.hostId) ?? `#${t.hostId}`,
                packages: t.packages.map((p) => ({ ...p })),
              })),
            }),
      });
      if (q.format === 'csv') {
        return sendCsv(reply, 'remediations', REMEDIATION_CSV, async (offset, limit) => ({
          items: steps.slice(offset, offset + limit).map(view),
          total: steps.length,
        }));
      }
      const offset = q.offset ?? 0;
      return {
        total: steps.length,
        totalRisk: plan.totalRisk,
        items: steps.slice(offset, offset + (q.limit ?? 20)).map(view),
      };
    },
  );
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

const REMEDIATION_CSV: CsvColumns<Static<typeof Remediation>> = {
  source_package: (r) => r.package,
  to_version: (r) => r.toVersion,
  binary_packages: (r) => r.binaries,
  hosts: (r) => r.hosts,
  findings: (r) => r.findings,
  risk_removed: (r) => r.riskRemoved,
  kev: (r) => r.kev,
  severity: (r) => r.severity,
  cumulative_share: (r) => r.cumulativeShare,
  advisories: (r) => r.advisories,
};
