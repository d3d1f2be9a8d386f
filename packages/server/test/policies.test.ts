/**
 * Policies and remediation through the API, on a real host (the Debian 10
 * image inventory) assessed against the real DSA/DLA lists: policies are
 * validated with each problem's line, versioned and audited; the simulation
 * plans real advisories' fixes per ring and window; the remediation view
 * ranks updates by the risk they remove.
 */
import { parseInventoryCsv } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkin, enrollHost, facts, fullCheckin } from '@patchloop/test-support/agent-protocol';
import { BACKEND_NAMES, importFixtureFeeds, readFixture, startHarness, type Harness } from './harness.js';
import { listPolicies } from '@patchloop/store';
import { simulateInBatches } from '../src/services/policies.js';

const DEBIAN = { id: 'debian', versionId: '10', codename: 'buster', prettyName: null };

const POLICY = `name: buster-servers
selector: { tags: [linux] }
approve:
  classifications: [security]
  deferDays: 0
exclude:
  packages: ["libsystemd*", "libudev*"]
schedule:
  window: { cron: "0 2 * * 6", duration: "4h", timezone: "Europe/Berlin" }
rings:
  - { name: pilot, selector: { tags: [pilot] } }
  - { name: broad, selector: {} }
reboot: if-required
`;

interface Sim {
  policy: string;
  total: number;
  totals: Record<string, number>;
  window: { open: boolean; next: string | null };
  hosts: {
    hostname: string;
    ring: string;
    action: string;
    updates: { package: string; toVersion: string; advisories: string[] }[];
    held: { package: string; advisory: string | null; reason: string }[];
  }[];
}

