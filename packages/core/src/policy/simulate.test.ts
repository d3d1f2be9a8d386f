/**
 * Simulation over a real inventory (../shared/fixtures/inventories/normalized/debian-buster.csv)
 * and real Debian security advisories, read from
 * ../shared/fixtures/debian-security-tracker/DSA-list.txt by id:
 *   DSA-4535-1 e2fsprogs  27 Sep 2019  1.44.5-1+deb10u2      CVE-2019-5094
 *   DSA-4652-1 gnutls28   04 Apr 2020  3.6.7-4+deb10u3       CVE-2020-11501
 *   DSA-4697-1 gnutls28   06 Jun 2020  3.6.7-4+deb10u4       CVE-2020-13777
 *   DSA-4839-1 sudo       26 Jan 2021  1.8.27-1+deb10u3      CVE-2021-3156 (in the KEV fixture)
 *   DSA-4850-1 libzstd    10 Feb 2021  1.3.8+dfsg-3+deb10u1  CVE-2021-24031
 *   DSA-4859-1 libzstd    20 Feb 2021  1.3.8+dfsg-3+deb10u2  CVE-2021-24032
 *   DSA-4933-1 nettle     18 Jun 2021  3.4.1-1+deb10u1       CVE-2021-3580 CVE-2021-20305
 *   DSA-4942-1 systemd    20 Jul 2021  241-7~deb10u8         CVE-2021-33910
 *   DSA-5122-1 gzip       18 Apr 2022  1.9-3+deb10u1         CVE-2022-1271
 *   DSA-5123-1 xz-utils   18 Apr 2022  5.2.4-1+deb10u1       CVE-2022-1271
 * Candidate versions the "agent" reports are illustrative.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readFixture } from '@patchloop/test-support';
import type { InstalledPackage } from '../inventory/model.js';
import { parseInventoryCsv } from '../inventory/normalized-csv.js';
import { debian } from '../version/debian.js';
import { parsePolicy, parsePolicyText } from './parse.js';
import type { SimFinding, SimHost, SimUpdate } from './simulate.js';
import { PLAN_CACHE, simulatePolicy, type HostPlan } from './simulate.js';

const policy = parsePolicyText(readFileSync(new URL('testdata/buster-fleet.yaml', import.meta.url), 'utf8'));

interface Dsa {
  id: string;
  published: string;
  cves: string[];
  source: string;
  fixed: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** One DSA's buster fix, as DSA-list.txt records it. */
function dsa(id: string): Dsa {
  const lines = readFixture('debian-security-tracker', 'DSA-list.txt').split('\n');
  const at = lines.findIndex((l) => l.includes(`] ${id} `));
  const head = /^\[(\d{2}) (\w{3}) (\d{4})\] (\S+) (\S+) /.exec(lines[at] ?? '');
  if (head === null) throw new Error(`${id} not in DSA-list.txt`);
  const [, day, month, year] = head as unknown as [string, string, string, string];
  const body = lines.slice(
    at + 1,
    lines.findIndex((l, i) => i > at && l.startsWith('[')),
  );
  const fix = body.map((l) => /^\t\[buster\] - (\S+) (\S+)/.exec(l)).find((m) => m !== null);
  if (!fix) throw new Error(`${id} has no buster fix`);
  const mm = String(MONTHS.indexOf(month) + 1).padStart(2, '0');
  const cves = body.flatMap((l) => (/^\t\{(.*)\}$/.exec(l)?.[1] ?? '').split(' ')).filter((c) => c !== '');
  return { id, published: `${year}-${mm}-${day}`, cves, source: fix[1] as string, fixed: fix[2] as string };
}

const inventory = parseInventoryCsv(readFixture('inventories', 'normalized', 'debian-buster.csv'));
const SUDO: InstalledPackage = {
  name: 'sudo',
  version: '1.8.27-1+deb10u2',
  arch: 'amd64',
  sourceName: 'sudo',
  sourceVersion: '1.8.27-1+deb10u2',
  vendor: null,
};

