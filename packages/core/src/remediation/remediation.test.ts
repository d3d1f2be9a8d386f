import { describe, expect, it } from 'vitest';
import { classifyUpdates, type OfferedUpdate } from './catalogue.js';
import {
  greedyPlan,
  RemediationBuilder,
  remediations,
  targetVersion,
  type RemediationFinding,
} from './plan.js';

const f = (
  hostId: number,
  pkg: string,
  fixed: string,
  advisory: string,
  risk: number,
  kev = false,
): RemediationFinding => ({
  hostId,
  package: pkg,
  sourcePackage: pkg === 'libssl1.1' ? 'openssl' : pkg,
  fixedVersion: fixed,
  advisoryId: advisory,
  risk,
  kev,
  severity: kev ? 'critical' : 'high',
});

describe('targetVersion', () => {
  it('takes the offered version when it closes every fix, else the highest fixed version', () => {
    expect(targetVersion('debian', ['1.1.1n-0+deb10u3', '1.1.1n-0+deb10u10'], '1.1.1n-0+deb10u12')).toBe(
      '1.1.1n-0+deb10u12',
    );
    // deb10u10 > deb10u3 by Debian ordering (not string ordering).
    expect(targetVersion('debian', ['1.1.1n-0+deb10u3', '1.1.1n-0+deb10u10'], undefined)).toBe(
      '1.1.1n-0+deb10u10',
    );
    expect(targetVersion('debian', ['1.1.1n-0+deb10u10'], '1.1.1n-0+deb10u9')).toBe('1.1.1n-0+deb10u10');
    expect(targetVersion('rpm', ['1:3.0.7-27.el9'], '1:3.0.7-28.el9')).toBe('1:3.0.7-28.el9');
  });
});

