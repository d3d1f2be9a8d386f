import { describe, expect, it } from 'vitest';
import type { OsIdentity } from '@patchloop/core';
import { BOM_SERIAL_NAMESPACE, CYCLONEDX_SCHEMA, dateTime, formatCycloneDx, uuidV5 } from './cyclonedx.js';
import { debianReport, finding, pkg, report } from './testing.js';

interface Bom {
  $schema: string;
  bomFormat: string;
  specVersion: string;
  serialNumber: string;
  version: number;
  metadata: {
    timestamp: string;
    tools: { components: { type: string; name: string; version: string }[] };
    component?: { type: string; name: string; version: string; 'bom-ref': string };
  };
  components: { type: string; 'bom-ref': string; name: string; version: string; purl: string }[];
  vulnerabilities: {
    id: string;
    source: { name: string; url?: string };
    references?: { id: string; source: { name: string; url: string } }[];
    ratings: {
      score?: number;
      severity: string;
      method: string;
      vector?: string;
      source?: { name: string };
    }[];
    description: string;
    detail: string;
    recommendation: string;
    advisories?: { url: string }[];
    updated?: string;
    affects: { ref: string; versions: { version: string; status: string }[] }[];
    properties: { name: string; value: string }[];
  }[];
}

const bomOf = (s: string) => JSON.parse(s) as Bom;
const SERIAL = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidV5', () => {
  it('matches RFC 9562 name-based UUIDs (Python uuid.uuid5)', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
    // Python: uuid.uuid5(uuid.NAMESPACE_URL, 'urn:patchloop:cyclonedx-serial-number')
    expect(BOM_SERIAL_NAMESPACE).toBe('4dada3fe-5213-5a6f-abe6-2767f3c28b53');
  });
});

describe('dateTime', () => {
  it('turns dates into date-times and keeps full date-times', () => {
    expect(dateTime('2022-03-15')).toBe('2022-03-15T00:00:00Z');
    expect(dateTime('2024-01-05T10:00:00Z')).toBe('2024-01-05T10:00:00Z');
    expect(dateTime('2024-01-05T10:00:00.123+02:00')).toBe('2024-01-05T10:00:00.123+02:00');
    expect(dateTime('2024-01-05T10:00')).toBeNull();
    expect(dateTime('yesterday')).toBeNull();
    expect(dateTime(null)).toBeNull();
  });
});