/** What assessment would report: every installed binary of the DSA's source below its fixed version. */
function findings(ids: string[], packages: readonly InstalledPackage[], kev: string[] = []): SimFinding[] {
  return ids.map(dsa).flatMap((d) =>
    packages
      .filter((p) => p.sourceName === d.source && debian.compare(p.version, d.fixed) < 0)
      .map((p) => ({
        advisoryId: d.id,
        aliases: d.cves,
        package: p.name,
        sourcePackage: p.sourceName,
        installedVersion: p.version,
        fixedVersion: d.fixed,
        status: 'fixable' as const,
        severity: null,
        classification: 'security' as const,
        kev: d.cves.some((c) => kev.includes(c)),
        published: d.published,
      })),
  );
}

const DSAS = [
  'DSA-4535-1',
  'DSA-4652-1',
  'DSA-4697-1',
  'DSA-4850-1',
  'DSA-4859-1',
  'DSA-4933-1',
  'DSA-4942-1',
];
const APRIL_2022 = [...DSAS, 'DSA-5122-1', 'DSA-5123-1'];
const candidate = (pkg: string, version: string, security = true): SimUpdate => ({
  package: pkg,
  candidateVersion: version,
  classification: null,
  security,
  releaseDate: null,
});
const UPDATES = [
  candidate('libgnutls30', '3.6.7-4+deb10u7'),
  candidate('libsystemd0', '241-7~deb10u8'),
  candidate('libzstd1', '1.3.8+dfsg-3+deb10u2'),
  candidate('liblzma5', '5.2.4-1+deb10u1'),
  candidate('tzdata', '2021a-0+deb10u3', false),
];

let nextId = 1;
function busterHost(hostname: string, tags: string[], extra: Partial<SimHost> = {}): SimHost {
  return {
    id: nextId++,
    hostname,
    os: { id: 'debian', versionId: '10' },
    tags,
    groups: [],
    versionScheme: 'debian',
    findings: findings(APRIL_2022, inventory.packages),
    updates: UPDATES,
    exceptions: [{ advisoryId: 'CVE-2019-5094', package: null, expiresAt: '2022-06-30T00:00:00Z' }],
    ...extra,
  };
}

const pilot = busterHost('buster-pilot-01', ['linux', 'pilot']);
const web = busterHost('buster-web-01', ['linux']);
const frozen = busterHost('buster-legacy-01', ['linux', 'frozen']);
const alma = { ...busterHost('alma-01', ['linux']), os: { id: 'almalinux', versionId: '9' } };
const clean = busterHost('buster-clean-01', ['linux'], { findings: [], updates: [] });
const HOSTS = [web, alma, frozen, clean, pilot];

// Saturday 2022-04-23, 03:00 in Berlin (01:00Z): the window (02:00–06:00 CEST) is open; the gzip and
// xz-utils DSAs of Monday 2022-04-18 are five days old, deferred until 2022-04-25.
const SATURDAY = new Date('2022-04-23T01:00:00Z');

