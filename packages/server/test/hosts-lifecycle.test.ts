/**
 * Retiring, reinstating and deleting hosts through the API, on two real
 * Debian 10 hosts assessed against the DSA/DLA lists: a retired host leaves
 * every current figure and list (but its own page and, with a filter, the
 * lists), its agent is refused with PL_HOST_RETIRED, its history stays; a
 * deleted host is gone but for the audit log.
 */
import { parseInventoryCsv } from '@patchloop/core';
import { listAudit } from '@patchloop/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkin, enrollHost, facts, fullCheckin } from '@patchloop/test-support/agent-protocol';
import {
  BACKEND_NAMES,
  ENROLL_SECRET,
  importFixtureFeeds,
  readFixture,
  startHarness,
  type Harness,
} from './harness.js';

const DEBIAN = { id: 'debian', versionId: '10', codename: 'buster', prettyName: null };

interface Figures {
  hosts: number;
  findings: number;
  compliance: number;
  vulnerabilityHosts: number;
  remediationFindings: number;
  dashboardHosts: number;
  dashboardOpen: number;
  trendToday: number;
}

describe.each(BACKEND_NAMES)('host lifecycle on %s', (backend) => {
  let h: Harness;
  const hosts: Record<string, { id: number; credential: string; machine: string }> = {};
  const get = async <T>(url: string) => {
    const r = await h.app.inject({ method: 'GET', url, headers: h.auth('auditor') });
    expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
    return r.json() as T;
  };
  const total = async (url: string) => (await get<{ total: number }>(url)).total;
  const figures = async (): Promise<Figures> => {
    const d = await get<{
      hosts: { total: number };
      findings: { open: number };
      trend: { open: number }[];
    }>('/api/v1/dashboard');
    const v = await get<{ items: { hosts: number }[] }>('/api/v1/vulnerabilities?limit=1000');
    const r = await get<{ items: { findings: number }[] }>('/api/v1/remediations?limit=1000');
    return {
      hosts: await total('/api/v1/hosts'),
      findings: await total('/api/v1/findings?limit=1'),
      compliance: (await get<{ open: number }>('/api/v1/compliance')).open,
      vulnerabilityHosts: Math.max(0, ...v.items.map((i) => i.hosts)),
      remediationFindings: r.items.reduce((s, i) => s + i.findings, 0),
      dashboardHosts: d.hosts.total,
      dashboardOpen: d.findings.open,
      trendToday: d.trend.at(-1)?.open ?? -1,
    };
  };
  const post = (url: string, role: 'admin' | 'operator' | 'auditor' = 'operator', payload = {}) =>
    h.app.inject({ method: 'POST', url, headers: h.auth(role), payload });
  const heartbeat = (name: string) =>
    checkin(h.app, hosts[name]!.credential, {
      agentVersion: '0.1.0',
      machineId: hosts[name]!.machine,
      facts: facts(name, DEBIAN),
      inventory: { kind: 'same', hash: 'a'.repeat(64) },
    });

  beforeAll(async () => {
    h = await startHarness(backend);
    h.ctx.wakeJobs = () => {};
    await importFixtureFeeds(h.db, [
      ['debian-dsa', 'debian-security-tracker/DSA-list.txt'],
      ['debian-dla', 'debian-security-tracker/DLA-list.txt'],
    ]);
    const inv = parseInventoryCsv(readFixture('inventories/normalized/debian-buster.csv')).packages;
    for (const name of ['keep-1', 'old-1']) {
      const machine = `machine-lifecycle-${name}`;
      const e = await enrollHost(h.app, machine, name, ['linux']);
      const r = await checkin(h.app, e.credential, fullCheckin(machine, facts(name, DEBIAN), 'dpkg', inv));
      expect(r.statusCode).toBe(200);
      hosts[name] = { id: e.hostId, credential: e.credential, machine };
    }
    await h.worker.drain();
  }, 120_000);
  afterAll(() => h.close());

  it('retires a host: out of every current figure, its agent refused, its history kept', async () => {
    const before = await figures();
    expect(before.hosts).toBe(2);
    expect(before.findings).toBeGreaterThan(10);
    expect(before.vulnerabilityHosts).toBe(2);
    const old = hosts['old-1']!;

    expect((await post(`/api/v1/hosts/${old.id}/retire`, 'auditor', {})).statusCode).toBe(403);
    const r = await post(`/api/v1/hosts/${old.id}/retire`, 'operator', { reason: 'decommissioned' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().retired).toMatchObject({ by: 'token:test-operator', reason: 'decommissioned' });
    const again = await post(`/api/v1/hosts/${old.id}/retire`);
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'PL_CONFLICT']);

    const after = await figures();
    // Every current figure halves: the two hosts have the same inventory.
    expect(after).toEqual({
      hosts: 1,
      findings: before.findings / 2,
      compliance: before.compliance / 2,
      vulnerabilityHosts: 1,
      remediationFindings: before.remediationFindings / 2,
      dashboardHosts: 1,
      dashboardOpen: before.dashboardOpen / 2,
      trendToday: before.trendToday / 2,
    });
    // Shown when asked for, and on its own page.
    expect(await total('/api/v1/hosts?retired=true')).toBe(1);
    expect(await total('/api/v1/hosts?include=retired')).toBe(2);
    expect(await total('/api/v1/findings?include=retired&limit=1')).toBe(before.findings);
    expect((await get<{ retired: unknown }>(`/api/v1/hosts/${old.id}`)).retired).not.toBeNull();
    expect(await total(`/api/v1/hosts/${old.id}/findings?limit=1`)).toBe(before.findings / 2);

    // Its agent: check-in, job poll and a new enrollment are refused with a clear code.
    const beat = await heartbeat('old-1');
    expect([beat.statusCode, beat.json().error.code]).toEqual([410, 'PL_HOST_RETIRED']);
    expect(beat.json().error.message).toMatch(/was retired on .* by token:test-operator: this agent stops/);
    const poll = await h.app.inject({
      method: 'POST',
      url: '/api/v1/agent/jobs/poll',
      headers: { authorization: `Bearer ${old.credential}` },
      payload: { machineId: old.machine, waitSeconds: 0 },
    });
    expect(poll.json().error.code).toBe('PL_HOST_RETIRED');
    const enroll = await h.app.inject({
      method: 'POST',
      url: '/api/v1/enroll',
      payload: { secret: ENROLL_SECRET, machineId: old.machine, hostname: 'old-1', tags: [] },
    });
    expect([enroll.statusCode, enroll.json().error.code]).toEqual([410, 'PL_HOST_RETIRED']);
    // Not a deployment target.
    const deploy = await post('/api/v1/deployments', 'operator', {
      hosts: [old.id],
      packages: [{ name: 'bash', version: '5.0-4' }],
    });
    expect(deploy.json().error?.code).toBe('PL_HOST_RETIRED');
    expect((await heartbeat('keep-1')).statusCode).toBe(200);
  });

  it('reinstates a retired host', async () => {
    const old = hosts['old-1']!;
    // Retired by the test above, or here when this test runs alone (409: it already was).
    const retire = await post(`/api/v1/hosts/${old.id}/retire`, 'operator', { reason: 'decommissioned' });
    expect([200, 409], retire.body).toContain(retire.statusCode);
    const r = await post(`/api/v1/hosts/${old.id}/reinstate`);
    expect([r.statusCode, r.json().retired]).toEqual([200, null]);
    expect((await heartbeat('old-1')).statusCode).toBe(200);
    expect(await total('/api/v1/hosts')).toBe(2);
    const trail = await listAudit(h.db, { limit: 10, offset: 0, target: `host:${old.id}` });
    expect(trail.items.slice(0, 2).map((e) => e.action)).toEqual(['host.reinstate', 'host.retire']);
  });

  it('deletes a host (admins only): gone with its findings and credential, kept in the audit log', async () => {
    const old = hosts['old-1']!;
    const asOperator = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/hosts/${old.id}`,
      headers: h.auth('operator'),
    });
    expect(asOperator.statusCode).toBe(403);
    const r = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/hosts/${old.id}`,
      headers: h.auth('admin'),
    });
    expect(r.statusCode).toBe(204);
    const gone = await h.app.inject({
      method: 'GET',
      url: `/api/v1/hosts/${old.id}`,
      headers: h.auth('admin'),
    });
    expect(gone.statusCode).toBe(404);
    expect(await total('/api/v1/hosts?include=retired')).toBe(1);
    expect(await total('/api/v1/findings?include=retired&limit=1')).toBe(
      await total('/api/v1/findings?limit=1'),
    );
    // The agent's credential went with the host.
    expect((await heartbeat('old-1')).statusCode).toBe(401);
    const trail = await listAudit(h.db, { limit: 10, offset: 0, target: `host:${old.id}` });
    expect(trail.items[0]).toMatchObject({
      actor: 'token:PATCHLOOP_ADMIN_TOKEN',
      action: 'host.delete',
      before: { hostname: 'old-1', machineId: old.machine },
    });
    expect(trail.items.map((e) => e.action)).toContain('host.enroll');
    // The machine may enroll again: a new host.
    const e = await enrollHost(h.app, old.machine, 'old-1');
    expect(e.hostId).not.toBe(old.id);
  });
});
