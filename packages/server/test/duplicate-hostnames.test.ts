/**
 * Two hosts of one name (cloned VMs, `localhost`) stay two hosts: a
 * deployment from a policy addresses each by id, so one host's updates never
 * go to the other; the API says that a name is shared.
 */
import { parseInventoryCsv } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkin, enrollHost, facts, fullCheckin } from '@patchloop/test-support/agent-protocol';
import { BACKEND_NAMES, importFixtureFeeds, readFixture, startHarness, type Harness } from './harness.js';

const DEBIAN = { id: 'debian', versionId: '10', codename: 'buster', prettyName: null };
const POLICY = `name: clones
selector: { tags: [clone] }
rings:
  - { name: all, selector: {} }
reboot: never
`;

describe.each(BACKEND_NAMES)('hosts sharing a hostname on %s', (backend) => {
  let h: Harness;
  const clock = Date.parse('2026-11-23T10:00:00Z');
  const hosts: Record<'vulnerable' | 'clean', { id: number; credential: string; machine: string }> = {
    vulnerable: { id: 0, credential: '', machine: 'machine-clone-vulnerable' },
    clean: { id: 0, credential: '', machine: 'machine-clone-clean' },
  };
  const poll = async (which: keyof typeof hosts) => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/agent/jobs/poll',
      headers: { authorization: `Bearer ${hosts[which].credential}` },
      payload: { machineId: hosts[which].machine, waitSeconds: 0 },
    });
    expect(r.statusCode, r.body).toBe(200);
    return (r.json() as { jobs: { id: string; packages: unknown[] }[] }).jobs;
  };

  beforeAll(async () => {
    h = await startHarness(backend, { now: () => new Date(clock) });
    h.ctx.wakeJobs = () => {};
    await importFixtureFeeds(h.db, [['debian-dsa', 'debian-security-tracker/DSA-list.txt']]);
    const inv = parseInventoryCsv(readFixture('inventories/normalized/debian-buster.csv')).packages;
    // Enrolled first: the vulnerable one. The clean clone, enrolled second, has nothing to patch.
    for (const [which, packages] of [
      ['vulnerable', inv],
      ['clean', []],
    ] as const) {
      const e = await enrollHost(h.app, hosts[which].machine, 'localhost', ['clone']);
      hosts[which].id = e.hostId;
      hosts[which].credential = e.credential;
      const r = await checkin(
        h.app,
        e.credential,
        fullCheckin(hosts[which].machine, facts('localhost', DEBIAN), 'dpkg', packages),
      );
      expect(r.statusCode, r.body).toBe(200);
    }
    await h.worker.drain();
    const p = await h.putPolicy('clones', POLICY);
    expect(p.statusCode, p.body).toBe(201);
  }, 120_000);
  afterAll(() => h.close());

  it('simulates each clone by id', async () => {
    const r = await h.app.inject({
      method: 'GET',
      url: '/api/v1/policies/clones/simulate',
      headers: h.auth('auditor'),
    });
    expect(r.statusCode, r.body).toBe(200);
    const sim = r.json() as { hosts: { hostId: number; hostname: string; updates: unknown[] }[] };
    const byId = new Map(sim.hosts.map((x) => [x.hostId, x]));
    expect(byId.get(hosts.vulnerable.id)?.updates.length).toBeGreaterThan(0);
    expect(byId.get(hosts.clean.id)?.updates).toEqual([]);
  });

  it("deploys the vulnerable clone's updates to it, not to its namesake", async () => {
    const c = await h.app.inject({
      method: 'POST',
      url: '/api/v1/deployments',
      headers: h.auth('operator'),
      payload: { policy: 'clones' },
    });
    expect(c.statusCode, c.body).toBe(201);
    const d = c.json() as { id: number; hosts: { hostId: number; hostname: string }[] };
    expect(d.hosts.map((x) => [x.hostId, x.hostname])).toEqual([[hosts.vulnerable.id, 'localhost']]);
    await h.worker.drain();
    expect(await poll('clean')).toEqual([]);
    const jobs = await poll('vulnerable');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.packages.length).toBeGreaterThan(0);
  });

  it('marks both hosts as sharing a name, and a host with a name of its own as not', async () => {
    const own = await enrollHost(h.app, 'machine-unique-0001', 'unique-name');
    const r = await h.app.inject({
      method: 'GET',
      url: '/api/v1/hosts?limit=50',
      headers: h.auth('auditor'),
    });
    const items = (r.json() as { items: { id: number; duplicateName: boolean }[] }).items;
    const dup = new Map(items.map((x) => [x.id, x.duplicateName]));
    expect(dup.get(hosts.vulnerable.id)).toBe(true);
    expect(dup.get(hosts.clean.id)).toBe(true);
    expect(dup.get(own.hostId)).toBe(false);
    const one = await h.app.inject({
      method: 'GET',
      url: `/api/v1/hosts/${hosts.clean.id}`,
      headers: h.auth('operator'),
    });
    expect(one.json()).toMatchObject({ duplicateName: true, machineId: hosts.clean.machine });
  });
});
