/**
 * The patch catalogue of a host (its offered updates, classified) and the
 * fleet's remediations: "updating X to V closes N findings on M hosts",
 * ordered by the risk removed, with a greedy plan.
 */
import {
  classifyUpdates,
  greedyPlan,
  remediations,
  schemeOfManager,
  type OfferedUpdate,
} from '@patchloop/core';
import { CatalogueList, RemediationList, RemediationQuery } from '@patchloop/contracts';
import { activeHostOf, exceptedFindingIds, getHost, notExcepted } from '@patchloop/store';
import { Type } from 'typebox';
import { READ } from '../auth/principal.js';
import type { Api } from '../api.js';
import { ApiError } from '../errors.js';

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
      if (!h) throw new ApiError(404, 'PL_NOT_FOUND', `no host ${req.params.id}`);
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
    async (req) => {
      const hosts = await ctx.db.query<{
        id: number;
        package_manager: string | null;
        updates: { name: string; candidateVersion: string }[] | null;
      }>(
        'SELECT id, package_manager, updates FROM host WHERE package_manager IS NOT NULL AND retired_at IS NULL',
      );
      // Open, fixable findings not under an active exception.
      const now = ctx.now();
      const excepted = await exceptedFindingIds(ctx.db, now, 'f.resolved_at IS NULL');
      const findings = await ctx.db.query<{
        host_id: number;
        package: string;
        fixed_version: string;
        advisory_id: string;
        risk_score: number | null;
        kev: boolean;
        severity: 'high' | null;
      }>(
        `SELECT f.host_id, f.package, f.fixed_version, f.advisory_id, f.risk_score, f.kev, f.severity
         FROM finding f
         WHERE f.resolved_at IS NULL AND f.status = 'fixable' AND f.fixed_version IS NOT NULL
           AND ${notExcepted('$1')} AND ${activeHostOf('f.host_id')}`,
        [excepted],
      );
      const items = remediations(
        hosts.rows
          .filter((h) => schemeOfManager(h.package_manager) !== null)
          .map((h) => ({
            hostId: Number(h.id),
            versionScheme: schemeOfManager(h.package_manager) as 'debian' | 'rpm' | 'apk',
            candidates: new Map((h.updates ?? []).map((u) => [u.name, u.candidateVersion])),
          })),
        findings.rows.map((f) => ({
          hostId: Number(f.host_id),
          package: f.package,
          fixedVersion: f.fixed_version,
          advisoryId: f.advisory_id,
          risk: f.risk_score === null ? 0 : Number(f.risk_score),
          kev: f.kev,
          severity: f.severity,
        })),
      );
      const plan = greedyPlan(items, req.query.limit ?? 20);
      return {
        total: items.length,
        totalRisk: plan.totalRisk,
        items: plan.steps.map(({ hostIds: _hostIds, ...s }) => ({
          ...s,
          advisories: [...s.advisories],
          summary: `updating ${s.package} to ${s.toVersion} closes ${s.findings} finding${s.findings === 1 ? '' : 's'} on ${s.hosts} host${s.hosts === 1 ? '' : 's'}`,
        })),
      };
    },
  );
}