describe.each(BACKEND_NAMES)('policies and remediation on %s', (backend) => {
  let h: Harness;
  const put = (name: string, body: string, role?: 'admin' | 'operator' | 'auditor') =>
    h.putPolicy(name, body, role);
  const get = async <T>(url: string) => {
    const r = await h.app.inject({ method: 'GET', url, headers: h.auth('auditor') });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as T;
  };

  beforeAll(async () => {
    h = await startHarness(backend);
    h.ctx.wakeJobs = () => {};
    await importFixtureFeeds(h.db, [
      ['debian-dsa', 'debian-security-tracker/DSA-list.txt'],
      ['debian-dla', 'debian-security-tracker/DLA-list.txt'],
    ]);
    const inv = parseInventoryCsv(readFixture('inventories/normalized/debian-buster.csv')).packages;
    for (const [name, tags] of [
      ['pilot-1', ['linux', 'pilot']],
      ['web-1', ['linux']],
      ['win-1', ['windows']],
    ] as const) {
      const machine = `machine-policy-${name}`;
      const e = await enrollHost(h.app, machine, name, [...tags]);
      const r = await checkin(h.app, e.credential, fullCheckin(machine, facts(name, DEBIAN), 'dpkg', inv));
      expect(r.statusCode).toBe(200);
    }
    await h.worker.drain();
  }, 120_000);
  afterAll(() => h.close());
  /** buster-servers as POLICY says (deferDays 0), whether or not an earlier test applied it. */
  const haveBusterServers = async () => {
    const r = await put('buster-servers', POLICY);
    expect(r.statusCode, r.body).toBeLessThan(300);
    expect(r.json().source).toBe(POLICY);
  };

  it('applies a YAML policy, keeps every version and audits each change', async () => {
    const first = await put('buster-servers', POLICY);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ name: 'buster-servers', version: 1, changed: true, source: POLICY });
    const same = await put('buster-servers', POLICY);
    expect([same.statusCode, same.json().version, same.json().changed]).toEqual([200, 1, false]);
    const changed = await put('buster-servers', POLICY.replace('deferDays: 0', 'deferDays: 3'));
    expect([changed.statusCode, changed.json().version]).toEqual([200, 2]);
    const versions = await get<{
      items: { version: number; document: { approve: { deferDays: number } } }[];
    }>('/api/v1/policies/buster-servers/versions');
    expect(versions.items.map((v) => [v.version, v.document.approve.deferDays])).toEqual([
      [2, 3],
      [1, 0],
    ]);
    const audit = await get<{ items: { action: string; before: unknown; after: { version: number } }[] }>(
      '/api/v1/audit?target=policy:buster-servers',
    );
    expect(audit.items.map((a) => [a.action, a.after.version])).toEqual([
      ['policy.update', 2],
      ['policy.create', 1],
    ]);
    // Back to deferDays 0 for the simulation below.
    expect((await put('buster-servers', POLICY)).json().version).toBe(3);
    expect((await put('buster-servers', POLICY, 'auditor')).statusCode).toBe(403);
  });

  it('refuses an invalid policy with each problem and its line, storing nothing', async () => {
    await haveBusterServers();
    const bad = POLICY.replace('"0 2 * * 6"', '"0 2 * * funday"').replace(
      'reboot: if-required',
      'reboot: sometimes',
    );
    const r = await put('broken', bad.replace('name: buster-servers', 'name: broken'));
    expect(r.statusCode).toBe(400);
    const e = r.json().error as { code: string; details: { problems: { path: string; line?: number }[] } };
    expect(e.code).toBe('PL_POLICY_INVALID');
    const byPath = Object.fromEntries(e.details.problems.map((p) => [p.path, p.line]));
    expect(byPath['schedule.window.cron']).toBe(9);
    expect(byPath.reboot).toBe(13);
    const mismatch = await put('other-name', POLICY);
    expect([mismatch.statusCode, mismatch.json().error.code]).toEqual([400, 'PL_POLICY_INVALID']);
    const list = await get<{ items: { name: string }[] }>('/api/v1/policies');
    expect(list.items.map((p) => p.name)).toEqual(['buster-servers']);
  });

  it('simulates: pilot deploys inside the window, broad waits for its ring, exclusions are held', async () => {
    await haveBusterServers();
    // Saturday 2026-11-28 02:30 in Berlin (CET, UTC+1) is inside the 02:00 + 4 h window.
    const sim = await get<Sim>('/api/v1/policies/buster-servers/simulate?at=2026-11-28T01:30:00Z');
    expect(sim.window.open).toBe(true);
    expect(sim.hosts.map((x) => [x.hostname, x.ring, x.action])).toEqual([
      ['pilot-1', 'pilot', 'deploy'],
      ['web-1', 'broad', 'wait-ring'],
    ]);
    const pilot = sim.hosts[0]!;
    const findings = await get<{
      items: { package: string; advisory: { id: string }; fixedVersion: string | null }[];
    }>('/api/v1/findings?limit=1000&status=fixable&sort=host');
    const pilotFixes = findings.items.filter((f) => !/^lib(systemd|udev)/.test(f.package));
    // Every fixable advisory of an included package is planned; each update targets a real fixed version.
    const planned = new Set(pilot.updates.flatMap((u) => u.advisories.map((a) => `${u.package}/${a}`)));
    for (const f of pilotFixes.filter((x) => x.advisory.id.startsWith('D'))) {
      expect(planned.has(`${f.package}/${f.advisory.id}`), `${f.package} ${f.advisory.id}`).toBe(true);
    }
    expect(pilot.held.length).toBeGreaterThan(0);
    expect(pilot.held.every((x) => x.reason === 'excluded' && /^lib(systemd|udev)/.test(x.package))).toBe(
      true,
    );
    // Totals per action over every governed host; the hosts paged in the same order.
    expect([sim.total, sim.totals]).toEqual([
      2,
      { deploy: 1, 'wait-window': 0, 'wait-ring': 1, nothing: 0, 'not-deployable': 0 },
    ]);
    const second = await get<Sim>(
      '/api/v1/policies/buster-servers/simulate?at=2026-11-28T01:30:00Z&limit=1&offset=1',
    );
    expect([second.total, second.totals]).toEqual([sim.total, sim.totals]);
    expect(second.hosts).toEqual(sim.hosts.slice(1));
    // Read a host at a time, the simulation is the one of the whole fleet at once.
    const at = new Date('2026-11-28T01:30:00Z');
    const policies = (await listPolicies(h.db)).map((p) => p.document);
    const policy = policies.find((p) => p.name === 'buster-servers')!;
    for (const batch of [1, 500]) {
      const hosts: unknown[] = [];
      const rest = await simulateInBatches(h.db, { policy, at, policies }, (b) => hosts.push(...b), batch);
      expect({ ...rest, hosts }).toEqual({
        ...sim,
        total: undefined,
        totals: undefined,
        hosts: sim.hosts,
      } as unknown);
    }
    // Tuesday noon: the window is closed.
    const closed = await get<Sim>('/api/v1/policies/buster-servers/simulate?at=2026-12-01T11:00:00Z');
    expect(closed.window.open).toBe(false);
    expect(closed.window.next).toBe('2026-12-05T01:00:00.000Z');
    expect(closed.hosts[0]?.action).toBe('wait-window');
  });

  it('ranks remediations by the risk they remove, across hosts', async () => {
    const r = await get<{
      items: {
        package: string;
        toVersion: string;
        hosts: number;
        findings: number;
        riskRemoved: number;
        summary: string;
      }[];
      total: number;
      totalRisk: number;
    }>('/api/v1/remediations?limit=5');
    expect(r.items.length).toBe(5);
    expect(r.total).toBeGreaterThan(5);
    const risks = r.items.map((i) => i.riskRemoved);
    expect(risks).toEqual([...risks].sort((a, b) => b - a));
    // Three identical hosts: every remediation applies to all three.
    expect(r.items.every((i) => i.hosts === 3)).toBe(true);
    expect(r.items[0]!.summary).toBe(
      `updating ${r.items[0]!.package} to ${r.items[0]!.toVersion} closes ${r.items[0]!.findings} findings on 3 hosts`,
    );
    const catalogue = await get<{ collected: boolean }>('/api/v1/hosts/1/updates');
    expect(catalogue.collected).toBe(true);
  });

  it('warns when a policy governs no host it selects, and the simulation names the hosts lost and to whom', async () => {
    await haveBusterServers();
    // web-1 named by host beats buster-servers' tag; a second tag policy loses the tie on its name.
    const byHost = await put('web-only', 'name: web-only\nselector: { hosts: [web-1] }\n');
    expect([byHost.statusCode, byHost.json().warnings]).toEqual([201, []]);
    const shadowed = await put('zz-linux', 'name: zz-linux\nselector: { tags: [linux] }\n');
    expect(shadowed.statusCode).toBe(201);
    expect(shadowed.json().warnings).toEqual([
      expect.stringMatching(
        /^policy zz-linux governs no host: other policies take precedence for all 2 it selects \(pilot-1 → buster-servers \(by tag\), web-1 → web-only \(by host\)\)/,
      ),
    ]);
    const sim = await get<Sim & { lost: unknown[] }>('/api/v1/policies/buster-servers/simulate');
    expect(sim.hosts.map((x) => x.hostname)).toEqual(['pilot-1']);
    expect(sim.lost).toEqual([{ hostname: 'web-1', to: 'web-only', level: 'tag', toLevel: 'host' }]);
    const none = await get<Sim & { lost: unknown[] }>('/api/v1/policies/zz-linux/simulate');
    expect([none.hosts.length, none.lost.length]).toEqual([0, 2]);
    for (const name of ['web-only', 'zz-linux']) {
      const r = await h.app.inject({
        method: 'DELETE',
        url: `/api/v1/policies/${name}`,
        headers: h.auth('operator'),
      });
      expect(r.statusCode).toBe(200);
    }
  });
});
