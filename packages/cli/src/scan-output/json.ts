/**
 * `--format json`: the report without the inventory (it can be large; the
 * SBOM carries it), every field of every finding, keys in a fixed order
 * whatever order the report's objects were built in. Two-space indent and a
 * final newline.
 */
import { findingJson, type ScanReport } from '@patchloop/core';
import { SEVERITY_ORDER } from './severity.js';

export function formatJson(report: ScanReport): string {
  const { host, summary } = report;
  const os = host.os;
  const eol = host.eol;
  const doc = {
    host: {
      os: os && { id: os.id, versionId: os.versionId, codename: os.codename, prettyName: os.prettyName },
      matchedAs: host.matchedAs && {
        ecosystem: host.matchedAs.ecosystem,
        releases: [...host.matchedAs.releases],
      },
      eol: {
        status: eol.status,
        product: eol.product,
        cycle: eol.cycle,
        eol: eol.eol,
        extendedSupportEnd: eol.extendedSupportEnd,
        explanation: eol.explanation,
      },
    },
    summary: {
      packages: summary.packages,
      findings: summary.findings,
      fixable: summary.fixable,
      unfixed: summary.unfixed,
      kev: summary.kev,
      bySeverity: Object.fromEntries(SEVERITY_ORDER.map((s) => [s, summary.bySeverity[s] ?? 0])),
      thirdParty: summary.thirdParty,
    },
    findings: report.findings.map(findingJson),
    scannedAt: report.scannedAt,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
