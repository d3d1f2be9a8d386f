/** Findings across the fleet, and the fleet view per advisory. */
import {
  Compliance,
  FindingList,
  FindingQuery,
  VulnerabilityList,
  VulnerabilityQuery,
  type Finding,
  type Vulnerability,
} from '@patchloop/contracts';
import { listFindings, listVulnerabilities } from '@patchloop/store';
import { READ } from '../auth/principal.js';
import type { Api } from '../api.js';
import { complianceReport } from '../services/dashboard.js';
import { findingWhere } from '../services/list-queries.js';
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
        ...findingWhere(q, sla.dueSoonDays),
        limit: q.limit ?? 100,
        offset: q.offset ?? 0,
        sort: q.sort,
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
        kev: q.kev,
        severity: q.severity,
        q: q.q,
        priority: q.priority,
        sla: q.sla,
        sort: q.sort,
        limit: q.limit ?? 100,
        offset: q.offset ?? 0,
        now: ctx.now(),
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
            priority: v.priority as Vulnerability['priority'],
            dueAt: v.dueAt?.toISOString() ?? null,
            riskScore: v.riskScore,
          };
        }),
      };
    },
  );
}

export function complianceRoutes({ app, ctx }: Api): void {
  app.get(
    '/api/v1/compliance',
    { config: { access: READ }, schema: { tags: ['findings'], response: { 200: Compliance } } },
    async () => complianceReport(ctx, ctx.now()),
  );
}
