/**
 * Host identity at enrollment: the shared secret creates new hosts only. A
 * known machine id re-enrolls with its current credential or an admin's
 * one-time host token; anyone else holding the secret and the machine id is
 * refused, and the real agent keeps its credential. Auditors never see
 * machine ids (hosts, host detail, audit log).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkin, enrollHost, facts } from '@patchloop/test-support/agent-protocol';
import { BACKEND_NAMES, ENROLL_SECRET, startHarness, type Harness } from './harness.js';

const DEBIAN = { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: null };
const HOUR = 3_600_000;

describe.each(BACKEND_NAMES)('enrollment and host identity on %s', (backend) => {
  let h: Harness;
  let clock = Date.parse('2026-11-23T08:00:00Z');
  const enroll = (machineId: string, extra: Record<string, unknown> = {}) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/enroll',
      payload: { secret: ENROLL_SECRET, machineId, hostname: 'victim', tags: [], ...extra },
    });
  const heartbeat = (credential: string, machineId: string) =>
    checkin(h.app, credential, {
      agentVersion: '0.1.0',
      machineId,
      facts: facts('victim', DEBIAN),
      inventory: { kind: 'same', hash: '0'.repeat(64) },
    });
  const issue = async (hostId: number, expiresInHours?: number) => {
    const r = await h.app.inject({
      method: 'POST',
      url: `/api/v1/hosts/${hostId}/enroll-token`,
      headers: h.auth('admin'),
      payload: expiresInHours ? { expiresInHours } : {},
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { hostId: number; token: string; expiresAt: string };
  };
  const audit = async (role: 'admin' | 'auditor', action: string) => {
    const r = await h.app.inject({
      method: 'GET',
      url: `/api/v1/audit?action=${action}`,
      headers: h.auth(role),
    });
    expect(r.statusCode, r.body).toBe(200);
    return (r.json() as { items: { target: string; after: Record<string, unknown> }[] }).items;
  };

  beforeAll(async () => {
    h = await startHarness(backend, { now: () => new Date(clock) });
  }, 60_000);
  afterAll(() => h.close());

  it('refuses the shared secret alone for a known machine id; the real agent keeps its credential', async () => {
    const real = await enrollHost(h.app, 'machine-victim-0001', 'victim');
    expect((await heartbeat(real.credential, 'machine-victim-0001')).statusCode).toBe(200);

    const impostor = await enroll('machine-victim-0001');
    expect([impostor.statusCode, impostor.json().error.code]).toEqual([409, 'PL_ENROLL_HOST_EXISTS']);
    expect(impostor.json().error.message).toContain(`/api/v1/hosts/${real.hostId}/enroll-token`);
    // Another host's credential is no proof either.
    const other = await enrollHost(h.app, 'machine-other-0001', 'other');
    const forged = await enroll('machine-victim-0001', { credential: other.credential });
    expect([forged.statusCode, forged.json().error.code]).toEqual([409, 'PL_ENROLL_HOST_EXISTS']);

    expect((await heartbeat(real.credential, 'machine-victim-0001')).statusCode).toBe(200);
    const refused = await audit('admin', 'host.re-enroll-refused');
    expect(refused.filter((e) => e.target === `host:${real.hostId}`)).toHaveLength(2);
  });

  it('re-enrolls a known machine with its current credential: same host, the old credential revoked', async () => {
    const first = await enrollHost(h.app, 'machine-moved-0001', 'moved');
    const again = await enrollHost(h.app, 'machine-moved-0001', 'moved', [], {
      credential: first.credential,
    });
    expect(again.hostId).toBe(first.hostId);
    expect((await heartbeat(first.credential, 'machine-moved-0001')).statusCode).toBe(401);
    expect((await heartbeat(again.credential, 'machine-moved-0001')).statusCode).toBe(200);
    // A revoked credential proves nothing.
    const replay = await enroll('machine-moved-0001', { credential: first.credential });
    expect(replay.json().error.code).toBe('PL_ENROLL_HOST_EXISTS');
  });

  it("re-enrolls with an admin's one-time host token: single use, for that host, until it expires", async () => {
    const lost = await enrollHost(h.app, 'machine-lost-0001', 'lost');
    const elsewhere = await enrollHost(h.app, 'machine-else-0001', 'elsewhere');
    const t = await issue(lost.hostId);
    expect(t.token).toMatch(/^plh_/);

    const wrongHost = await enroll('machine-else-0001', { hostToken: t.token });
    expect([wrongHost.statusCode, wrongHost.json().error.code]).toEqual([401, 'PL_ENROLL_TOKEN_INVALID']);
    expect((await heartbeat(elsewhere.credential, 'machine-else-0001')).statusCode).toBe(200);

    const ok = await enrollHost(h.app, 'machine-lost-0001', 'lost', [], { hostToken: t.token });
    expect(ok.hostId).toBe(lost.hostId);
    expect((await heartbeat(lost.credential, 'machine-lost-0001')).statusCode).toBe(401);
    const twice = await enroll('machine-lost-0001', { hostToken: t.token });
    expect([twice.statusCode, twice.json().error.code]).toEqual([401, 'PL_ENROLL_TOKEN_INVALID']);
    expect((await heartbeat(ok.credential, 'machine-lost-0001')).statusCode).toBe(200);

    const late = await issue(lost.hostId, 1);
    clock += 2 * HOUR;
    const expired = await enroll('machine-lost-0001', { hostToken: late.token });
    expect([expired.statusCode, expired.json().error.code]).toEqual([401, 'PL_ENROLL_TOKEN_INVALID']);

    // A new token replaces the unused one; issuing is audited without the token.
    const a = await issue(lost.hostId);
    const b = await issue(lost.hostId);
    expect((await enroll('machine-lost-0001', { hostToken: a.token })).statusCode).toBe(401);
    expect((await enroll('machine-lost-0001', { hostToken: b.token })).statusCode).toBe(201);
    const issued = await audit('admin', 'host.enroll-token');
    expect(issued.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(issued)).not.toContain(b.token);
    const reEnrolled = await audit('admin', 'host.re-enroll');
    expect(reEnrolled.map((e) => e.after.proof)).toContain('host-token');
  });

  it('hides machine ids from auditors: host list, host detail and the audit log', async () => {
    const e = await enrollHost(h.app, 'machine-secret-0001', 'secret-id');
    const get = (url: string, role: 'admin' | 'operator' | 'auditor') =>
      h.app.inject({ method: 'GET', url, headers: h.auth(role) });
    for (const role of ['admin', 'operator'] as const) {
      expect((await get(`/api/v1/hosts/${e.hostId}`, role)).json().machineId).toBe('machine-secret-0001');
    }
    const detail = await get(`/api/v1/hosts/${e.hostId}`, 'auditor');
    expect(detail.statusCode).toBe(200);
    expect(detail.json().machineId).toBeNull();
    const list = await get('/api/v1/hosts?limit=500', 'auditor');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('machine-secret-0001');
    expect(list.body).not.toContain('machine-victim-0001');
    const log = await get('/api/v1/audit?limit=500', 'auditor');
    expect(log.statusCode).toBe(200);
    expect(log.body).not.toContain('machine-secret-0001');
    expect(log.body).toContain('(hidden)');
    expect((await get('/api/v1/audit?limit=500', 'admin')).body).toContain('machine-secret-0001');
  });
});
