/**
 * The matcher's trap cases, each its own test, on hand-made advisories shaped
 * exactly like the parsed Debian tracker and OSV records.
 */
import { describe, expect, it } from 'vitest';
import type { Advisory, AffectedPackage, CveRecord, KevEntry } from '../advisory/model.js';
import type { InstalledPackage, Inventory, OsIdentity } from '../inventory/model.js';
import { parseDpkgStatus } from '../inventory/dpkg-status.js';
import { enrichmentFrom, indexAdvisories } from './advisory-source.js';
import { assessHost } from './assess.js';
import { TupleCache } from './engine.js';

const BUSTER: OsIdentity = {
  id: 'debian',
  versionId: '10',
  codename: 'buster',
  prettyName: 'Debian GNU/Linux 10 (buster)',
};
const NOW = new Date('2026-11-23T00:00:00Z');

function pkg(name: string, version: string, source?: [string, string]): InstalledPackage {
  return {
    name,
    version,
    arch: 'amd64',
    sourceName: source?.[0] ?? name,
    sourceVersion: source?.[1] ?? version,
    vendor: null,
  };
}

function entry(
  pkgName: string,
  release: string,
  fixed: string | null,
  status: AffectedPackage['status'] = 'fixed',
): AffectedPackage {
  return {
    ecosystem: 'Debian',
    release,
    package: pkgName,
    packageKind: 'source',
    status,
    ranges:
      status === 'not-affected'
        ? []
        : [{ type: 'ECOSYSTEM', events: fixed ? [{ introduced: '0' }, { fixed }] : [{ introduced: '0' }] }],
    versions: [],
    fixedVersion: fixed,
    severity: null,
  };
}

function dsa(id: string, cves: string[], affected: AffectedPackage[]): Advisory {
  return {
    id,
    source: 'debian-dsa',
    aliases: cves,
    related: [],
    published: '2020-04-21',
    modified: '2020-04-21',
    withdrawn: null,
    summary: 'security update',
    details: '',
    classification: 'security',
    severity: null,
    affected,
    references: [],
    url: `https://security-tracker.debian.org/tracker/${id}`,
  };
}

function scan(
  packages: InstalledPackage[],
  advisories: Advisory[],
  extra: { cves?: CveRecord[]; kev?: KevEntry[] } = {},
) {
  const inventory: Inventory = { os: BUSTER, manager: 'dpkg', packages, kernel: null };
  return assessHost({
    inventory,
    advisories: indexAdvisories(advisories),
    enrichment: enrichmentFrom(extra),
    now: NOW,
  });
}

const OPENSSL = dsa('DSA-4661-1', ['CVE-2020-1967'], [entry('openssl', 'buster', '1.1.1d-0+deb10u3')]);