describe('remediations', () => {
  const hosts = [
    { hostId: 1, versionScheme: 'debian' as const, candidates: new Map([['openssl', '1.1.1n-0+deb10u6']]) },
    { hostId: 2, versionScheme: 'debian' as const, candidates: new Map<string, string>() },
    { hostId: 3, versionScheme: 'debian' as const, candidates: new Map([['openssl', '1.1.1n-0+deb10u6']]) },
  ];
  const findings = [
    f(1, 'openssl', '1.1.1n-0+deb10u4', 'DSA-5343-1', 40),
    f(1, 'openssl', '1.1.1n-0+deb10u5', 'DLA-3449-1', 30),
    f(3, 'openssl', '1.1.1n-0+deb10u4', 'DSA-5343-1', 40),
    f(2, 'openssl', '1.1.1n-0+deb10u5', 'DLA-3449-1', 30),
    f(2, 'sudo', '1.8.27-1+deb10u3', 'DSA-4839-1', 94, true),
    f(9, 'curl', '7.64.0-4+deb10u9', 'DLA-1', 50), // unknown host: ignored
  ];

  it('gives the same remediations when built a few hosts at a time', () => {
    const whole = remediations(hosts, findings);
    for (const split of [[[1], [2, 3]], [[3], [1], [2]], [[2, 1, 3]]]) {
      const b = new RemediationBuilder();
      for (const ids of split) {
        b.add(
          hosts.filter((h) => ids.includes(h.hostId)),
          findings.filter((x) => ids.includes(x.hostId)),
        );
      }
      expect(b.result()).toEqual(whole);
    }
  });

  it('adds a host standing for N hosts as N copies of it, and keeps no targets for it', () => {
    // Hosts 1 and 3 offer the same update; host 3 has one finding less: 1 twice + 3 once + 2.
    const copies = [hosts[0]!, { ...hosts[0]!, hostId: 4 }, hosts[1]!, hosts[2]!];
    const copied = [...findings, ...findings.filter((x) => x.hostId === 1).map((x) => ({ ...x, hostId: 4 }))];
    const b = new RemediationBuilder(() => false);
    b.add([{ ...hosts[0]!, weight: 2 }, hosts[1]!, hosts[2]!], findings);
    const strip = (r: ReturnType<typeof remediations>) => r.map(({ hostIds: _, targets: __, ...x }) => x);
    expect(strip(b.result())).toEqual(strip(remediations(copies, copied)));
    // openssl to the offered deb10u6: host 1 (standing for two) and host 3.
    expect(b.result().find((x) => x.toVersion === '1.1.1n-0+deb10u6')?.hosts).toBe(3);
    expect(() => new RemediationBuilder().add([{ ...hosts[0]!, weight: 2 }], findings)).toThrow(/no targets/);
  });

  it('keeps per-host targets only for the source packages asked for', () => {
    const b = new RemediationBuilder((source) => source === 'sudo');
    b.add(hosts, findings);
    const r = b.result();
    const whole = remediations(hosts, findings);
    expect(r.map((x) => [x.package, x.hosts, x.findings, x.riskRemoved])).toEqual(
      whole.map((x) => [x.package, x.hosts, x.findings, x.riskRemoved]),
    );
    expect(r.find((x) => x.package === 'sudo')?.targets).toEqual(
      whole.find((x) => x.package === 'sudo')?.targets,
    );
    expect(r.find((x) => x.package === 'openssl')?.targets).toEqual([]);
  });

  it('groups by package and target version, largest risk first', () => {
    const r = remediations(hosts, findings);
    expect(r.map((x) => [x.package, x.toVersion, x.hosts, x.findings, x.riskRemoved, x.kev])).toEqual([
      ['openssl', '1.1.1n-0+deb10u6', 2, 3, 110, 0],
      ['sudo', '1.8.27-1+deb10u3', 1, 1, 94, 1],
      ['openssl', '1.1.1n-0+deb10u5', 1, 1, 30, 0],
    ]);
    expect(r[0]?.advisories).toEqual(['DLA-3449-1', 'DSA-5343-1']);
    expect(r[0]?.hostIds).toEqual([1, 3]);
    expect(r[1]?.severity).toBe('critical');
    expect(r[0]?.targets).toEqual([
      { hostId: 1, packages: [{ name: 'openssl', version: '1.1.1n-0+deb10u6' }] },
      { hostId: 3, packages: [{ name: 'openssl', version: '1.1.1n-0+deb10u6' }] },
    ]);
  });

  it('makes the binary packages of one source one remediation, each host with the binaries it has', () => {
    const r = remediations(hosts, [
      ...findings,
      f(1, 'libssl1.1', '1.1.1n-0+deb10u4', 'DSA-5343-1', 40),
      f(3, 'libssl1.1', '1.1.1n-0+deb10u4', 'DSA-5343-1', 40),
      f(2, 'libssl1.1', '1.1.1n-0+deb10u5', 'DLA-3449-1', 30),
    ]);
    const openssl = r.filter((x) => x.package === 'openssl');
    expect(openssl.map((x) => [x.toVersion, x.binaries, x.hosts, x.findings, x.riskRemoved])).toEqual([
      // Host 1 and 3: openssl goes to the offered deb10u6, libssl1.1 (nothing offered) to deb10u4;
      // the remediation is named after the highest.
      ['1.1.1n-0+deb10u6', ['libssl1.1', 'openssl'], 2, 5, 190],
      ['1.1.1n-0+deb10u5', ['libssl1.1', 'openssl'], 1, 2, 60],
    ]);
    expect(openssl[0]?.targets[0]).toEqual({
      hostId: 1,
      packages: [
        { name: 'libssl1.1', version: '1.1.1n-0+deb10u4' },
        { name: 'openssl', version: '1.1.1n-0+deb10u6' },
      ],
    });
  });

  it('plans greedily with the cumulative share of risk removed', () => {
    const plan = greedyPlan(remediations(hosts, findings), 2);
    expect(plan.totalRisk).toBe(234);
    expect(plan.steps.map((s) => [s.package, s.cumulativeRisk, s.cumulativeShare])).toEqual([
      ['openssl', 110, 0.47],
      ['sudo', 204, 0.872],
    ]);
    expect(greedyPlan([], 5)).toEqual({ steps: [], totalRisk: 0 });
  });
});

describe('classifyUpdates', () => {
  const u = (pkg: string, candidate: string, extra: Partial<OfferedUpdate> = {}): OfferedUpdate => ({
    package: pkg,
    arch: 'amd64',
    installedVersion: null,
    candidateVersion: candidate,
    repository: 'bookworm-updates',
    security: false,
    classification: null,
    advisoryIds: [],
    ...extra,
  });

  it('calls an update security when it closes a finding or comes from a security source', () => {
    const items = classifyUpdates(
      'debian',
      [
        u('tzdata', '2024a-0+deb12u1'),
        u('openssl', '3.0.13-1~deb12u1'),
        u('libc6', '2.36-9+deb12u7', { security: true, repository: 'bookworm-security' }),
        u('nano', '7.2-2', { classification: 'enhancement' }),
        u('bash', '5.2.15-2+b7'),
      ],
      [
        {
          package: 'openssl',
          advisoryId: 'DSA-5621-1',
          fixedVersion: '3.0.13-1~deb12u1',
          severity: 'high',
          kev: false,
        },
        // Needs a newer version than offered: the update does not close it.
        {
          package: 'bash',
          advisoryId: 'DSA-9999-1',
          fixedVersion: '5.2.15-2+b8',
          severity: 'critical',
          kev: true,
        },
      ],
    );
    expect(items.map((i) => [i.package, i.class, i.closes, i.severity])).toEqual([
      ['openssl', 'security', ['DSA-5621-1'], 'high'],
      ['libc6', 'security', [], null],
      ['bash', 'bugfix', [], null],
      ['nano', 'feature', [], null],
      ['tzdata', 'bugfix', [], null],
    ]);
  });
});
