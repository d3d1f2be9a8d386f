/**
 * Deployments through the API with agents played by the test (the real
 * agents and package manager run in the lab end-to-end test): rings in
 * order with bake time, the error budget halting, verification of reported
 * versions, exactly-once reports, deadlines, halt/resume/cancel, the change
 * record and rollback.
 */
import { parseInventoryCsv } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkin, enrollHost, facts, fullCheckin } from '@patchloop/test-support/agent-protocol';
import { autoDeploy } from '../src/services/auto-deploy.js';
import { BACKEND_NAMES, importFixtureFeeds, readFixture, startHarness, type Harness } from './harness.js';

const DEBIAN = { id: 'debian', versionId: '10', codename: 'buster', prettyName: null };
const HOUR = 3_600_000;
const POLICY = `name: rollout
selector: { tags: [linux] }
rings:
  - { name: pilot, selector: { tags: [pilot] }, bake: "1h", minSuccess: 1.0 }
  - { name: broad, selector: {}, maxConcurrency: 1, errorBudget: 0 }
reboot: never
`;

interface Job {
  id: string;
  kind: string;
  packages: { name: string; version: string }[];
  reboot: string;
}
interface View {
  id: number;
  status: string;
  waiting: string | null;
  rings: { name: string; status: string }[];
  hosts: {
    taskId: string;
    hostname: string;
    ring: string;
    status: string;
    error: { code: string } | null;
    packages: { name: string; version: string }[];
    before: unknown;
    after: unknown;
  }[];
}