describe('matcher trap cases (Debian)', () => {
  it('reports an installed source version below the fix, with its explanation', () => {
    const r = scan([pkg('openssl', '1.1.1d-0+deb10u2')], [OPENSSL]);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      package: 'openssl',
      sourcePackage: 'openssl',
      installedVersion: '1.1.1d-0+deb10u2',
      fixedVersion: '1.1.1d-0+deb10u3',
      status: 'fixable',
      release: 'buster',
      advisory: { id: 'DSA-4661-1', aliases: ['CVE-2020-1967'], source: 'debian-dsa' },
      explanation:
        'openssl 1.1.1d-0+deb10u2 < 1.1.1d-0+deb10u3 fixed by DSA-4661-1 (CVE-2020-1967) for buster',
    });
  });

  it('matches binaries by their source package, and each binary of one source gets its finding', () => {
    const r = scan(
      [
        pkg('libssl1.1', '1.1.1d-0+deb10u2', ['openssl', '1.1.1d-0+deb10u2']),
        pkg('openssl', '1.1.1d-0+deb10u2'),
      ],
      [OPENSSL],
    );
    expect(r.findings.map((f) => [f.package, f.sourcePackage])).toEqual([
      ['libssl1.1', 'openssl'],
      ['openssl', 'openssl'],
    ]);
    expect(r.findings[0]?.explanation).toBe(
      'libssl1.1 (source openssl 1.1.1d-0+deb10u2) < 1.1.1d-0+deb10u3 fixed by DSA-4661-1 (CVE-2020-1967) for buster',
    );
  });

  it('compares the source version, not the binNMU binary version (+b1)', () => {
    // Binary 1.1.1d-0+deb10u3+b1 is a rebuild of source 1.1.1d-0+deb10u3: fixed.
    const fixed = scan([pkg('libssl1.1', '1.1.1d-0+deb10u3+b1', ['openssl', '1.1.1d-0+deb10u3'])], [OPENSSL]);
    expect(fixed.findings).toEqual([]);
    // A binNMU of the vulnerable source is still vulnerable, though "+b1" sorts after "+deb10u2".
    const vulnerable = scan(
      [pkg('libssl1.1', '1.1.1d-0+deb10u2+b1', ['openssl', '1.1.1d-0+deb10u2'])],
      [OPENSSL],
    );
    expect(vulnerable.findings).toHaveLength(1);
  });

  it('orders +debNuM security updates numerically (u10 is after u9)', () => {
    const adv = dsa('DSA-5000-1', ['CVE-2021-1'], [entry('glibc', 'buster', '2.28-10+deb10u10')]);
    expect(
      scan([pkg('libc6', '2.28-10+deb10u9', ['glibc', '2.28-10+deb10u9'])], [adv]).findings,
    ).toHaveLength(1);
    expect(scan([pkg('libc6', '2.28-10+deb10u10', ['glibc', '2.28-10+deb10u10'])], [adv]).findings).toEqual(
      [],
    );
  });

  it('orders ~ backport suffixes before the release they backport', () => {
    const adv = dsa('DSA-5001-1', ['CVE-2021-2'], [entry('firefox-esr', 'buster', '78.15.0esr-1~deb10u1')]);
    expect(scan([pkg('firefox-esr', '78.15.0esr-1~deb10u0')], [adv]).findings).toHaveLength(1);
    expect(scan([pkg('firefox-esr', '78.15.0esr-1~deb10u1')], [adv]).findings).toEqual([]);
    expect(scan([pkg('firefox-esr', '78.15.0esr-1')], [adv]).findings).toEqual([]); // 1 > 1~deb10u1
  });

  it('respects epochs', () => {
    const adv = dsa('DSA-5002-1', ['CVE-2021-3'], [entry('xorg-server', 'buster', '2:1.20.4-1+deb10u4')]);
    // Without the epoch 99.0 is still older than 2:1.20.4.
    expect(
      scan([pkg('xserver-xorg-core', '99.0-1', ['xorg-server', '99.0-1'])], [adv]).findings,
    ).toHaveLength(1);
    expect(
      scan([pkg('xserver-xorg-core', '2:1.20.4-1+deb10u4', ['xorg-server', '2:1.20.4-1+deb10u4'])], [adv])
        .findings,
    ).toEqual([]);
  });

  it('never reports <not-affected>', () => {
    const adv = dsa('DSA-5003-1', ['CVE-2021-4'], [entry('openssl', 'buster', null, 'not-affected')]);
    expect(scan([pkg('openssl', '1.1.1d-0+deb10u2')], [adv]).findings).toEqual([]);
  });

  it('reports <unfixed> and <end-of-life> as unfixed, with no fixed version', () => {
    const unfixed = dsa('DLA-3000-1', ['CVE-2021-5'], [entry('imagemagick', 'buster', null, 'unfixed')]);
    const eol = dsa('DLA-3001-1', ['CVE-2021-6'], [entry('imagemagick', 'buster', null, 'end-of-life')]);
    const r = scan([pkg('imagemagick', '8:6.9.10.23+dfsg-2.1+deb10u1')], [unfixed, eol]);
    expect(r.findings.map((f) => [f.advisory.id, f.status, f.fixedVersion])).toEqual([
      ['DLA-3000-1', 'unfixed', null],
      ['DLA-3001-1', 'unfixed', null],
    ]);
    expect(r.findings[1]?.explanation).toContain(
      'the release no longer gets fixes for this package (end-of-life)',
    );
    expect(r.summary).toMatchObject({ findings: 2, fixable: 0, unfixed: 2 });
  });

  it('does not report a removed package whose configuration files remain (deinstall)', () => {
    const status = [
      'Package: openssl',
      'Status: deinstall ok config-files',
      'Architecture: amd64',
      'Version: 1.1.1d-0+deb10u2',
      '',
      'Package: libssl1.1',
      'Status: install ok installed',
      'Architecture: amd64',
      'Source: openssl',
      'Version: 1.1.1n-0+deb10u3',
      '',
    ].join('\n');
    const packages = parseDpkgStatus(status);
    expect(packages.map((p) => p.name)).toEqual(['libssl1.1']);
    expect(scan(packages, [OPENSSL]).findings).toEqual([]);
  });

  it('ignores advisories for other releases', () => {
    const stretchOnly = dsa('DSA-4000-1', ['CVE-2017-1'], [entry('openssl', 'stretch', '1.1.0l-1~deb9u1')]);
    expect(scan([pkg('openssl', '1.1.0a-1')], [stretchOnly]).findings).toEqual([]);
  });

  it('matches OSV "Debian:10" records by version number as well as codename', () => {
    const osv = {
      ...dsa('DEBIAN-CVE-2020-1967', ['CVE-2020-1967'], [entry('openssl', '10', '1.1.1d-0+deb10u3')]),
      source: 'osv' as const,
    };
    expect(scan([pkg('openssl', '1.1.1d-0+deb10u2')], [osv]).findings[0]).toMatchObject({ release: '10' });
  });

  it("counts a DSA and OSV's DEBIAN-CVE record of the same CVE and fix once, naming both", () => {
    const osv = (id: string, cves: string[], affected: AffectedPackage[]) => ({
      ...dsa(id, cves, affected),
      source: 'osv' as const,
    });
    const fixed = '1.1.1d-0+deb10u3';
    const advisories = [
      osv('DSA-4661-1', ['CVE-2020-1967', 'CVE-2020-1968'], [entry('openssl', '10', fixed)]),
      osv('DEBIAN-CVE-2020-1967', ['CVE-2020-1967'], [entry('openssl', '10', fixed)]),
      // Another fixed version: not the DSA's fix, so it stays a finding of its own.
      osv('DEBIAN-CVE-2020-1968', ['CVE-2020-1968'], [entry('openssl', '10', '1.1.1d-0+deb10u4')]),
      // Unfixed in the release (no DSA): stays.
      osv('DEBIAN-CVE-2020-9999', ['CVE-2020-9999'], [entry('openssl', '10', null, 'unfixed')]),
    ];
    const r = scan([pkg('openssl', '1.1.1d-0+deb10u2')], advisories);
    expect(r.findings.map((f) => f.advisory.id).sort()).toEqual([
      'DEBIAN-CVE-2020-1968',
      'DEBIAN-CVE-2020-9999',
      'DSA-4661-1',
    ]);
    const dsaFinding = r.findings.find((f) => f.advisory.id === 'DSA-4661-1');
    expect(dsaFinding?.explanation).toMatch(/fixed by DSA-4661-1 .*; also DEBIAN-CVE-2020-1967$/);
    expect(r.summary).toMatchObject({ findings: 3, fixable: 2, unfixed: 1 });
  });

  it('finds nothing on a fully patched host', () => {
    const r = scan(
      [
        pkg('openssl', '1.1.1n-0+deb10u3'),
        pkg('libssl1.1', '1.1.1n-0+deb10u3', ['openssl', '1.1.1n-0+deb10u3']),
      ],
      [OPENSSL],
    );
    expect(r.findings).toEqual([]);
    expect(r.summary).toMatchObject({ packages: 2, findings: 0, fixable: 0 });
  });

  it('enriches with the highest CVSS, KEV with its due date, and sorts by severity', () => {
    const cve = (id: string, score: number): CveRecord => ({
      id,
      state: 'PUBLISHED',
      published: null,
      modified: null,
      assigner: null,
      description: '',
      cvss: [
        {
          version: '3.1',
          vector: `CVSS:3.1/x-${id}`,
          baseScore: score,
          severity: score >= 9 ? 'critical' : 'medium',
          statedScore: null,
          source: 'cna',
        },
      ],
      cwes: [],
      references: [],
    });
    const kev: KevEntry = {
      cveId: 'CVE-2021-44228',
      vendorProject: 'Apache',
      product: 'Log4j2',
      vulnerabilityName: 'Log4Shell',
      dateAdded: '2021-12-10',
      dueDate: '2021-12-24',
      knownRansomwareCampaignUse: true,
      requiredAction: 'Apply updates',
      shortDescription: '',
      notes: '',
      cwes: [],
    };
    const log4j = dsa(
      'DSA-5020-1',
      ['CVE-2021-44228'],
      [entry('apache-log4j2', 'buster', '2.15.0-1~deb10u1')],
    );
    const r = scan(
      [pkg('openssl', '1.1.1d-0+deb10u2'), pkg('liblog4j2-java', '2.11.1-2', ['apache-log4j2', '2.11.1-2'])],
      [OPENSSL, log4j],
      {
        cves: [cve('CVE-2020-1967', 5.9), cve('CVE-2021-44228', 10)],
        kev: [kev],
      },
    );
    expect(r.findings.map((f) => [f.package, f.severity, f.cvss?.score, f.kev?.dueDate ?? null])).toEqual([
      ['liblog4j2-java', 'critical', 10, '2021-12-24'],
      ['openssl', 'medium', 5.9, null],
    ]);
    expect(r.summary.kev).toBe(1);
  });

  it('evaluates each distinct (package, version) once across hosts', () => {
    const cache = new TupleCache();
    const inventory: Inventory = {
      os: BUSTER,
      manager: 'dpkg',
      packages: [pkg('openssl', '1.1.1d-0+deb10u2')],
      kernel: null,
    };
    const input = {
      inventory,
      advisories: indexAdvisories([OPENSSL]),
      enrichment: enrichmentFrom({}),
      now: NOW,
      cache,
    };
    for (let i = 0; i < 100; i++) expect(assessHost(input).findings).toHaveLength(1);
    expect(cache).toMatchObject({ misses: 1, hits: 99 });
    expect(cache.invalidatePackages(['openssl'])).toBe(1);
    assessHost(input);
    expect(cache.misses).toBe(2);
  });
});

