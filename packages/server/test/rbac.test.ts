/**
 * The access matrix of every /api/v1 route: who gets 401, who gets 403, who
 * gets in. The table below must cover every registered route, so a route
 * added without a row here fails this file.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollHost, facts } from '@patchloop/test-support/agent-protocol';
import { BACKEND_NAMES, ENROLL_SECRET, startHarness, type Harness } from './harness.js';

type Access = 'public' | 'agent' | 'read' | 'write' | 'admin';
type Caller = 'none' | 'unknown' | 'unknownAgent' | 'notBearer' | 'admin' | 'operator' | 'auditor' | 'agent';

interface Fixture {
  readonly hostId: number;
  readonly exceptionIds: number[];
  nextException(): number;
  nextPolicy(): string;
  readonly machineId: string;
  readonly revokeId: number;
  readonly n: () => number;
}
interface Req {
  readonly payload?: Record<string, unknown> | string;
  readonly contentType?: string;
  readonly url?: string;
}

const ADMIN_PASSWORD = 'admin-password-for-tests-0123';
const DEBIAN = {
  id: 'debian',
  versionId: '10',
  codename: 'buster',
  prettyName: 'Debian GNU/Linux 10 (buster)',
};

/** "METHOD /path" → who may call it and a request it accepts (2xx) when allowed. */
const ROUTES: Record<string, { access: Access; req?: (f: Fixture) => Req; notFoundOk?: boolean }> = {
  'POST /api/v1/enroll': {
    access: 'public',
    req: (f) => ({
      payload: { secret: ENROLL_SECRET, machineId: `machine-public-${f.n()}`, hostname: 'p', tags: [] },
    }),
  },
  'POST /api/v1/sessions': {
    access: 'public',
    req: () => ({ payload: { username: 'admin', password: ADMIN_PASSWORD } }),
  },
  'POST /api/v1/session': {
    access: 'public',
    req: () => ({ payload: { username: 'admin', password: ADMIN_PASSWORD } }),
  },
  'GET /api/v1/session': { access: 'read' },
  // For a bearer caller there is no console session to end: 204, nothing revoked.
  'DELETE /api/v1/session': { access: 'read' },
  'POST /api/v1/agent/checkin': {
    access: 'agent',
    req: (f) => ({
      payload: {
        agentVersion: '0.1.0',
        machineId: f.machineId,
        facts: facts('rbac-host', DEBIAN),
        inventory: { kind: 'same', hash: 'a'.repeat(64) },
      },
    }),
  },
  'GET /api/v1/feeds': { access: 'read' },
  'POST /api/v1/feeds/sync': { access: 'write' },
  'GET /api/v1/findings': { access: 'read' },
  'GET /api/v1/vulnerabilities': { access: 'read' },
  'GET /api/v1/audit': { access: 'read' },
  'GET /api/v1/hosts': { access: 'read' },
  'GET /api/v1/hosts/:id': { access: 'read' },
  'PATCH /api/v1/hosts/:id': { access: 'write', req: () => ({ payload: { owner: 'team-rbac' } }) },
  'GET /api/v1/hosts/:id/packages': { access: 'read' },
  'GET /api/v1/hosts/:id/findings': { access: 'read' },
  'GET /api/v1/tokens': { access: 'admin' },
  'POST /api/v1/tokens': {
    access: 'admin',
    req: (f) => ({ payload: { name: `rbac-${f.n()}`, role: 'auditor' } }),
  },
  'DELETE /api/v1/tokens/:id': { access: 'admin', req: (f) => ({ url: `/api/v1/tokens/${f.revokeId}` }) },
  'GET /api/v1/users': { access: 'admin' },
  'POST /api/v1/users': {
    access: 'admin',
    req: (f) => ({
      payload: { username: `user${f.n()}`, password: 'long-enough-password', role: 'auditor' },
    }),
  },
  'GET /api/v1/settings/enrollment': { access: 'admin' },
  // PATCHLOOP_ENROLL_SECRET is set here: allowed callers get 409 PL_ENROLL_SECRET_FROM_ENV.
  'POST /api/v1/settings/enrollment/rotate': { access: 'admin', notFoundOk: true },
  'PATCH /api/v1/users/:username': {
    access: 'admin',
    req: () => ({ url: '/api/v1/users/nobody', payload: { disabled: false } }),
    notFoundOk: true,
  },
  'POST /api/v1/users/:username/password': {
    access: 'admin',
    req: () => ({ url: '/api/v1/users/nobody/password', payload: {} }),
    notFoundOk: true,
  },
  // A bearer API token has no password: 404 for every role (sessions are tested in users-lifecycle).
  'PUT /api/v1/session/password': {
    access: 'read',
    req: () => ({ payload: { currentPassword: 'x', newPassword: 'long-enough-password' } }),
    notFoundOk: true,
  },
  'POST /api/v1/hosts/:id/retire': {
    access: 'write',
    req: () => ({ url: '/api/v1/hosts/999999/retire', payload: {} }),
    notFoundOk: true,
  },
  'POST /api/v1/hosts/:id/reinstate': {
    access: 'write',
    req: () => ({ url: '/api/v1/hosts/999999/reinstate' }),
    notFoundOk: true,
  },
  'POST /api/v1/hosts/:id/enroll-token': {
    access: 'admin',
    req: () => ({ url: '/api/v1/hosts/999999/enroll-token', payload: {} }),
    notFoundOk: true,
  },
  'DELETE /api/v1/hosts/:id': {
    access: 'admin',
    req: () => ({ url: '/api/v1/hosts/999999' }),
    notFoundOk: true,
  },
  'GET /api/v1/settings/risk': { access: 'read' },
  'PUT /api/v1/settings/risk': { access: 'admin', req: () => ({ payload: { sla: { dueSoonDays: 3 } } }) },
  'GET /api/v1/exceptions': { access: 'read' },
  'GET /api/v1/exceptions/:id': {
    access: 'read',
    req: (f) => ({ url: `/api/v1/exceptions/${f.exceptionIds[0]}` }),
  },
  'POST /api/v1/exceptions': {
    access: 'write',
    req: (f) => ({
      payload: {
        kind: 'accepted-risk',
        hostId: f.hostId,
        justification: 'RBAC test: a scoped, expiring exception',
        expiresAt: '2030-02-01T00:00:00Z',
      },
    }),
  },
  'GET /api/v1/hosts/:id/updates': { access: 'read' },
  'GET /api/v1/remediations': { access: 'read' },
  'GET /api/v1/compliance': { access: 'read' },
  'GET /api/v1/dashboard': { access: 'read' },
  'POST /api/v1/hosts/import': {
    access: 'write',
    req: (f) => ({
      payload: {
        hostname: `imported-${f.n()}`,
        os: 'debian:10',
        format: 'dpkg-status',
        content:
          'Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.11.dfsg-1\nArchitecture: amd64\n\n',
      },
    }),
  },
  'POST /api/v1/feeds/:source/import': {
    access: 'write',
    req: () => ({
      url: '/api/v1/feeds/kev/import?name=kev.json',
      contentType: 'application/octet-stream',
      payload: JSON.stringify({
        catalogVersion: '1',
        dateReleased: '2026-01-01T00:00:00Z',
        count: 0,
        vulnerabilities: [],
      }),
    }),
  },
  'POST /api/v1/hosts/tags': {
    access: 'write',
    req: (f) => ({ payload: { hostIds: [f.hostId], add: [`rbac-${f.n()}`] } }),
  },
  // Deployments: the access rule is checked before anything else, so ids of nothing suffice here
  // (allowed callers get 404/409, which the matrix accepts for these routes).
  'POST /api/v1/deployments': {
    access: 'write',
    req: () => ({ payload: { policy: 'rbac' } }),
    notFoundOk: true,
  },
  'GET /api/v1/deployments': { access: 'read' },
  'GET /api/v1/hosts/:id/deployments': { access: 'read' },
  'GET /api/v1/deployments/:id': {
    access: 'read',
    req: () => ({ url: '/api/v1/deployments/999999' }),
    notFoundOk: true,
  },
  'GET /api/v1/deployments/:id/tasks/:taskId': {
    access: 'read',
    req: () => ({ url: '/api/v1/deployments/999999/tasks/t0' }),
    notFoundOk: true,
  },
  'GET /api/v1/deployments/:id/record': {
    access: 'read',
    req: () => ({ url: '/api/v1/deployments/999999/record' }),
    notFoundOk: true,
  },
  'POST /api/v1/deployments/:id/halt': {
    access: 'write',
    req: () => ({ url: '/api/v1/deployments/999999/halt' }),
    notFoundOk: true,
  },
  'POST /api/v1/deployments/:id/resume': {
    access: 'write',
    req: () => ({ url: '/api/v1/deployments/999999/resume' }),
    notFoundOk: true,
  },
  'POST /api/v1/deployments/:id/cancel': {
    access: 'write',
    req: () => ({ url: '/api/v1/deployments/999999/cancel' }),
    notFoundOk: true,
  },
  'POST /api/v1/deployments/:id/rollback': {
    access: 'write',
    req: () => ({ url: '/api/v1/deployments/999999/rollback', payload: {} }),
    notFoundOk: true,
  },
  'GET /api/v1/job-signing': { access: 'admin' },
  // Without a next key the answer is 409 PL_JOB_SIGNING_NO_NEXT_KEY (job-signing.test.ts rotates).
  'POST /api/v1/job-signing/rotate': { access: 'admin', notFoundOk: true },
  'POST /api/v1/agent/jobs/poll': {
    access: 'agent',
    req: (f) => ({ payload: { machineId: f.machineId, waitSeconds: 0 } }),
  },
  'POST /api/v1/agent/jobs/:id/report': {
    access: 'agent',
    req: (f) => ({
      url: '/api/v1/agent/jobs/tNoSuchJob000/report',
      payload: { machineId: f.machineId, state: 'installing', log: '' },
    }),
    notFoundOk: true,
  },
  'GET /api/v1/policies': { access: 'read' },
  'GET /api/v1/policies/:name': { access: 'read', req: () => ({ url: '/api/v1/policies/rbac' }) },
  'PUT /api/v1/policies/:name': {
    access: 'write',
    req: (f) => ({
      url: '/api/v1/policies/rbac',
      payload: { name: 'rbac', approve: { deferDays: f.n() % 5 } },
    }),
  },
  'DELETE /api/v1/policies/:name': {
    access: 'write',
    req: (f) => ({ url: `/api/v1/policies/${f.nextPolicy()}` }),
  },
  'GET /api/v1/policies/:name/versions': {
    access: 'read',
    req: () => ({ url: '/api/v1/policies/rbac/versions' }),
  },
  'GET /api/v1/policies/:name/simulate': {
    access: 'read',
    req: () => ({ url: '/api/v1/policies/rbac/simulate?at=2030-01-01T00:00:00Z' }),
  },
  // Each call decides a fresh exception requested by a third identity (nobody approves their own).
  'POST /api/v1/exceptions/:id/approve': {
    access: 'write',
    req: (f) => ({ url: `/api/v1/exceptions/${f.nextException()}/approve`, payload: {} }),
  },
  'POST /api/v1/exceptions/:id/reject': {
    access: 'write',
    req: (f) => ({ url: `/api/v1/exceptions/${f.nextException()}/reject`, payload: {} }),
  },
  'POST /api/v1/exceptions/:id/revoke': {
    access: 'write',
    req: (f) => ({ url: `/api/v1/exceptions/${f.nextException()}/revoke`, payload: {} }),
  },
};

