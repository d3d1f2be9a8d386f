/** Findings across the fleet, and the fleet view per advisory. */
import {
  FindingList,
  FindingQuery,
  VulnerabilityList,
  VulnerabilityQuery,
  type Finding,
} from '@patchloop/contracts';
import { complianceSummary, listFindings, listVulnerabilities } from '@patchloop/store';
import { Type } from 'typebox';
import { READ } from '../auth/principal.js';
import type { Api } from '../api.js';
import { loadRiskSettings } from '../services/risk-settings.js';
import { findingView } from './views.js';

export function findingRoutes({ app, ctx }: Api): void {
  app.get(
    '/api/v1/findings',
    {
      config: { access: READ },
      schema: { tags: ['findings'], querystring: FindingQuery, response: { 200: FindingList } },
    },
    async (req) => {
      const q = req.query;
      const now = ctx.now();
      const { sla } = await loadRiskSettings(ctx.db);
      const r = await listFindings(ctx.db, {
        dueSoonDays: sla.dueSoonDays,
        ...q,
        limit: q.limit ?? 100,
        offset: q.offset ?? 0,
        now,
      });
      return { items: r.items.map((f) => findingView(f, now, sla.dueSoonDays)), total: r.total };
    },
  );

  app.get(
    '/api/v1/vulnerabilities',
    {
      config: { access: READ },
      schema: { tags: ['findings'], querystring: VulnerabilityQuery, response: { 200: VulnerabilityList } },
    },
    async (req) => {
      const q = req.query;
      const r = await listVulnerabilities(ctx.db, {
        ...q,
        limit: q.limit ?? 100,
        offset: q.offset ?? 0,
      });
      return {
        total: r.total,
        items: r.items.map((v) => {
          const s = v.sample as unknown as Finding;
          return {
            advisory: s.advisory,
            severity: s.severity,
            cvss: s.cvss,
            kev: s.kev,
            epss: s.epss,
            hosts: v.hosts,
            packages: v.packages,
            fixable: v.fixable,
            unfixed: v.unfixed,
          };
        }),
      };
    },
  );
}

const Compliance = Type.Object({
  at: Type.String(),
  open: Type.Integer(),
  excepted: Type.Integer(),
  inScope: Type.Integer(),
  breached: Type.Integer(),
  dueSoon: Type.Integer(),
  kev: Type.Integer(),
  /** Share of in-scope open findings within their SLA (1 when there are none). */
  slaCompliance: Type.Number(),
  byPriority: Type.Record(Type.String(), Type.Object({ open: Type.Integer(), breached: Type.Integer() })),
  hostsWithBreaches: Type.Integer(),
});

export function complianceRoutes({ app, ctx }: Api): void {
  app.get(
    '/api/v1/compliance',
    { config: { access: READ }, schema: { tags: ['findings'], response: { 200: Compliance } } },
    async () => {
      const now = ctx.now();
      const { sla } = await loadRiskSettings(ctx.db);
      const c = await complianceSummary(ctx.db, now, sla.dueSoonDays);
      const slaCompliance = c.inScope === 0 ? 1 : Math.round((1 - c.breached / c.inScope) * 1000) / 1000;
      return { at: now.toISOString(), ...c, slaCompliance };
    },
  );
}
