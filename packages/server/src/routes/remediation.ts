/**
 * The fleet's remediations (mounted at /api/v1/remediations; a host's patch
 * catalogue is under /hosts/:id/updates, routes/hosts/): paged, or filtered
 * to one source package with what to install on each host, or exported as
 * CSV. Computed by services/remediation.ts.
 */
import type { Remediation } from '@patchloop/contracts';
import { RemediationList, RemediationQuery } from '@patchloop/contracts';
import { READ } from '../auth/principal.js';
import type { Api } from '../api.js';
import { sendCsv, type CsvColumns } from '../services/csv.js';
import { remediationPlan } from '../services/remediation.js';

export function remediationRoutes({ app, ctx }: Api): void {
  app.get(
    '',
    {
      config: { access: READ },
      schema: { tags: ['remediation'], querystring: RemediationQuery, response: { 200: RemediationList } },
    },
    async (req, reply) => {
      const q = req.query;
      const plan = await remediationPlan(ctx, q.package);
      if (q.format === 'csv') {
        return sendCsv(reply, 'remediations', REMEDIATION_CSV, async (offset, limit) => ({
          items: plan.page(offset, limit),
          total: plan.total,
        }));
      }
      return { total: plan.total, totalRisk: plan.totalRisk, items: plan.page(q.offset ?? 0, q.limit ?? 20) };
    },
  );
}

const REMEDIATION_CSV: CsvColumns<Remediation> = {
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
