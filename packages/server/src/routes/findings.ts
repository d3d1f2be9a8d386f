/** Findings across the fleet, and the fleet view per advisory. */
import {
  Compliance,
  FindingList,
  FindingQuery,
  VulnerabilityList,
  VulnerabilityQuery,
  type Vulnerability,
} from '@patchloop/contracts';
import { listVulnerabilities } from '@patchloop/store';
import { READ } from '../auth/principal.js';
import type { Api } from '../api.js';
import { complianceReport } from '../services/dashboard.js';
import { sendCsv, type CsvColumns } from '../services/csv.js';
import { findingPages, FINDING_CSV } from './views.js';

export function findingRoutes({ app, ctx }: Api): void {
  app.get(
    '/api/v1/findings',
    {
      config: { access: READ },
      schema: { tags: ['findings'], querystring: FindingQuery, response: { 200: FindingList } },
    },
    async (req, reply) => {
      const page = await findingPages(ctx, req.query);
      if (req.query.format === 'csv') return sendCsv(reply, 'findings', FINDING_CSV, page);
      return page(req.query.offset ?? 0, req.query.limit ?? 100);
    },
  );

  app.get(
    '/api/v1/vulnerabilities',
    {
      config: { access: READ },
      schema: { tags: ['findings'], querystring: VulnerabilityQuery, response: { 200: VulnerabilityList } },
    },
    async (req, reply) => {
      const q = req.query;
      const page = async (offset: number, limit: number) => {
        const r = await listVulnerabilities(ctx.db, {
          kev: q.kev,
          severity: q.severity,
          q: q.q,
          priority: q.priority,
          sla: q.sla,
          sort: q.sort,
          limit,
          offset,
          now: ctx.now(),
        });
        return {
          total: r.total,
          items: r.items.map((v) => {
            const s = v.sample;
            return {
              advisory: { ...s.advisory, aliases: [...s.advisory.aliases] },
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
      };
      if (q.format === 'csv') return sendCsv(reply, 'vulnerabilities', VULNERABILITY_CSV, page);
      return page(q.offset ?? 0, q.limit ?? 100);
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

const VULNERABILITY_CSV: CsvColumns<Vulnerability> = {
  advisory: (v) => v.advisory.id,
  aliases: (v) => v.advisory.aliases,
  source: (v) => v.advisory.source,
  severity: (v) => v.severity,
  cvss: (v) => v.cvss?.score,
  kev: (v) => (v.kev ? 'yes' : ''),
  epss: (v) => v.epss?.score,
  priority: (v) => v.priority,
  risk: (v) => v.riskScore,
  due: (v) => v.dueAt,
  hosts: (v) => v.hosts,
  fixable: (v) => v.fixable,
  unfixed: (v) => v.unfixed,
  packages: (v) => v.packages,
};