describe('matcher: RPM inventories that do not record epochs', () => {
  const RHEL9: OsIdentity = {
    id: 'rhel',
    versionId: '9.5',
    codename: null,
    prettyName: 'Red Hat Enterprise Linux 9.5',
  };
  const alsa: Advisory = {
    ...dsa('ALSA-2023:2074', ['CVE-2023-28617'], []),
    source: 'osv',
    url: null,
    affected: [
      {
        ecosystem: 'AlmaLinux',
        release: '9',
        package: 'emacs-filesystem',
        packageKind: 'binary',
        status: 'fixed',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:27.2-6.el9_1.1' }] }],
        versions: [],
        fixedVersion: '1:27.2-6.el9_1.1',
        severity: 'medium',
      },
    ],
  };
  const host = (p: InstalledPackage) =>
    assessHost({
      inventory: { os: RHEL9, manager: 'rpm', packages: [p], kernel: null },
      advisories: indexAdvisories([alsa]),
      enrichment: enrichmentFrom({}),
      now: NOW,
    });

  it('compares version-release only when the inventory cannot know the epoch', () => {
    // An image manifest lists emacs-filesystem 27.2-8.el9 without its epoch (1):
    // read as epoch 0 it would look older than 1:27.2-6.el9_1.1; it is newer.
    const manifest = { ...pkg('emacs-filesystem', '27.2-8.el9'), epochKnown: false };
    expect(host(manifest).findings).toEqual([]);
    const older = { ...pkg('emacs-filesystem', '27.2-5.el9'), epochKnown: false };
    // Compared without the epoch, but the fix shown is the version to install, epoch and all.
    expect(host(older).findings[0]).toMatchObject({ fixedVersion: '1:27.2-6.el9_1.1', status: 'fixable' });
  });

  it('keeps epochs when the inventory records them', () => {
    // From the rpm database, an epoch-less 27.2-8.el9 really is epoch 0: older than epoch 1.
    expect(host(pkg('emacs-filesystem', '27.2-8.el9')).findings).toHaveLength(1);
  });
});