/** Which callers get in; every other one is refused. */
const ALLOWED: Record<Access, readonly Caller[]> = {
  public: ['none', 'unknown', 'unknownAgent', 'notBearer', 'admin', 'operator', 'auditor', 'agent'],
  agent: ['agent'],
  read: ['admin', 'operator', 'auditor'],
  write: ['admin', 'operator'],
  admin: ['admin'],
};
/** Callers without a valid credential: 401, whatever the route (unless public). */
const UNAUTHENTICATED: readonly Caller[] = ['none', 'unknown', 'unknownAgent', 'notBearer'];
const CALLERS: readonly Caller[] = [...UNAUTHENTICATED, 'auditor', 'operator', 'agent', 'admin'];

/** The access a route declares in `config.access`, as this table names it (undefined: none). */
function accessName(access: unknown): Access | undefined {
  if (access === 'public' || access === 'agent') return access;
  const roles = (access as { roles?: readonly string[] } | undefined)?.roles;
  if (roles === undefined) return undefined;
  const names: Record<string, Access> = {
    'admin,operator,auditor': 'read',
    'admin,operator': 'write',
    admin: 'admin',
  };
  return names[roles.join(',')];
}

describe.each(BACKEND_NAMES)('RBAC on %s', (backend) => {
  let h: Harness;
  let clock = Date.parse('2030-01-01T00:00:00Z');
  let fixture: Fixture;
  let agentCredential = '';
  let counter = 0;
  const tick = (ms: number) => (clock += ms);
  /** Every route the app registered, "METHOD /path" → its declared access, collected as Fastify adds it. */
  const registered = new Map<string, Access | undefined>();

  beforeAll(async () => {
    h = await startHarness(backend, {
      // The feed-sync jobs this file queues must never reach the network.
      config: { adminPassword: ADMIN_PASSWORD, feedMirror: mkdtempSync(join(tmpdir(), 'pl-mirror-')) },
      now: () => new Date(clock),
      onRoute: (route) => {
        for (const method of [route.method].flat()) {
          registered.set(`${method} ${route.url}`, accessName(route.config?.access));
        }
      },
    });
    // Jobs stay queued: nothing here runs them.
    h.ctx.wakeJobs = () => {};
    const e = await enrollHost(h.app, 'machine-rbac-0001', 'rbac-host');
    agentCredential = e.credential;
    const throwaway = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth('admin'),
      payload: { name: 'to-revoke', role: 'auditor' },
    });
    const requester = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth('admin'),
      payload: { name: 'rbac-requester', role: 'operator' },
    });
    const requesterToken = (requester.json() as { token: string }).token;
    const exceptionIds: number[] = [];
    for (let i = 0; i < 40; i++) {
      const x = await h.app.inject({
        method: 'POST',
        url: '/api/v1/exceptions',
        headers: { authorization: `Bearer ${requesterToken}` },
        payload: {
          kind: 'false-positive',
          package: `pkg-${i}`,
          justification: 'requested for the RBAC test',
          expiresAt: '2030-03-01T00:00:00Z',
        },
      });
      exceptionIds.push((x.json() as { id: number }).id);
    }
    const policies: string[] = [];
    for (const name of ['rbac', ...Array.from({ length: 12 }, (_, i) => `gone-${i}`)]) {
      const r = await h.app.inject({
        method: 'PUT',
        url: `/api/v1/policies/${name}`,
        headers: h.auth('admin'),
        payload: { name },
      });
      if (r.statusCode !== 201) throw new Error(`policy ${name}: ${r.statusCode} ${r.body}`);
      if (name !== 'rbac') policies.push(name);
    }
    let nextPolicy = 0;
    let nextException = 0;
    fixture = {
      exceptionIds,
      nextException: () => exceptionIds[nextException++] as number,
      nextPolicy: () => policies[nextPolicy++] as string,
      hostId: e.hostId,
      machineId: 'machine-rbac-0001',
      revokeId: (throwaway.json() as { id: number }).id,
      n: () => ++counter,
    };
  });
  afterAll(() => h.close());

  function headers(caller: Caller): Record<string, string> {
    switch (caller) {
      case 'none':
        return {};
      case 'unknown':
        return { authorization: 'Bearer plt_thisTokenWasNeverIssuedByTheServer00000000000' };
      case 'unknownAgent':
        return { authorization: 'Bearer pla_thisCredentialWasNeverIssuedByTheServer000000' };
      case 'notBearer':
        return { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` };
      case 'agent':
        return { authorization: `Bearer ${agentCredential}` };
      default:
        return h.auth(caller);
    }
  }

  function call(route: string, caller: Caller, method?: string) {
    const [m, path] = route.split(' ') as [string, string];
    const r = ROUTES[route]?.req?.(fixture) ?? {};
    return h.app.inject({
      method: (method ?? m) as 'GET',
      url: r.url ?? path.replace(':id', String(fixture.hostId)),
      headers: { ...headers(caller), ...(r.contentType ? { 'content-type': r.contentType } : {}) },
      ...(r.payload ? { payload: r.payload } : {}),
    });
  }

  it('has a row for every registered /api/v1 route, and no row for a route that does not exist', () => {
    const routes = [...registered.keys()];
    // Every route was seen: those outside /api/v1 too.
    expect(routes).toContain('GET /healthz');
    const api = routes
      .filter((r) => r.split(' ')[1]?.startsWith('/api/v1/') && !r.startsWith('HEAD '))
      .sort();
    expect(api).toEqual(Object.keys(ROUTES).sort());
    // Each declares the access its row says (a route declaring none would be refused to everyone).
    expect(Object.fromEntries(api.map((r) => [r, registered.get(r)]))).toEqual(
      Object.fromEntries(Object.entries(ROUTES).map(([r, { access }]) => [r, access])),
    );
  });

  for (const [route, { access, notFoundOk }] of Object.entries(ROUTES)) {
    it(`${route} (${access})`, async () => {
      for (const caller of CALLERS) {
        const r = await call(route, caller);
        const got = `${caller}: ${r.statusCode} ${r.body.slice(0, 200)}`;
        if (ALLOWED[access].includes(caller)) {
          if (notFoundOk && (r.statusCode === 404 || r.statusCode === 409)) continue;
          expect(r.statusCode, got).toBeGreaterThanOrEqual(200);
          expect(r.statusCode, got).toBeLessThan(300);
        } else if (UNAUTHENTICATED.includes(caller)) {
          expect([r.statusCode, r.json().error.code], got).toEqual([401, 'PL_AUTH_REQUIRED']);
        } else {
          expect([r.statusCode, r.json().error.code], got).toEqual([403, 'PL_AUTH_FORBIDDEN']);
        }
      }
      // HEAD, which Fastify adds for every GET, is guarded the same way.
      if (route.startsWith('GET ') && access !== 'public') {
        expect((await call(route, 'none', 'HEAD')).statusCode).toBe(401);
        expect((await call(route, 'agent', 'HEAD')).statusCode).toBe(403);
      }
    });
  }

  it('checks the credential before reading or validating the body', async () => {
    for (const route of Object.keys(ROUTES).filter((r) => !r.startsWith('GET '))) {
      if (ROUTES[route]?.access === 'public') continue;
      const [method, path] = route.split(' ') as [string, string];
      const url = path.replace(':id', String(fixture.hostId));
      const invalid = await h.app.inject({ method: method as 'POST', url, payload: { nonsense: true } });
      expect([route, invalid.statusCode, invalid.json().error.code]).toEqual([
        route,
        401,
        'PL_AUTH_REQUIRED',
      ]);
      const malformed = await h.app.inject({
        method: method as 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        payload: '{"not json',
      });
      expect([route, malformed.statusCode]).toEqual([route, 401]);
    }
  });

  it('guards a route however its path is spelled', async () => {
    // "%61" is "a": the router decodes it and routes to GET /api/v1/tokens.
    for (const url of [
      '/%61pi/v1/tokens',
      '/api/v1/%74okens',
      '/api%2fv1/tokens',
      '/api/v1/tokens?x=/healthz',
    ]) {
      const r = await h.app.inject({ method: 'GET', url });
      expect([url, r.statusCode], r.body).not.toEqual([url, 200]);
      expect(r.statusCode === 401 || r.statusCode === 404, `${url}: ${r.statusCode}`).toBe(true);
      const asAuditor = await h.app.inject({ method: 'GET', url, headers: h.auth('auditor') });
      expect([url, asAuditor.statusCode === 403 || asAuditor.statusCode === 404]).toEqual([url, true]);
    }
  });

  it('refuses a revoked token at once', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth('admin'),
      payload: { name: 'soon-revoked', role: 'operator' },
    });
    const { id, token } = created.json() as { id: number; token: string };
    const use = () =>
      h.app.inject({ method: 'GET', url: '/api/v1/hosts', headers: { authorization: `Bearer ${token}` } });
    expect((await use()).statusCode).toBe(200);
    expect((await use()).statusCode).toBe(200); // now cached
    const revoked = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${id}`,
      headers: h.auth('admin'),
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).toBe(new Date(clock).toISOString());
    const after = await use();
    expect([after.statusCode, after.json().error.code]).toEqual([401, 'PL_AUTH_REQUIRED']);
    // Revoking again keeps the first revocation time; an unknown id is 404.
    tick(1000);
    const again = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${id}`,
      headers: h.auth('admin'),
    });
    expect(again.json().revokedAt).toBe(revoked.json().revokedAt);
    const unknown = await h.app.inject({
      method: 'DELETE',
      url: '/api/v1/tokens/999999',
      headers: h.auth('admin'),
    });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'PL_NOT_FOUND']);
  });

  it('refuses an expired token, even one verified moments before it expired', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth('admin'),
      payload: { name: 'one-day', role: 'auditor', expiresInDays: 1 },
    });
    const { token, expiresAt } = created.json() as { token: string; expiresAt: string };
    expect(expiresAt).toBe(new Date(clock + 86_400_000).toISOString());
    const use = () =>
      h.app.inject({ method: 'GET', url: '/api/v1/findings', headers: { authorization: `Bearer ${token}` } });
    expect((await use()).statusCode).toBe(200);
    tick(86_400_000 - 10_000);
    expect((await use()).statusCode).toBe(200); // 10 s left: verified and cached
    tick(11_000);
    const expired = await use();
    expect([expired.statusCode, expired.json().error.code]).toEqual([401, 'PL_AUTH_REQUIRED']);
    tick(86_400_000);
    expect((await use()).statusCode).toBe(401);
  });

  it('signs a user in with a password; the session token carries the role and expires', async () => {
    const sessionEvents = async () =>
      (
        await h.app.inject({
          method: 'GET',
          url: '/api/v1/audit?action=session.create',
          headers: h.auth('auditor'),
        })
      ).json().total as number;
    const sessionsBefore = await sessionEvents();
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { username: 'admin', password: `${ADMIN_PASSWORD}x` },
    });
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([401, 'PL_AUTH_REQUIRED']);
    const nobody = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { username: 'nobody', password: ADMIN_PASSWORD },
    });
    expect([nobody.statusCode, nobody.json().error.message]).toEqual([401, wrong.json().error.message]);

    const admin = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
    });
    expect(admin.statusCode).toBe(201);
    expect(admin.json()).toMatchObject({
      role: 'admin',
      expiresAt: new Date(clock + 12 * 3_600_000).toISOString(),
    });
    const adminAuth = { authorization: `Bearer ${admin.json().token}` };
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: adminAuth })).statusCode,
    ).toBe(200);

    // An auditor user gets an auditor session: reads, may not write.
    const user = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: adminAuth,
      payload: { username: 'audrey', password: 'audrey-password-1234', role: 'auditor' },
    });
    expect(user.statusCode).toBe(201);
    const s = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { username: 'audrey', password: 'audrey-password-1234' },
    });
    expect([s.statusCode, s.json().role]).toEqual([201, 'auditor']);
    const auth = { authorization: `Bearer ${s.json().token}` };
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/hosts', headers: auth })).statusCode).toBe(200);
    const write = await h.app.inject({ method: 'POST', url: '/api/v1/feeds/sync', headers: auth });
    expect([write.statusCode, write.json().error.code]).toEqual([403, 'PL_AUTH_FORBIDDEN']);
    const admin2 = await h.app.inject({ method: 'GET', url: '/api/v1/users', headers: auth });
    expect(admin2.statusCode).toBe(403);

    tick(12 * 3_600_000 + 1000);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/hosts', headers: auth })).statusCode).toBe(401);
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: adminAuth })).statusCode,
    ).toBe(401);

    // Two sign-ins in this test succeeded; the refused ones left no session.
    expect((await sessionEvents()) - sessionsBefore).toBe(2);
  });
});
