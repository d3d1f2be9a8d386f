/**
 * `--format json`: the report without the inventory (it can be large; the
 * SBOM carries it), every field of every finding, keys in a fixed order
 * whatever order the report's objects were built in. Two-space indent and a
 * final newline.
 */
import type { Finding, FindingAdvisory, ScanReport } from '@patchloop/core';
import { SEVERITY_ORDER } from './severity.js';

/** Every key of T, required: adding a field to Finding breaks the build here until it is written out. */
type AllOf<T> = { [K in keyof T]-?: unknown };

function advisoryJson(a: FindingAdvisory): AllOf<FindingAdvisory> {
  return {
    id: a.id,
    aliases: [...a.aliases],
    source: a.source,
    url: a.url,
    modified: a.modified,
    classification: a.classification,
  };
}

export function findingJson(f: Finding): AllOf<Finding> {
  return {
    package: f.package,
    arch: f.arch,
    sourcePackage: f.sourcePackage,
    installedVersion: f.installedVersion,
    fixedVersion: f.fixedVersion,
    status: f.status,
    advisory: advisoryJson(f.advisory),
    release: f.release,
    severity: f.severity,
    cvss: f.cvss && { score: f.cvss.score, version: f.cvss.version, vector: f.cvss.vector, cve: f.cvss.cve },
    kev: f.kev && {
      cve: f.kev.cve,
      dateAdded: f.kev.dateAdded,
      dueDate: f.kev.dueDate,
      ransomware: f.kev.ransomware,
    },
    epss: f.epss && { cve: f.epss.cve, score: f.epss.score, percentile: f.epss.percentile },
    explanation: f.explanation,
  };
}

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