describe('matcher: one finding per advisory and installed package', () => {
  const adv = (id: string, source: Advisory['source'], aliases: string[], eco: string, release: string) => ({
    ...dsa(id, aliases, [
      { ...entry('openssl', release, '3.0.7-27.el9'), ecosystem: eco, packageKind: 'binary' as const },
    ]),
    source,
  });
  const RHEL9: OsIdentity = { id: 'rhel', versionId: '9', codename: null, prettyName: null };
  const rpm = (version: string, arch: string): InstalledPackage => ({
    ...pkg('openssl', version),
    arch,
    vendor: 'Red Hat, Inc.',
  });
  const run = (packages: InstalledPackage[], advisories: Advisory[]) =>
    assessHost({
      inventory: { os: RHEL9, manager: 'rpm', packages, kernel: null },
      advisories: indexAdvisories(advisories),
      enrichment: enrichmentFrom({}),
      now: NOW,
    });

  it("counts AlmaLinux's and Rocky's copies of one Red Hat erratum once", () => {
    const alsa = adv('ALSA-2024:1', 'osv', ['CVE-2024-1', 'RHSA-2024:1'], 'AlmaLinux', '9');
    const rlsa = adv('RLSA-2024:1', 'osv', ['CVE-2024-1', 'RHSA-2024:1'], 'Rocky Linux', '9');
    expect(run([rpm('3.0.7-25.el9', 'x86_64')], [alsa, rlsa]).findings.map((f) => f.advisory.id)).toEqual([
      'ALSA-2024:1',
    ]);
  });

  it('keeps a finding per architecture and per installed version (multilib, two kernels)', () => {
    const alsa = adv('ALSA-2024:2', 'osv', ['CVE-2024-2'], 'AlmaLinux', '9');
    const r = run(
      [rpm('3.0.7-25.el9', 'x86_64'), rpm('3.0.7-25.el9', 'i686'), rpm('3.0.7-26.el9', 'x86_64')],
      [alsa],
    );
    expect(r.findings.map((f) => [f.arch, f.installedVersion])).toEqual([
      ['i686', '3.0.7-25.el9'],
      ['x86_64', '3.0.7-25.el9'],
      ['x86_64', '3.0.7-26.el9'],
    ]);
  });

  it('ignores withdrawn advisories', () => {
    const withdrawn = {
      ...adv('ALSA-2024:3', 'osv', ['CVE-2024-3'], 'AlmaLinux', '9'),
      withdrawn: '2024-05-01T00:00:00Z',
    };
    expect(run([rpm('3.0.7-25.el9', 'x86_64')], [withdrawn]).findings).toEqual([]);
  });

  it('refuses an inventory of the wrong package manager for the OS', () => {
    expect(() =>
      assessHost({
        inventory: { os: BUSTER, manager: 'rpm', packages: [rpm('3.0.7-25.el9', 'x86_64')], kernel: null },
        advisories: indexAdvisories([]),
        enrichment: enrichmentFrom({}),
        now: NOW,
      }),
    ).toThrowError(/a rpm inventory cannot be a .*check --os/);
  });

  it('refuses a Debian host whose release cannot be told', () => {
    const unknown: OsIdentity = { id: 'debian', versionId: '', codename: null, prettyName: null };
    expect(() => scanWith(unknown)).toThrowError(/cannot tell which debian release/);
  });
});

function scanWith(os: OsIdentity) {
  return assessHost({
    inventory: { os, manager: 'dpkg', packages: [pkg('openssl', '1.0')], kernel: null },
    advisories: indexAdvisories([]),
    enrichment: enrichmentFrom({}),
    now: NOW,
  });
}
