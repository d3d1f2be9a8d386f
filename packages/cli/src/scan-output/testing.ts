/**
 * Hand-made scan reports for the output format tests: a Debian 10 host with
 * a few findings (fixable and unfixed, KEV and EPSS, source packages that
 * differ from the binary), and makers to vary them.
 */
import type {
  Finding,
  InstalledPackage,
  Inventory,
  OsIdentity,
  ScanReport,
  ScanSummary,
} from '@patchloop/core';

export const DEBIAN_10: OsIdentity = {
  id: 'debian',
  versionId: '10',
  codename: 'buster',
  prettyName: 'Debian GNU/Linux 10 (buster)',
};

export function pkg(name: string, version: string, over: Partial<InstalledPackage> = {}): InstalledPackage {
  return {
    name,
    version,
    arch: 'amd64',
    sourceName: name,
    sourceVersion: version,
    vendor: null,
    ...over,
  };
}

export type FindingInput = Partial<Omit<Finding, 'advisory'>> & { advisory?: Partial<Finding['advisory']> };

export function finding(over: FindingInput = {}): Finding {
  const { advisory, ...rest } = over;
  return {
    package: 'libssl1.1',
    arch: 'amd64',
    sourcePackage: 'openssl',
    installedVersion: '1.1.1d-0+deb10u2',
    fixedVersion: '1.1.1n-0+deb10u1',
    status: 'fixable',
    release: 'buster',
    severity: 'high',
    cvss: {
      score: 7.5,
      version: '3.1',
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
      cve: 'CVE-2022-0778',
    },
    kev: null,
    epss: { cve: 'CVE-2022-0778', score: 0.01234, percentile: 0.85 },
    explanation:
      'libssl1.1 (source openssl 1.1.1d-0+deb10u2) < 1.1.1n-0+deb10u1 fixed by DSA-5103-1 (CVE-2022-0778) for buster',
    ...rest,
    advisory: {
      id: 'DSA-5103-1',
      aliases: ['CVE-2022-0778'],
      source: 'debian-dsa',
      url: 'https://security-tracker.debian.org/tracker/DSA-5103-1',
      modified: '2022-03-15',
      classification: 'security',
      ...advisory,
    },
  };
}

/** Counts a summary from findings, as assessHost does. */
export function summaryOf(findings: readonly Finding[], packages: number, thirdParty = 0): ScanSummary {
  const bySeverity = { critical: 0, high: 0, medium: 0, low: 0, none: 0, unknown: 0 };
  for (const f of findings) bySeverity[f.severity ?? 'unknown']++;
  return {
    packages,
    findings: findings.length,
    fixable: findings.filter((f) => f.status === 'fixable').length,
    unfixed: findings.filter((f) => f.status === 'unfixed').length,
    kev: findings.filter((f) => f.kev !== null).length,
    bySeverity,
    thirdParty,
  };
}

export interface ReportInput {
  os?: OsIdentity | null;
  manager?: Inventory['manager'];
  packages?: readonly InstalledPackage[];
  findings?: readonly Finding[];
  matchedAs?: ScanReport['host']['matchedAs'];
  eol?: Partial<ScanReport['host']['eol']>;
  kernel?: string | null;
  scannedAt?: string;
}

export function report(input: ReportInput = {}): ScanReport {
  const os = input.os === undefined ? DEBIAN_10 : input.os;
  const packages = input.packages ?? [
    pkg('libssl1.1', '1.1.1d-0+deb10u2', { sourceName: 'openssl' }),
    pkg('openssl', '1.1.1d-0+deb10u2'),
    pkg('bash', '5.0-4'),
  ];
  const findings = input.findings ?? [];
  return {
    host: {
      os,
      matchedAs:
        input.matchedAs === undefined ? { ecosystem: 'Debian', releases: ['buster', '10'] } : input.matchedAs,
      eol: {
        status: 'eol',
        product: 'debian',
        cycle: '10',
        eol: '2022-09-10',
        extendedSupportEnd: null,
        explanation: 'debian 10 reached end of life on 2022-09-10: it gets no security fixes',
        ...input.eol,
      },
    },
    summary: summaryOf(findings, packages.length),
    findings,
    inventory: { os, manager: input.manager ?? 'dpkg', packages, kernel: input.kernel ?? '4.19.0-18-amd64' },
    scannedAt: input.scannedAt ?? '2024-05-01T12:00:00.000Z',
  };
}

/** A Debian report with three findings: a critical KEV one, a high fixable one, an unfixed low one. */
export function debianReport(): ScanReport {
  const findings: Finding[] = [
    finding({
      package: 'bash',
      sourcePackage: 'bash',
      installedVersion: '5.0-4',
      fixedVersion: '5.0-4+deb10u1',
      severity: 'critical',
      cvss: {
        score: 9.8,
        version: '3.1',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        cve: 'CVE-2024-0001',
      },
      kev: { cve: 'CVE-2024-0001', dateAdded: '2024-01-10', dueDate: '2024-01-31', ransomware: true },
      epss: { cve: 'CVE-2024-0001', score: 0.97123, percentile: 0.999 },
      explanation: 'bash 5.0-4 < 5.0-4+deb10u1 fixed by DLA-3700-1 (CVE-2024-0001, CVE-2024-0002) for buster',
      release: 'buster',
      advisory: {
        id: 'DLA-3700-1',
        aliases: ['CVE-2024-0001', 'CVE-2024-0002'],
        source: 'debian-dla',
        url: 'https://security-tracker.debian.org/tracker/DLA-3700-1',
        modified: '2024-01-05T10:00:00Z',
      },
    }),
    finding(),
    finding({
      package: 'openssl',
      explanation:
        'openssl 1.1.1d-0+deb10u2 < 1.1.1n-0+deb10u1 fixed by DSA-5103-1 (CVE-2022-0778) for buster',
    }),
    finding({
      package: 'openssl',
      fixedVersion: null,
      status: 'unfixed',
      severity: 'low',
      cvss: null,
      epss: null,
      explanation:
        'openssl 1.1.1d-0+deb10u2 is affected by CVE-2023-0465 for buster: no fixed version yet (introduced 0)',
      advisory: {
        id: 'CVE-2023-0465',
        aliases: [],
        source: 'osv',
        url: null,
        modified: null,
      },
    }),
  ];
  return report({ findings });
}