describe('simulatePolicy with plans kept by key', () => {
  it('plans each key once and gives what planning every host gives', () => {
    const plain = simulatePolicy({ policy, at: SATURDAY, hosts: HOSTS });
    const plans = new Map<string, HostPlan>();
    // Each host its own key, over two calls (batches): the same simulation, the plans kept.
    const keyed = HOSTS.map((h) => ({ ...h, planKey: `k${h.id}` }));
    const first = simulatePolicy({ policy, at: SATURDAY, hosts: keyed.slice(0, 2), plans });
    const rest = simulatePolicy({ policy, at: SATURDAY, hosts: keyed.slice(2), plans });
    const byId = (a: { hostId: number }, b: { hostId: number }) => a.hostId - b.hostId;
    expect([...first.hosts, ...rest.hosts].sort(byId)).toEqual([...plain.hosts].sort(byId));
    // One plan per governed host with a package manager.
    const planned = plain.hosts
      .filter((h) => HOSTS.find((x) => x.id === h.hostId)?.versionScheme !== null)
      .map((h) => `k${h.hostId}`);
    expect(planned.length).toBeGreaterThan(1);
    expect([...plans.keys()].sort()).toEqual(planned.sort());
    // A key is the caller's word that the hosts plan alike: a second host under the first's key gets its plan.
    const shared = simulatePolicy({
      policy,
      at: SATURDAY,
      hosts: [{ ...keyed[4]!, planKey: keyed[0]!.planKey }],
      plans,
    });
    const web = plain.hosts.find((h) => h.hostId === keyed[0]!.id)!;
    expect(shared.hosts[0]!.updates).toBe(plans.get(keyed[0]!.planKey)!.updates);
    expect(shared.hosts[0]!.updates).toEqual(web.updates);
    // Bounded: the least recently used go.
    const many = new Map<string, HostPlan>();
    const host = keyed[0]!;
    for (let i = 0; i <= PLAN_CACHE; i++) {
      simulatePolicy({ policy, at: SATURDAY, hosts: [{ ...host, planKey: `n${i}` }], plans: many });
    }
    expect(many.size).toBe(PLAN_CACHE);
    expect(many.has('n0')).toBe(false);
  });
});

