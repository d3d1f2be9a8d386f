/**
 * `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF
 * consumers. One run; one rule per advisory id; one result per finding.
 *
 * Location: GitHub code scanning needs a `physicalLocation.artifactLocation`
 * with a `uri` on every result, and rejects an upload whose absolute URIs
 * have another scheme than the checkout's (`file:`), which a `pkg:` package
 * URL would be. So each result points at the host's package database by a
 * relative path (`var/lib/dpkg/status`, `var/lib/rpm/rpmdb.sqlite` or
 * `var/lib/rpm/Packages` before EL9, `lib/apk/db/installed`): the file the
 * finding comes from, as seen from the scanned root. The package itself is a
 * `logicalLocation` (kind "module") whose `fullyQualifiedName` is its purl.
 * There is no region: a package has no line in the database that would stay
 * put.
 *
 * `partialFingerprints["patchloop/v1"]` is a SHA-256 of (advisory source,
 * advisory id, package name): the same alert across scans, and still the same
 * alert after an upgrade that does not fix it. Rules carry
 * `properties["security-severity"]` (the CVSS score as a string, when known),
 * which GitHub uses to rank security alerts, with the `security` tag.
 */
import { createHash } from 'node:crypto';
import type { Finding, OsIdentity, ScanReport } from '@patchloop/core';
import { findingPurls } from './purl.js';
import { cmp, formatCvss, severityOf, severityRank } from './severity.js';
import { TOOL_NAME, UNKNOWN_TOOL_VERSION, type ScanOutputOptions } from './tool.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(f: Finding): SarifLevel {
  const s = severityOf(f);
  return s === 'critical' || s === 'high' ? 'error' : s === 'medium' ? 'warning' : 'note';
}

const RPM_FAMILY_BEFORE_SQLITE = new Set(['rhel', 'almalinux', 'rocky', 'centos', 'ol']);

/** Where the host's package manager keeps its database, relative to the root. */
export function packageDatabasePath(
  manager: ScanReport['inventory']['manager'],
  os: OsIdentity | null,
): string {
  switch (manager) {
    case 'dpkg':
      return 'var/lib/dpkg/status';
    case 'apk':
      return 'lib/apk/db/installed';
    case 'rpm': {
      const major = Number((os?.versionId ?? '').split('.')[0]);
      const oldDb =
        os !== null &&
        RPM_FAMILY_BEFORE_SQLITE.has(os.id) &&
        Number.isInteger(major) &&
        major > 0 &&
        major < 9;
      return oldDb ? 'var/lib/rpm/Packages' : 'var/lib/rpm/rpmdb.sqlite';
    }
  }
}

/** Stable per (advisory, package), whatever the versions. */
export function findingFingerprint(f: Finding): string {
  return createHash('sha256')
    .update([f.advisory.source, f.advisory.id, f.package, f.arch ?? ''].join('\u0000'))
    .digest('hex');
}

const uniq = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

/** The finding that speaks for its advisory's rule: the most severe (the first of those). */
function representative(findings: readonly Finding[]): Finding {
  let best = findings[0] as Finding;
  for (const f of findings) if (severityRank(f.severity) < severityRank(best.severity)) best = f;
  return best;
}

function rule(id: string, findings: readonly Finding[]) {
  const first = representative(findings);
  const a = first.advisory;
  const cves = uniq(a.aliases.filter((x) => x.startsWith('CVE-') && x !== a.id));
  const sources = uniq(findings.map((f) => f.sourcePackage)).sort(cmp);
  const about = cves.length > 0 ? ` (${cves.join(', ')})` : '';
  const fixes = uniq(
    findings.map((f) =>
      f.fixedVersion !== null ? `${f.package} fixed in ${f.fixedVersion}` : `${f.package}: no fix yet`,
    ),
  );
  const cvss = first.cvss;
  const securitySeverity = a.classification === 'security' && cvss !== null ? formatCvss(cvss.score) : null;
  const tags = uniq([
    ...(a.classification === 'security' ? ['security', 'vulnerability'] : [a.classification]),
    a.source,
  ]);
  const helpText =
    `${a.id}${about}, from ${a.source}, affects ${sources.join(', ')}. ${fixes.join('; ')}.` +
    (a.url !== null ? ` See ${a.url}` : '');
  const helpMarkdown =
    `**${a.id}**${about}, from \`${a.source}\`, affects ${sources.map((s) => `\`${s}\``).join(', ')}.\n\n` +
    fixes.map((x) => `- ${x}`).join('\n') +
    (a.url !== null ? `\n\n[${a.id}](${a.url})` : '');
  return {
    id,
    shortDescription: { text: `${a.id}${about}: ${sources.join(', ')}` },
    fullDescription: { text: first.explanation },
    ...(a.url !== null ? { helpUri: a.url } : {}),
    help: { text: helpText, markdown: helpMarkdown },
    defaultConfiguration: { level: sarifLevel(first) },
    properties: {
      ...(securitySeverity !== null ? { 'security-severity': securitySeverity } : {}),
      tags,
      classification: a.classification,
      ...(cvss !== null
        ? { cvss: { score: cvss.score, version: cvss.version, vector: cvss.vector, cve: cvss.cve } }
        : {}),
    },
  };
}

export function formatSarif(report: ScanReport, options: ScanOutputOptions = {}): string {
  const os = report.host.os ?? report.inventory.os;
  const byRule = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byRule.get(f.advisory.id);
    if (list) list.push(f);
    else byRule.set(f.advisory.id, [f]);
  }
  const ruleIds = [...byRule.keys()].sort(cmp);
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const database = packageDatabasePath(report.inventory.manager, os);
  const results = report.findings.map((f) => {
    const purls = findingPurls(report.inventory, os, f);
    return {
      ruleId: f.advisory.id,
      ruleIndex: ruleIndex.get(f.advisory.id) as number,
      level: sarifLevel(f),
      message: { text: f.explanation },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: database } },
          logicalLocations: purls.map((purl) => ({
            name: f.package,
            fullyQualifiedName: purl,
            kind: 'module',
          })),
        },
      ],
      partialFingerprints: { 'patchloop/v1': findingFingerprint(f) },
      properties: {
        package: f.package,
        sourcePackage: f.sourcePackage,
        installedVersion: f.installedVersion,
        fixedVersion: f.fixedVersion,
        status: f.status,
        release: f.release,
        severity: severityOf(f),
        purls,
        kev: f.kev && {
          cve: f.kev.cve,
          dateAdded: f.kev.dateAdded,
          dueDate: f.kev.dueDate,
          ransomware: f.kev.ransomware,
        },
        epss: f.epss && { cve: f.epss.cve, score: f.epss.score, percentile: f.epss.percentile },
      },
    };
  });
  const doc = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: options.toolVersion ?? UNKNOWN_TOOL_VERSION,
            rules: ruleIds.map((id) => rule(id, byRule.get(id) ?? [])),
          },
        },
        invocations: [{ executionSuccessful: true, endTimeUtc: report.scannedAt }],
        results,
        properties: {
          os: os && { id: os.id, versionId: os.versionId, codename: os.codename, prettyName: os.prettyName },
          matchedAs: report.host.matchedAs && {
            ecosystem: report.host.matchedAs.ecosystem,
            releases: [...report.host.matchedAs.releases],
          },
          eol: { status: report.host.eol.status, explanation: report.host.eol.explanation },
          packages: report.summary.packages,
        },
      },
    ],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