describe('formatCycloneDx', () => {
  const r = debianReport();
  const out = formatCycloneDx(r, { toolVersion: '1.2.3' });
  const bom = bomOf(out);

  it('is a CycloneDX 1.5 BOM', () => {
    expect(bom.$schema).toBe(CYCLONEDX_SCHEMA);
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.specVersion).toBe('1.5');
    expect(bom.version).toBe(1);
    expect(bom.serialNumber).toMatch(SERIAL);
    expect(out.endsWith('}\n')).toBe(true);
  });

  it('takes its serial number from the content: same report, same number; another report, another', () => {
    expect(formatCycloneDx(debianReport(), { toolVersion: '1.2.3' })).toBe(out);
    const later = bomOf(
      formatCycloneDx({ ...r, scannedAt: '2024-05-02T12:00:00.000Z' }, { toolVersion: '1.2.3' }),
    );
    expect(later.serialNumber).toMatch(SERIAL);
    expect(later.serialNumber).not.toBe(bom.serialNumber);
    const fewer = bomOf(formatCycloneDx({ ...r, findings: r.findings.slice(1) }, { toolVersion: '1.2.3' }));
    expect(fewer.serialNumber).not.toBe(bom.serialNumber);
  });

  it('describes the scan: timestamp, the tool, the OS as the BOM’s component', () => {
    expect(bom.metadata.timestamp).toBe(r.scannedAt);
    expect(bom.metadata.tools.components).toMatchObject([
      { type: 'application', name: 'patchloop', version: '1.2.3' },
    ]);
    expect(bom.metadata.component).toMatchObject({ type: 'operating-system', name: 'debian', version: '10' });
  });

  it('lists every inventory package as a library whose bom-ref is its purl, sorted', () => {
    expect(bom.components.map((c) => [c.type, c.name, c.version, c['bom-ref'] === c.purl])).toEqual([
      ['library', 'bash', '5.0-4', true],
      ['library', 'libssl1.1', '1.1.1d-0+deb10u2', true],
      ['library', 'openssl', '1.1.1d-0+deb10u2', true],
    ]);
    expect(bom.components[1]?.purl).toBe(
      'pkg:deb/debian/libssl1.1@1.1.1d-0%2Bdeb10u2?arch=amd64&distro=debian-10',
    );
  });

  it('dedupes components by purl', () => {
    const dup = report({
      packages: [pkg('bash', '5.0-4'), pkg('zlib1g', '1:1.2.11.dfsg-1'), pkg('bash', '5.0-4')],
    });
    const c = bomOf(formatCycloneDx(dup)).components;
    expect(c.map((x) => x.purl)).toEqual([
      'pkg:deb/debian/bash@5.0-4?arch=amd64&distro=debian-10',
      'pkg:deb/debian/zlib1g@1:1.2.11.dfsg-1?arch=amd64&distro=debian-10',
    ]);
  });

  it('writes rpm versions with the epoch and purls with the epoch qualifier', () => {
    const alma: OsIdentity = { id: 'almalinux', versionId: '9', codename: null, prettyName: 'AlmaLinux 9' };
    const rpm = report({
      os: alma,
      manager: 'rpm',
      packages: [pkg('openssl', '1:3.0.7-27.el9', { arch: 'x86_64' })],
      matchedAs: { ecosystem: 'AlmaLinux', releases: ['9'] },
    });
    expect(bomOf(formatCycloneDx(rpm)).components[0]).toMatchObject({
      version: '1:3.0.7-27.el9',
      purl: 'pkg:rpm/almalinux/openssl@3.0.7-27.el9?arch=x86_64&distro=almalinux-9&epoch=1',
    });
  });

  it('has one vulnerability per advisory, sorted by id, affecting each package it applies to', () => {
    expect(bom.vulnerabilities.map((v) => v.id)).toEqual(['CVE-2023-0465', 'DLA-3700-1', 'DSA-5103-1']);
    const dsa = bom.vulnerabilities[2] as Bom['vulnerabilities'][number];
    expect(dsa.affects).toEqual([
      {
        ref: 'pkg:deb/debian/libssl1.1@1.1.1d-0%2Bdeb10u2?arch=amd64&distro=debian-10',
        versions: [{ version: '1.1.1d-0+deb10u2', status: 'affected' }],
      },
      {
        ref: 'pkg:deb/debian/openssl@1.1.1d-0%2Bdeb10u2?arch=amd64&distro=debian-10',
        versions: [{ version: '1.1.1d-0+deb10u2', status: 'affected' }],
      },
    ]);
    expect(dsa.recommendation).toBe(
      'Update libssl1.1 to 1.1.1n-0+deb10u1; Update openssl to 1.1.1n-0+deb10u1',
    );
    expect(dsa.source).toEqual({
      name: 'Debian Security Advisories',
      url: 'https://security-tracker.debian.org/tracker/DSA-5103-1',
    });
    expect(dsa.advisories).toEqual([
      { title: 'DSA-5103-1', url: 'https://security-tracker.debian.org/tracker/DSA-5103-1' },
    ]);
    expect(dsa.references).toEqual([
      { id: 'CVE-2022-0778', source: { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2022-0778' } },
    ]);
    expect(dsa.description).toBe(r.findings[1]?.explanation);
    expect(dsa.detail.split('\n')).toEqual([r.findings[1]?.explanation, r.findings[2]?.explanation]);
    expect(dsa.updated).toBe('2022-03-15T00:00:00Z');
  });

  it('makes every affects ref resolve to a component', () => {
    const refs = new Set(bom.components.map((c) => c['bom-ref']));
    for (const v of bom.vulnerabilities) for (const a of v.affects) expect(refs.has(a.ref)).toBe(true);
    // Even for a package the inventory does not list.
    const orphan = report({ findings: [finding({ package: 'libssl3', installedVersion: '3.0.2-0' })] });
    const b = bomOf(formatCycloneDx(orphan));
    const ref = b.vulnerabilities[0]?.affects[0]?.ref;
    expect(ref).toBe('pkg:deb/debian/libssl3@3.0.2-0?distro=debian-10');
    expect(b.components.map((c) => c['bom-ref'])).toContain(ref);
  });

  it('rates by CVSS, and adds the assigned severity when it differs', () => {
    const dla = bom.vulnerabilities[1] as Bom['vulnerabilities'][number];
    expect(dla.ratings).toEqual([
      {
        score: 9.8,
        severity: 'critical',
        method: 'CVSSv31',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      },
    ]);
    const unfixed = bom.vulnerabilities[0] as Bom['vulnerabilities'][number];
    expect(unfixed.ratings).toEqual([{ source: { name: 'OSV' }, severity: 'low', method: 'other' }]);
    const v2 = finding({
      severity: 'medium',
      cvss: { score: 9.3, version: '2.0', vector: 'AV:N/AC:M/Au:N/C:C/I:C/A:C', cve: 'CVE-2010-1' },
    });
    const b = bomOf(formatCycloneDx(report({ findings: [v2] })));
    expect(b.vulnerabilities[0]?.ratings).toEqual([
      { score: 9.3, severity: 'high', method: 'CVSSv2', vector: 'AV:N/AC:M/Au:N/C:C/I:C/A:C' },
      { source: { name: 'Debian Security Advisories' }, severity: 'medium', method: 'other' },
    ]);
  });

  it('carries KEV and EPSS as properties', () => {
    const props = Object.fromEntries(
      (bom.vulnerabilities[1]?.properties ?? []).map((p) => [p.name, p.value]),
    );
    expect(props).toMatchObject({
      'patchloop:kev': 'true',
      'patchloop:kev:cve': 'CVE-2024-0001',
      'patchloop:kev:due_date': '2024-01-31',
      'patchloop:kev:ransomware': 'true',
      'patchloop:epss:score': '0.97123',
      'patchloop:epss:percentile': '0.999',
    });
    const none = Object.fromEntries((bom.vulnerabilities[0]?.properties ?? []).map((p) => [p.name, p.value]));
    expect(none['patchloop:kev']).toBe('false');
    expect(none).not.toHaveProperty('patchloop:epss:score');
    for (const v of bom.vulnerabilities) for (const p of v.properties) expect(typeof p.value).toBe('string');
  });

  it('writes no OS component and namespace-less purls when the OS is unknown', () => {
    const b = bomOf(formatCycloneDx(report({ os: null, matchedAs: null })));
    expect(b.metadata.component).toBeUndefined();
    expect(b.components[0]?.purl).toBe('pkg:deb/bash@5.0-4?arch=amd64');
  });
});