describe('simulatePolicy on the debian-buster inventory', () => {
  it('plans the pilot host: approved fixes to the candidate or fixed version, holds with reasons', () => {
    const sim = simulatePolicy({ policy, at: SATURDAY, hosts: HOSTS });
    expect(sim.policy).toBe('buster-fleet');
    expect(sim.at).toBe('2022-04-23T01:00:00.000Z');
    expect(sim.window).toEqual({
      open: true,
      start: '2022-04-23T00:00:00.000Z',
      end: '2022-04-23T04:00:00.000Z',
      next: '2022-04-30T00:00:00.000Z',
    });
    const host = sim.hosts.find((h) => h.hostname === 'buster-pilot-01');
    expect(host).toEqual({
      hostId: expect.any(Number),
      hostname: 'buster-pilot-01',
      ring: 'pilot',
      action: 'deploy',
      updates: [
        // The agent's candidate is past both fixes (deb10u3, deb10u4): it is the target.
        {
          package: 'libgnutls30',
          sourcePackage: 'gnutls28',
          toVersion: '3.6.7-4+deb10u7',
          advisories: ['DSA-4652-1', 'DSA-4697-1'],
        },
        // No candidate reported: the advisory's fixed version.
        {
          package: 'libnettle6',
          sourcePackage: 'nettle',
          toVersion: '3.4.1-1+deb10u1',
          advisories: ['DSA-4933-1'],
        },
        {
          package: 'libsystemd0',
          sourcePackage: 'systemd',
          toVersion: '241-7~deb10u8',
          advisories: ['DSA-4942-1'],
        },
        {
          package: 'libudev1',
          sourcePackage: 'systemd',
          toVersion: '241-7~deb10u8',
          advisories: ['DSA-4942-1'],
        },
        // The candidate (deb10u2) is past the pin: the highest approved fix (deb10u1) instead.
        {
          package: 'libzstd1',
          sourcePackage: 'libzstd',
          toVersion: '1.3.8+dfsg-3+deb10u1',
          advisories: ['DSA-4850-1'],
        },
      ],
      held: [
        {
          package: 'e2fsprogs',
          advisory: 'DSA-4535-1',
          reason: 'exception',
          detail: 'risk exception until 2022-06-30T00:00:00Z',
        },
        {
          package: 'gzip',
          advisory: 'DSA-5122-1',
          reason: 'deferred',
          detail: 'approved from 2022-04-25T00:00:00.000Z',
        },
        { package: 'libcom-err2', advisory: 'DSA-4535-1', reason: 'exception', detail: expect.any(String) },
        { package: 'libext2fs2', advisory: 'DSA-4535-1', reason: 'exception', detail: expect.any(String) },
        {
          package: 'libhogweed4',
          advisory: 'DSA-4933-1',
          reason: 'excluded',
          detail: 'package matches exclude "libhogweed?"',
        },
        { package: 'liblzma5', advisory: 'DSA-5123-1', reason: 'deferred', detail: expect.any(String) },
        { package: 'libss2', advisory: 'DSA-4535-1', reason: 'exception', detail: expect.any(String) },
        {
          package: 'libzstd1',
          advisory: 'DSA-4859-1',
          reason: 'pinned',
          detail: 'needs 1.3.8+dfsg-3+deb10u2, pinned at 1.3.8+dfsg-3+deb10u1',
        },
        // An update without an advisory, not from the security suite: a bugfix, not approved.
        {
          package: 'tzdata',
          advisory: null,
          reason: 'not-approved',
          detail: 'classification bugfix is not approved (security)',
        },
      ],
    });
  });

  it('lists only the hosts the policy governs, sorted; later rings wait before any deployment', () => {
    const sim = simulatePolicy({ policy, at: SATURDAY, hosts: HOSTS });
    expect(sim.hosts.map((h) => [h.hostname, h.ring, h.action])).toEqual([
      ['buster-clean-01', 'broad', 'nothing'],
      ['buster-pilot-01', 'pilot', 'deploy'],
      ['buster-web-01', 'broad', 'wait-ring'],
    ]);
    const after = simulatePolicy({ policy, at: SATURDAY, hosts: HOSTS, completedRings: ['pilot'] });
    expect(after.hosts.find((h) => h.hostname === 'buster-web-01')?.action).toBe('deploy');
  });

  it('lists hosts that cannot run a deployment as not deployable, with the reason, never to deploy', () => {
    const imported = busterHost('buster-imported-01', ['linux', 'pilot'], {
      notDeployable: 'imported from an inventory file: no agent runs on it to install updates',
    });
    const bare = busterHost('buster-bare-01', ['linux'], {
      versionScheme: null,
      findings: [],
      updates: [],
      notDeployable: 'no package database (dpkg, rpm or apk) on the host: nothing to install with',
    });
    const sim = simulatePolicy({ policy, at: SATURDAY, hosts: [pilot, imported, bare] });
    expect(sim.hosts.map((h) => [h.hostname, h.action, h.notDeployable])).toEqual([
      ['buster-bare-01', 'not-deployable', expect.stringMatching(/^no package database/)],
      ['buster-imported-01', 'not-deployable', expect.stringMatching(/^imported from/)],
      ['buster-pilot-01', 'deploy', undefined],
    ]);
    // What the imported host would need is still shown, the same plan as the deployable pilot's.
    const planned = (name: string) => sim.hosts.find((h) => h.hostname === name)?.updates;
    expect(planned('buster-imported-01')).toEqual(planned('buster-pilot-01'));
    expect(planned('buster-bare-01')).toEqual([]);
  });

  it('waits for the window outside it, and inside a blacked-out weekend', () => {
    const friday = simulatePolicy({ policy, at: new Date('2022-04-22T12:00:00Z'), hosts: [pilot] });
    expect(friday.window).toMatchObject({ open: false, next: '2022-04-23T00:00:00.000Z' });
    expect(friday.hosts[0]?.action).toBe('wait-window');
    // Saturday 2022-04-16 is in the Easter blackout (04-15/04-18).
    const easter = simulatePolicy({ policy, at: new Date('2022-04-16T01:00:00Z'), hosts: [pilot] });
    expect(easter.window).toMatchObject({ open: false, next: '2022-04-23T00:00:00.000Z' });
    expect(easter.hosts[0]?.action).toBe('wait-window');
  });

  it('leaves out hosts another policy takes precedence for', () => {
    const webOnly = parsePolicy({ name: 'web-one', selector: { hosts: ['buster-web-01'] } });
    const sim = simulatePolicy({ policy, at: SATURDAY, hosts: HOSTS, policies: [policy, webOnly] });
    expect(sim.hosts.map((h) => h.hostname)).toEqual(['buster-clean-01', 'buster-pilot-01']);
  });

  it('takes the KEV fast lane: sudo (CVE-2021-3156) the day after its DSA', () => {
    // Wednesday 2021-01-27: DSA-4839-1 is a day old, DSA-4850-1 (libzstd) does not exist yet.
    const host = busterHost('buster-pilot-01', ['pilot'], {
      findings: findings([...DSAS, 'DSA-4839-1'], [...inventory.packages, SUDO], ['CVE-2021-3156']).filter(
        (f) => (f.published ?? '') <= '2021-01-27',
      ),
      updates: [],
      exceptions: [],
    });
    const sim = simulatePolicy({ policy, at: new Date('2021-01-27T09:00:00Z'), hosts: [host] });
    expect(sim.hosts[0]?.action).toBe('wait-window');
    expect(sim.hosts[0]?.updates.map((u) => `${u.package} ${u.toVersion} ${u.advisories.join(',')}`)).toEqual(
      [
        'e2fsprogs 1.44.5-1+deb10u2 DSA-4535-1',
        'libcom-err2 1.44.5-1+deb10u2 DSA-4535-1',
        'libext2fs2 1.44.5-1+deb10u2 DSA-4535-1',
        'libgnutls30 3.6.7-4+deb10u4 DSA-4652-1,DSA-4697-1',
        'libss2 1.44.5-1+deb10u2 DSA-4535-1',
        'sudo 1.8.27-1+deb10u3 DSA-4839-1',
      ],
    );
    // Were CVE-2021-3156 not in KEV, sudo would wait out the 7 days like any other fix.
    const notKev = { ...host, findings: host.findings.map((f) => ({ ...f, kev: false })) };
    const slow = simulatePolicy({ policy, at: new Date('2021-01-27T09:00:00Z'), hosts: [notKev] });
    expect(slow.hosts[0]?.held).toEqual([
      {
        package: 'sudo',
        advisory: 'DSA-4839-1',
        reason: 'deferred',
        detail: 'approved from 2021-02-02T00:00:00.000Z',
      },
    ]);
  });

  it('is deterministic: the same input in another order gives the same output', () => {
    const a = simulatePolicy({ policy, at: SATURDAY, hosts: HOSTS });
    const shuffled = [...HOSTS].reverse().map((h) => ({ ...h, findings: [...h.findings].reverse() }));
    expect(simulatePolicy({ policy, at: SATURDAY, hosts: shuffled })).toEqual(a);
  });

  it('never plans a package whose name could be read as an option or a shell word; the rest deploy', () => {
    const base = findings(APRIL_2022, inventory.packages);
    const nettle = base.find((f) => f.package === 'libnettle6')!;
    const hostile = busterHost('buster-hostile-01', ['linux', 'pilot'], {
      // The same approved fix, reported for a package an agent named with option characters.
      findings: [...base, { ...nettle, package: '-oDPkg::Pre-Invoke=touch /tmp/x' }],
    });
    const sim = simulatePolicy({ policy, at: SATURDAY, hosts: [hostile] });
    const host = sim.hosts.find((h) => h.hostname === 'buster-hostile-01')!;
    expect(host.action).toBe('deploy');
    expect(host.updates.map((u) => u.package)).toContain('libgnutls30');
    expect(host.updates.some((u) => u.package.startsWith('-'))).toBe(false);
    expect(host.held).toContainEqual(
      expect.objectContaining({ package: '-oDPkg::Pre-Invoke=touch /tmp/x', reason: 'invalid-name' }),
    );
  });
});