describe.each(BACKEND_NAMES)('deployments on %s', (backend) => {
  let h: Harness;
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const agents = new Map<string, { credential: string; machine: string }>();
  const auth = (name: string) => ({ authorization: `Bearer ${agents.get(name)!.credential}` });
  const view = async (id: number) => {
    const r = await h.app.inject({
      method: 'GET',
      url: `/api/v1/deployments/${id}`,
      headers: h.auth('auditor'),
    });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as View;
  };
  const poll = async (name: string) => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/agent/jobs/poll',
      headers: auth(name),
      payload: { machineId: agents.get(name)!.machine, waitSeconds: 0 },
    });
    expect(r.statusCode, r.body).toBe(200);
    return (r.json() as { jobs: Job[] }).jobs;
  };
  const report = (name: string, job: string, body: Record<string, unknown>) =>
    h.app.inject({
      method: 'POST',
      url: `/api/v1/agent/jobs/${job}/report`,
      headers: auth(name),
      payload: { machineId: agents.get(name)!.machine, log: '', ...body },
    });
  const succeed = async (name: string, job: Job) => {
    const before = job.packages.map((p) => ({ name: p.name, version: `${p.version}~old` }));
    expect((await report(name, job.id, { state: 'installing', before, log: 'Unpacking …' })).statusCode).toBe(
      200,
    );
    const after = job.packages.map((p) => ({ name: p.name, version: p.version }));
    const r = await report(name, job.id, { state: 'succeeded', before, after });
    expect(r.json()).toMatchObject({ status: 'succeeded' });
  };
  const step = () => h.worker.drain();

  beforeAll(async () => {
    h = await startHarness(backend, { now: () => new Date(clock) });
    h.ctx.wakeJobs = () => {};
    await importFixtureFeeds(h.db, [['debian-dsa', 'debian-security-tracker/DSA-list.txt']]);
    const inv = parseInventoryCsv(readFixture('inventories/normalized/debian-buster.csv')).packages;
    for (const [name, tags] of [
      ['pilot-1', ['linux', 'pilot']],
      ['web-1', ['linux']],
      ['web-2', ['linux']],
    ] as const) {
      const machine = `machine-deploy-${name}`;
      const e = await enrollHost(h.app, machine, name, [...tags]);
      agents.set(name, { credential: e.credential, machine });
      expect(
        (await checkin(h.app, e.credential, fullCheckin(machine, facts(name, DEBIAN), 'dpkg', inv)))
          .statusCode,
      ).toBe(200);
    }
    await step();
    const p = await h.putPolicy('rollout', POLICY);
    expect(p.statusCode, p.body).toBe(201);
  }, 120_000);
  afterAll(() => h.close());

  it('runs the pilot ring first, bakes, then the next ring one host at a time; halts on a failure', async () => {
    const c = await h.app.inject({
      method: 'POST',
      url: '/api/v1/deployments',
      headers: h.auth('operator'),
      payload: { policy: 'rollout' },
    });
    expect(c.statusCode, c.body).toBe(201);
    const id = (c.json() as View).id;
    expect((c.json() as View).status).toBe('planned');
    // The pilot's agent is parked in a long poll: nothing to hand out yet, so no answer…
    const asked = Date.now();
    const parked = h.app.inject({
      method: 'POST',
      url: '/api/v1/agent/jobs/poll',
      headers: auth('pilot-1'),
      payload: { machineId: agents.get('pilot-1')!.machine, waitSeconds: 25 },
    });
    await vi.waitFor(() => expect(h.ctx.agentJobs.size).toBe(1), { timeout: 10_000 });
    const early = await Promise.race([parked, new Promise((r) => setTimeout(() => r('parked'), 300))]);
    expect(early).toBe('parked');
    // …until the orchestrator dispatches its job: then at once, not after the 25 s.
    await step();
    const released = await parked;
    expect(released.statusCode, released.body).toBe(200);
    expect((released.json() as { jobs: Job[] }).jobs.map((j) => j.kind)).toEqual(['install']);
    expect(Date.now() - asked).toBeLessThan(20_000);
    expect(h.ctx.agentJobs.size).toBe(0);
    let v = await view(id);
    expect(v.status).toBe('running');
    expect(v.hosts.map((x) => [x.hostname, x.ring, x.status])).toEqual(
      [
        ['web-1', 'broad', 'queued'],
        ['web-2', 'broad', 'queued'],
        ['pilot-1', 'pilot', 'dispatched'],
      ].sort((a, b) => (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : a[0]! < b[0]! ? -1 : 1)),
    );
    expect(await poll('web-1')).toEqual([]);
    const [job] = await poll('pilot-1');
    expect(job?.kind).toBe('install');
    expect(job?.reboot).toBe('never');
    expect(job!.packages.length).toBeGreaterThan(0);
    // Delivered again until its final report: a duplicated delivery is the same job.
    expect((await poll('pilot-1')).map((j) => j.id)).toEqual([job!.id]);
    await succeed('pilot-1', job!);
    // A duplicated final report changes nothing.
    expect(
      (await report('pilot-1', job!.id, { state: 'failed', error: { code: 'X', message: 'late' } })).json(),
    ).toMatchObject({ status: 'succeeded' });
    await step();
    v = await view(id);
    expect(v.rings.find((r) => r.name === 'pilot')?.status).toBe('baking');
    expect(v.waiting).toMatch(/bak/);
    expect(await poll('web-1')).toEqual([]);
    clock += HOUR;
    await step();
    v = await view(id);
    // maxConcurrency 1: one broad host at a time.
    expect(
      v.hosts
        .filter((x) => x.ring === 'broad')
        .map((x) => x.status)
        .sort(),
    ).toEqual(['dispatched', 'queued']);
    const first = v.hosts.find((x) => x.status === 'dispatched')!;
    const [j2] = await poll(first.hostname);
    // The agent says it succeeded but the versions are not the targets: verification fails the task.
    const wrong = await report(first.hostname, j2!.id, {
      state: 'succeeded',
      after: j2!.packages.map((p) => ({ name: p.name, version: null })),
    });
    expect(wrong.json()).toMatchObject({ status: 'failed' });
    await step();
    v = await view(id);
    expect(v.status).toBe('halted');
    expect(v.waiting).toMatch(/error budget/);
    expect(v.hosts.find((x) => x.taskId === j2!.id)?.error?.code).toBe('PL_JOB_VERIFY_FAILED');
    // Halted: the last host stays queued and gets no job.
    const other = v.hosts.find((x) => x.ring === 'broad' && x.taskId !== j2!.id)!;
    expect(other.status).toBe('queued');
    expect(await poll(other.hostname)).toEqual([]);
    // Resumed: the failure before the resume no longer counts against the budget; the last host goes.
    const resume = await h.app.inject({
      method: 'POST',
      url: `/api/v1/deployments/${id}/resume`,
      headers: h.auth('operator'),
    });
    expect(resume.statusCode).toBe(200);
    await step();
    v = await view(id);
    expect(v.status).toBe('running');
    expect(v.hosts.find((x) => x.taskId === other.taskId)?.status).toBe('dispatched');
    // Cancel: no new task starts; the one in flight still gets told to stop.
    const cancel = await h.app.inject({
      method: 'POST',
      url: `/api/v1/deployments/${id}/cancel`,
      headers: h.auth('operator'),
    });
    expect(cancel.statusCode).toBe(200);
    await step();
    v = await view(id);
    expect(v.status).toBe('cancelled');
    const [late] = await poll(other.hostname);
    const told = await report(other.hostname, late!.id, { state: 'pre-check' });
    expect(told.json()).toMatchObject({ cancel: true });
    expect(
      (
        await report(other.hostname, late!.id, {
          state: 'failed',
          error: { code: 'PL_JOB_CANCELLED', message: 'cancelled' },
        })
      ).json(),
    ).toMatchObject({ status: 'failed' });
    expect(
      (
        await h.app.inject({
          method: 'POST',
          url: `/api/v1/deployments/${id}/resume`,
          headers: h.auth('operator'),
        })
      ).statusCode,
    ).toBe(409);
    // The change record.
    const csv = await h.app.inject({
      method: 'GET',
      url: `/api/v1/deployments/${id}/record?format=csv`,
      headers: h.auth('auditor'),
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe(
      'deployment,policy,created_by,host,ring,status,package,before,target,after,advisories,closed,started_at,finished_at,error',
    );
    expect(lines.some((l) => l.includes('pilot-1') && l.includes(',succeeded,'))).toBe(true);
    const audit = await h.app.inject({
      method: 'GET',
      url: `/api/v1/audit?target=deployment:${id}&limit=100`,
      headers: h.auth('auditor'),
    });
    const actions = (audit.json() as { items: { action: string }[] }).items.map((a) => a.action).reverse();
    expect(actions).toEqual(
      expect.arrayContaining([
        'deployment.create',
        'deployment.running',
        'task.succeeded',
        'task.failed',
        'deployment.halted',
        'deployment.cancel',
      ]),
    );

    // Roll back the pilot host: the before-versions, as a deployment of its own.
    const rb = await h.app.inject({
      method: 'POST',
      url: `/api/v1/deployments/${id}/rollback`,
      headers: h.auth('operator'),
      payload: {},
    });
    expect(rb.statusCode, rb.body).toBe(201);
    const rv = rb.json() as View & { kind: string };
    expect(rv.kind).toBe('rollback');
    expect(rv.hosts.map((x) => x.hostname)).toEqual(['pilot-1']);
    expect(rv.hosts[0]!.packages.every((p) => p.version.endsWith('~old'))).toBe(true);
    await step();
    const [rj] = await poll('pilot-1');
    expect(rj?.kind).toBe('rollback');
    const after = rj!.packages.map((p) => ({ name: p.name, version: p.version }));
    expect((await report('pilot-1', rj!.id, { state: 'succeeded', after })).json()).toMatchObject({
      status: 'succeeded',
    });
    await step();
    expect((await view(rv.id)).status).toBe('completed');
    expect((await view(id)).status).toBe('rolled-back');
    expect((await view(id)).hosts.find((x) => x.hostname === 'pilot-1')?.status).toBe('rolled-back');
    // pilot-1's deployment history: the rollback, then the original task it undid.
    const pilotHost = (await view(id)).hosts.find((x) => x.hostname === 'pilot-1')!;
    const hist = await h.app.inject({
      method: 'GET',
      url: `/api/v1/hosts/${(pilotHost as unknown as { hostId: number }).hostId}/deployments`,
      headers: h.auth('auditor'),
    });
    expect(hist.statusCode).toBe(200);
    const items = (hist.json() as { items: { deploymentId: number; kind: string; status: string }[] }).items;
    expect(items.map((i) => [i.deploymentId, i.kind, i.status])).toEqual([
      [rv.id, 'rollback', 'succeeded'],
      [id, 'install', 'rolled-back'],
    ]);
  });

  it('times out tasks past their deadline and never hands them out', async () => {
    const hosts = (
      await h.app.inject({ method: 'GET', url: '/api/v1/hosts?q=web-2', headers: h.auth('auditor') })
    ).json() as { items: { id: number }[] };
    const c = await h.app.inject({
      method: 'POST',
      url: '/api/v1/deployments',
      headers: h.auth('operator'),
      payload: {
        hosts: [hosts.items[0]!.id],
        packages: [{ name: 'gzip', version: '1.9-3+deb10u1' }],
        deadlineHours: 1,
      },
    });
    expect(c.statusCode, c.body).toBe(201);
    const id = (c.json() as View).id;
    await h.app.inject({
      method: 'POST',
      url: `/api/v1/deployments/${id}/halt`,
      headers: h.auth('operator'),
    });
    clock += 2 * HOUR;
    expect(await poll('web-2')).toEqual([]);
    await h.app.inject({
      method: 'POST',
      url: `/api/v1/deployments/${id}/resume`,
      headers: h.auth('operator'),
    });
    await step();
    const v = await view(id);
    expect(v.hosts[0]?.status).toBe('timed-out');
    expect(await poll('web-2')).toEqual([]);
  });

  it('starts a deployment once per window opening for a policy with autoDeploy', async () => {
    // 2026-11-23 is a Monday; the window opens every day at 02:00 UTC for 23 hours.
    const yaml = `name: nightly
selector: { tags: [pilot] }
schedule:
  window: { cron: "0 2 * * *", duration: "23h", timezone: "UTC" }
  autoDeploy: true
reboot: never
`;
    const p = await h.putPolicy('nightly', yaml);
    expect(p.statusCode, p.body).toBe(201);
    const before = (
      await h.app.inject({ method: 'GET', url: '/api/v1/deployments?limit=500', headers: h.auth('auditor') })
    ).json() as { total: number };
    const first = await autoDeploy(h.ctx, 'replica-a');
    const again = await autoDeploy(h.ctx, 'replica-b');
    expect(first).toHaveLength(1);
    expect(again).toEqual([]);
    const d = await view(first[0]!);
    expect(d.hosts.map((x) => x.hostname)).toEqual(['pilot-1']);
    const list = (
      await h.app.inject({ method: 'GET', url: '/api/v1/deployments?limit=500', headers: h.auth('auditor') })
    ).json() as { total: number; items: { createdBy: string }[] };
    expect(list.total).toBe(before.total + 1);
    expect(list.items[0]?.createdBy).toBe('system:schedule');
    await h.app.inject({
      method: 'POST',
      url: `/api/v1/deployments/${d.id}/cancel`,
      headers: h.auth('operator'),
    });
    // Outside the window (01:00 the next day) nothing starts.
    const saved = clock;
    clock = Date.parse('2026-11-25T01:30:00Z');
    expect(await autoDeploy(h.ctx, 'replica-a')).toEqual([]);
    clock = saved;
    await h.app.inject({ method: 'DELETE', url: '/api/v1/policies/nightly', headers: h.auth('operator') });
  });

  it('refuses what cannot be deployed', async () => {
    const none = await h.app.inject({
      method: 'POST',
      url: '/api/v1/deployments',
      headers: h.auth('operator'),
      payload: { policy: 'nope' },
    });
    expect(none.statusCode).toBe(404);
    const both = await h.app.inject({
      method: 'POST',
      url: '/api/v1/deployments',
      headers: h.auth('operator'),
      payload: { policy: 'rollout', hosts: [1], packages: [{ name: 'x', version: '1' }] },
    });
    expect(both.statusCode).toBe(400);
    const shell = await h.app.inject({
      method: 'POST',
      url: '/api/v1/deployments',
      headers: h.auth('operator'),
      payload: { hosts: [1], packages: [{ name: 'x; rm -rf /', version: '1' }] },
    });
    expect(shell.statusCode).toBe(400);
    const auditor = await h.app.inject({
      method: 'POST',
      url: '/api/v1/deployments',
      headers: h.auth('auditor'),
      payload: { policy: 'rollout' },
    });
    expect(auditor.statusCode).toBe(403);
  });

  it('pages the hosts of the view by a cursor and hands out one task with its log', async () => {
    const hosts = await h.app.inject({
      method: 'GET',
      url: '/api/v1/hosts?limit=10',
      headers: h.auth('auditor'),
    });
    const ids = (hosts.json() as { items: { id: number }[] }).items.map((x) => x.id);
    expect(ids).toHaveLength(3);
    const c = await h.app.inject({
      method: 'POST',
      url: '/api/v1/deployments',
      headers: h.auth('operator'),
      payload: { hosts: ids, packages: [{ name: 'bash', version: '9.9-1' }], reboot: 'never' },
    });
    expect(c.statusCode, c.body).toBe(201);
    const id = (c.json() as View).id;
    type Paged = View & { hostsTotal: number; hostsNext: string | null };
    const page = async (q: string) => {
      const r = await h.app.inject({
        method: 'GET',
        url: `/api/v1/deployments/${id}?${q}`,
        headers: h.auth('auditor'),
      });
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as Paged;
    };
    const first = await page('limit=2');
    expect(first.hosts.map((x) => x.hostname)).toEqual(['pilot-1', 'web-1']);
    expect(first.hostsTotal).toBe(3);
    expect(first.hostsNext).not.toBeNull();
    const second = await page(`limit=2&after=${encodeURIComponent(first.hostsNext!)}`);
    expect(second.hosts.map((x) => x.hostname)).toEqual(['web-2']);
    expect(second.hostsNext).toBeNull();
    expect((await page('status=queued')).hostsTotal).toBe(3);
    expect((await page('status=succeeded')).hosts).toEqual([]);
    const bad = await h.app.inject({
      method: 'GET',
      url: `/api/v1/deployments/${id}?after=nonsense`,
      headers: h.auth('auditor'),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'PL_REQUEST_INVALID' } });

    // Dispatched in one tick; the log is read for the task asked, never in the page.
    await step();
    const sent = await page('status=dispatched');
    expect(sent.hostsTotal).toBe(3);
    expect(sent.hosts.every((x) => !('log' in x))).toBe(true);
    const job = (await poll('web-1')).find((j) => sent.hosts.some((x) => x.taskId === j.id))!;
    expect(job).toBeDefined();
    expect((await report('web-1', job.id, { state: 'installing', log: 'Unpacking bash …' })).statusCode).toBe(
      200,
    );
    const one = await h.app.inject({
      method: 'GET',
      url: `/api/v1/deployments/${id}/tasks/${job.id}`,
      headers: h.auth('auditor'),
    });
    expect(one.statusCode, one.body).toBe(200);
    const task = one.json() as { hostname: string; status: string; log: string };
    expect(task).toMatchObject({ hostname: 'web-1', status: 'installing' });
    expect(task.log).toMatch(/dispatched\nUnpacking bash …\n$/);
    const elsewhere = await h.app.inject({
      method: 'GET',
      url: `/api/v1/deployments/${id - 1}/tasks/${job.id}`,
      headers: h.auth('auditor'),
    });
    expect(elsewhere.statusCode).toBe(404);
    // The change record lists every host, whatever the page size.
    const record = await h.app.inject({
      method: 'GET',
      url: `/api/v1/deployments/${id}/record`,
      headers: h.auth('auditor'),
    });
    expect((record.json() as Paged).hosts.map((x) => x.hostname)).toEqual(['pilot-1', 'web-1', 'web-2']);
    await h.app.inject({
      method: 'POST',
      url: `/api/v1/deployments/${id}/cancel`,
      headers: h.auth('operator'),
    });
  });
});
