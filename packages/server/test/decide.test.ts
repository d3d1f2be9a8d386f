/**
 * Prioritize and decide through the API: every finding carries its risk
 * (score, priority, each factor's points) and SLA due date; host context
 * changes the risk; exceptions need a second person, take findings out of
 * the compliance lists while active and put them back when they expire.
 */
import { parseInventoryCsv } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkin, enrollHost, facts, fullCheckin } from '@patchloop/test-support/agent-protocol';
import { BACKEND_NAMES, importFixtureFeeds, readFixture, startHarness, type Harness } from './harness.js';

const DEBIAN = { id: 'debian', versionId: '10', codename: 'buster', prettyName: null };
const DAY = 86_400_000;

interface F {
  id: number;
  advisory: { id: string };
  package: string;
  firstSeen: string;
  risk: {
    score: number;
    priority: string;
    factors: { name: string; points: number }[];
    explanation: string;
  } | null;
  sla: { dueAt: string; basis: string; state: string } | null;
  exception: { id: number } | null;
}

describe.each(BACKEND_NAMES)('risk, SLA and exceptions on %s', (backend) => {
  let h: Harness;
  let clock = Date.parse('2026-11-23T08:00:00Z');
  let hostId = 0;
  const get = async <T>(url: string, role: 'admin' | 'operator' | 'auditor' = 'auditor') => {
    const r = await h.app.inject({ method: 'GET', url, headers: h.auth(role) });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as T;
  };
  const findings = async (q = '') =>
    (await get<{ items: F[]; total: number }>(`/api/v1/hosts/${hostId}/findings?limit=1000${q}`)).items;

  beforeAll(async () => {
    h = await startHarness(backend, { now: () => new Date(clock) });
    h.ctx.wakeJobs = () => {};
    await importFixtureFeeds(h.db, [
      ['debian-dsa', 'debian-security-tracker/DSA-list.txt'],
      ['debian-dla', 'debian-security-tracker/DLA-list.txt'],
    ]);
    const inv = parseInventoryCsv(readFixture('inventories/normalized/debian-buster.csv')).packages;
    const e = await enrollHost(h.app, 'machine-decide-0001', 'decide-1');
    hostId = e.hostId;
    const r = await checkin(
      h.app,
      e.credential,
      fullCheckin('machine-decide-0001', facts('decide-1', DEBIAN), 'dpkg', inv),
    );
    expect(r.statusCode).toBe(200);
    await h.worker.drain();
  }, 120_000);
  afterAll(() => h.close());

  it('scores every finding with factors that add up, sorted by risk, with an SLA due date', async () => {
    const list = await findings();
    expect(list.length).toBeGreaterThan(10);
    for (const f of list) {
      expect(f.risk, f.advisory.id).not.toBeNull();
      const sum = f.risk!.factors.reduce((s, x) => s + x.points, 0);
      expect(Math.round(sum * 10) / 10).toBeCloseTo(f.risk!.score, 5);
      expect(f.risk!.explanation).toContain(`Risk ${f.risk!.score.toFixed(1)}`);
      const days = { P1: 7, P2: 30, P3: 90, P4: 180 }[f.risk!.priority as 'P1'];
      expect(f.sla!.basis).toBe('priority');
      expect(Date.parse(f.sla!.dueAt) - Date.parse(f.firstSeen)).toBe(days * DAY);
      expect(f.sla!.state).toBe(days <= 3 ? 'due-soon' : 'open');
    }
    const scores = list.map((f) => f.risk!.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('raises the risk when the host becomes critical and internet-facing', async () => {
    const before = new Map((await findings()).map((f) => [`${f.advisory.id}/${f.package}`, f.risk!.score]));
    const p = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/hosts/${hostId}`,
      headers: h.auth('operator'),
      payload: { criticality: 'tier0', internetFacing: true },
    });
    expect(p.statusCode, p.body).toBe(200);
    await h.worker.drain();
    const after = await findings();
    for (const f of after) {
      const was = before.get(`${f.advisory.id}/${f.package}`)!;
      expect(f.risk!.score).toBeGreaterThanOrEqual(was);
      if (was > 0 && was < 60) expect(f.risk!.score).toBeGreaterThan(was);
      expect(f.risk!.factors.map((x) => x.name)).toContain('exposure');
    }
  });

  it('needs a second person to approve an exception, which hides findings until it expires', async () => {
    const target = (await findings())[0]!;
    const open = (await findings()).length;
    const req = await h.app.inject({
      method: 'POST',
      url: '/api/v1/exceptions',
      headers: h.auth('operator'),
      payload: {
        kind: 'compensating-control',
        advisory: target.advisory.id,
        hostId,
        justification: 'WAF rule 9412 blocks the vulnerable endpoint',
        expiresAt: new Date(clock + 10 * DAY).toISOString(),
      },
    });
    expect(req.statusCode, req.body).toBe(201);
    const x = req.json() as { id: number; status: string; findings: number };
    expect(x.status).toBe('requested');
    expect(x.findings).toBeGreaterThanOrEqual(1);
    // Requested is not yet active.
    expect((await findings('&excepted=false')).length).toBe(open);
    const self = await h.app.inject({
      method: 'POST',
      url: `/api/v1/exceptions/${x.id}/approve`,
      headers: h.auth('operator'),
      payload: {},
    });
    expect([self.statusCode, self.json().error.code]).toEqual([403, 'PL_EXCEPTION_SELF_APPROVAL']);
    const ok = await h.app.inject({
      method: 'POST',
      url: `/api/v1/exceptions/${x.id}/approve`,
      headers: h.auth('admin'),
      payload: { note: 'checked the WAF' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const twice = await h.app.inject({
      method: 'POST',
      url: `/api/v1/exceptions/${x.id}/approve`,
      headers: h.auth('admin'),
      payload: {},
    });
    expect(twice.statusCode).toBe(409);
    const excepted = await findings('&excepted=true');
    expect(excepted.length).toBe(x.findings);
    expect(excepted.every((f) => f.exception?.id === x.id && f.advisory.id === target.advisory.id)).toBe(
      true,
    );
    expect((await findings('&excepted=false')).length).toBe(open - x.findings);
    // Still visible in the plain list, but out of the compliance figures.
    expect((await findings()).length).toBe(open);
    const c = await get<{
      open: number;
      excepted: number;
      inScope: number;
      breached: number;
      slaCompliance: number;
    }>('/api/v1/compliance');
    expect(c).toMatchObject({
      open,
      excepted: x.findings,
      inScope: open - x.findings,
      breached: 0,
      slaCompliance: 1,
    });

    // Eleven days later it has expired: the findings count again, and the expiry is audited.
    clock += 11 * DAY;
    expect((await findings('&excepted=false')).length).toBe(open);
    await h.ctx.db.query(
      "INSERT INTO job (kind, status, run_at, created_at) VALUES ('expire-exceptions', 'queued', now(), now())",
    );
    await h.worker.drain();
    const after = await get<{ status: string }>(`/api/v1/exceptions/${x.id}`);
    expect(after.status).toBe('expired');
    const audit = await get<{ items: { action: string }[] }>(`/api/v1/audit?target=exception:${x.id}`);
    expect(audit.items.map((a) => a.action)).toEqual([
      'exception.expire',
      'exception.approve',
      'exception.request',
    ]);
    // Past every due date (the longest SLA is 180 days), every open finding is breached.
    expect((await findings('&sla=breached')).length).toBe(0);
    clock += 200 * DAY;
    const breached = await findings('&sla=breached');
    expect(breached.length).toBe(open);
    expect(breached.every((f) => f.sla!.state === 'breached' && Date.parse(f.sla!.dueAt) < clock)).toBe(true);
    const late = await get<{
      inScope: number;
      breached: number;
      slaCompliance: number;
      hostsWithBreaches: number;
    }>('/api/v1/compliance');
    expect(late).toMatchObject({ inScope: open, breached: open, slaCompliance: 0, hostsWithBreaches: 1 });
    clock -= 200 * DAY;
  });

  it('validates exception requests', async () => {
    const post = (payload: Record<string, unknown>) =>
      h.app.inject({ method: 'POST', url: '/api/v1/exceptions', headers: h.auth('operator'), payload });
    const base = {
      kind: 'accepted-risk',
      justification: 'long enough justification',
      expiresAt: new Date(clock + DAY).toISOString(),
    };
    expect((await post(base)).statusCode).toBe(400); // no scope
    expect(
      (await post({ ...base, package: 'bash', expiresAt: new Date(clock - DAY).toISOString() })).statusCode,
    ).toBe(400);
    expect(
      (await post({ ...base, package: 'bash', expiresAt: new Date(clock + 400 * DAY).toISOString() }))
        .statusCode,
    ).toBe(400);
    expect((await post({ ...base, package: 'bash', justification: 'short' })).statusCode).toBe(400);
    expect((await post({ ...base, hostId: 999_999 })).statusCode).toBe(400);
    const auditor = await h.app.inject({
      method: 'POST',
      url: '/api/v1/exceptions',
      headers: h.auth('auditor'),
      payload: { ...base, package: 'bash' },
    });
    expect(auditor.statusCode).toBe(403);
  });

  it('applies configured SLA days and weights, refusing invalid ones', async () => {
    const bad = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/settings/risk',
      headers: h.auth('admin'),
      payload: { weights: { priorityCutoffs: 'x' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('PL_RISK_WEIGHTS_INVALID');
    const notAdmin = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/settings/risk',
      headers: h.auth('operator'),
      payload: { sla: {} },
    });
    expect(notAdmin.statusCode).toBe(403);
    const put = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/settings/risk',
      headers: h.auth('admin'),
      payload: { sla: { days: { P1: 2, P2: 14, P3: 60, P4: 120 } } },
    });
    expect(put.statusCode, put.body).toBe(200);
    await h.worker.drain();
    for (const f of await findings()) {
      const days = { P1: 2, P2: 14, P3: 60, P4: 120 }[f.risk!.priority as 'P1'];
      expect(Date.parse(f.sla!.dueAt) - Date.parse(f.firstSeen)).toBe(days * DAY);
    }
  });
});
