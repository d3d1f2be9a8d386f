/**
 * Test support: a finding as core's assessment gives it (fixable at 9.9,
 * bookworm), for store tests that write findings.
 */
import type { Finding } from '@patchloop/core';

export function testFinding(
  advisory: string,
  pkg: string,
  installed: string,
  more: Partial<Pick<Finding, 'severity' | 'cvss' | 'epss'>> & { kev?: boolean; aliases?: string[] } = {},
): Finding {
  const cve = more.aliases?.[0] ?? 'CVE-2024-0001';
  return {
    package: pkg,
    arch: 'amd64',
    sourcePackage: pkg,
    installedVersion: installed,
    fixedVersion: '9.9',
    status: 'fixable',
    advisory: {
      id: advisory,
      aliases: more.aliases ?? [cve],
      source: 'debian-dsa',
      url: null,
      modified: null,
      classification: 'security',
    },
    release: 'bookworm',
    severity: more.severity ?? 'high',
    cvss: more.cvss ?? null,
    kev: more.kev ? { cve, dateAdded: '2024-01-01', dueDate: '2024-01-22', ransomware: false } : null,
    epss: more.epss ?? null,
    explanation: `${pkg} ${installed} < 9.9 fixed by ${advisory}`,
  };
}
