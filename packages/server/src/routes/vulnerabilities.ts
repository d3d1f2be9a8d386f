/** The fleet view per advisory (mounted at /api/v1/vulnerabilities), as a page or a CSV export. */
import { VulnerabilityList, VulnerabilityQuery, type Vulnerability } from '@patchloop/contracts';
import { READ } from '../auth/principal.js';
import type { Api } from '../api.js';
import { sendCsv, type CsvColumns } from '../services/csv.js';
import { vulnerabilityBatches, vulnerabilityPages } from '../services/vulnerabilities.js';

export function vulnerabilityRoutes({ app, ctx }: Api): void {
  app.get(
    '',
    {
      config: { access: READ },
      schema: { tags: ['findings'], querystring: VulnerabilityQuery, response: { 200: VulnerabilityList } },
    },
    async (req, reply) => {
      if (req.query.format === 'csv') {
        return sendCsv(reply, 'vulnerabilities', VULNERABILITY_CSV, vulnerabilityBatches(ctx, req.query));
      }
      return vulnerabilityPages(ctx, req.query)(req.query.offset ?? 0, req.query.limit ?? 100);
    },
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
