/**
 * Finding classes: hosts whose open findings have the same facts and risk
 * (and, for remediation, the same inventory) are read once per class by the
 * fleet's remediation plan and the policy simulation. On real Debian 10
 * inventories assessed against the real DSA/DLA lists, both must give exactly
 * what reading every host gives: the reference is the same store with every
 * class cleared (each host its own class, as a store from before the column).
 */
import { parseInventoryCsv, type SimulatedHost } from '@patchloop/core';
import { remediationRepresentatives } from '@patchloop/store';
import { checkin, enrollHost, facts, fullCheckin } from '@patchloop/test-support/agent-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateInBatches } from '../src/services/policies.js';
import { computeFleetPlan } from '../src/services/remediation.js';
import {
  approvedException,
  BACKEND_NAMES,
  importFixtureFeeds,
  readFixture,
  startHarness,
  type Harness,
} from './harness.js';
import { listPolicies, getPolicy } from '@patchloop/store';

const DEBIAN = { id: 'debian', versionId: '10', codename: 'buster', prettyName: null };
const POLICY = `name: classes
selector: { tags: [linux] }
approve: { classifications: [security], deferDays: 0 }
rings:
  - { name: pilot, selector: { tags: [pilot] } }
  - { name: broad, selector: {} }
reboot: if-required
`;

describe.each(BACKEND_NAMES)('finding classes on %s', (backend) => {
  let h: Harness;
  const ids = new Map<string, number>();
  beforeAll(async () => {
    h = await startHarness(backend);
    h.ctx.wakeJobs = () => {};
    await importFixtureFeeds(h.db, [
      ['debian-dsa', 'debian-security-tracker/DSA-list.txt'],
      ['debian-dla', 'debian-security-tracker/DLA-list.txt'],
    ]);
    const inv = parseInventoryCsv(readFixture('inventories/normalized/debian-buster.csv')).packages;
    // Every tenth package gone: other findings, another class.
    const fewer = inv.filter((_, i) => i % 10 !== 0);
    const hosts = [
      ['a1', inv, ['linux', 'pilot']],
      ['a2', inv, ['linux']],
      ['a3', inv, ['linux']],
      ['b1', fewer, ['linux']],
      ['c1', inv, ['linux']],
      ['d1', inv, ['linux', 'pilot']],
    ] as const;
    for (const [name, pkgs, tags] of hosts) {
      const machine = `machine-classes-${name}`;
      const e = await enrollHost(h.app, machine, name, [...tags]);
      ids.set(name, e.hostId);
      const r = await checkin(h.app, e.credential, fullCheckin(machine, facts(name, DEBIAN), 'dpkg', pkgs));
      expect(r.statusCode, r.body).toBe(200);
    }
    await h.worker.drain();
    expect((await h.putPolicy('classes', POLICY)).statusCode).toBeLessThan(300);
  }, 180_000);
  afterAll(() => h.close());

  const classes = async () => {
    const r = await h.db.query<{ hostname: string; finding_class: string | null }>(
      'SELECT hostname, finding_class FROM host ORDER BY hostname',
    );
    return Object.fromEntries(r.rows.map((row) => [row.hostname, row.finding_class]));
  };
  const simulate = async (batch: number, at: Date) => {
    const policy = await getPolicy(h.db, 'classes');
    const all = (await listPolicies(h.db)).map((p) => p.document);
    const seen: SimulatedHost[] = [];
    const head = await simulateInBatches(
      h.db,
      { policy: policy!.document, at, policies: all },
      (hosts) => seen.push(...hosts),
      batch,
    );
    return { head, hosts: seen };
  };

  it('reads one host per class and gives what reading every host gives', async () => {
    const c = await classes();
    // Same inventory, same findings: one class; fewer packages: another; every assessed host has one.
    for (const n of ['a2', 'a3', 'c1', 'd1']) expect(c[n]).toBe(c.a1);
    expect(c.b1).not.toBe(c.a1);
    for (const n of Object.keys(c)) expect(c[n]).toMatch(/^[\w-]{27}$/);

    // c1: an approved exception over one of its findings; d1: no class (a store from before).
    const f = await h.app.inject({
      method: 'GET',
      url: `/api/v1/hosts/${ids.get('c1')}/findings?status=open&sort=risk&limit=1`,
      headers: h.auth('auditor'),
    });
    const top = (f.json() as { items: { package: string }[] }).items[0];
    expect(top).toBeDefined();
    await approvedException(h, {
      kind: 'compensating-control',
      package: top!.package,
      hostId: ids.get('c1'),
      justification: 'finding classes test',
      expiresAt: new Date(h.ctx.now().getTime() + 100 * 86_400_000).toISOString(),
    });
    await h.db.query('UPDATE host SET finding_class = NULL WHERE id = $1', [ids.get('d1')]);

    const now = h.ctx.now();
    const reps = await remediationRepresentatives(h.db, now);
    expect(reps).toEqual([
      { id: ids.get('a1'), weight: 2 + 1 },
      { id: ids.get('b1'), weight: 1 },
      { id: ids.get('c1'), weight: 1 },
      { id: ids.get('d1'), weight: 1 },
    ]);
    const byClass = await computeFleetPlan(h.db, now);
    const simByClass = await simulate(2, now);

    await h.db.query('UPDATE host SET finding_class = NULL');
    expect(await remediationRepresentatives(h.db, now)).toHaveLength(6);
    const byHost = await computeFleetPlan(h.db, now);
    const simByHost = await simulate(2, now);

    // A plan worth comparing: steps on all six hosts, and on five (c1's excepted package).
    expect(byHost.steps.length).toBeGreaterThan(10);
    expect(byHost.steps.some((s) => s.hosts === 6)).toBe(true);
    expect(byHost.steps.some((s) => s.hosts === 5)).toBe(true);
    expect(byClass).toEqual(byHost);

    expect(simByHost.hosts).toHaveLength(6);
    expect(simByHost.hosts.filter((x) => x.updates.length > 0).length).toBeGreaterThan(0);
    expect(simByClass).toEqual(simByHost);
  }, 120_000);
});
