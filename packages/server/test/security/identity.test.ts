/**
 * Identity and enrollment abuse (issue 15, the standing suite). One
 * assertion per attack; those already kept elsewhere are referenced, not
 * repeated:
 *  - a revoked API token replayed: rbac.test.ts "refuses a revoked token at once";
 *  - a replaced agent credential replayed on check-in and as re-enrollment proof:
 *    enroll-identity.test.ts "re-enrolls a known machine with its current credential";
 *  - wrong enrollment secrets past the throttle (right ones then wait too, other
 *    addresses do not): abuse.test.ts "throttles enrollment with wrong secrets";
 *  - re-enrolling a known machine id with the shared secret alone:
 *    enroll-identity.test.ts "refuses the shared secret alone for a known machine id";
 *  - machine ids in the host list, host detail and audit log as an auditor:
 *    enroll-identity.test.ts "hides machine ids from auditors".
 * Here: a revoked or deleted host's credential on every agent route, and an
 * auditor reading every GET route of the OpenAPI document (CSV exports too)
 * without meeting a machine id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkin, enrollHost, facts, fullCheckin } from '@patchloop/test-support/agent-protocol';
import { BACKEND_NAMES, startHarness, type Harness } from '../harness.js';
import { operations, sample } from './openapi.js';

const DEBIAN = { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12' };
const PKG = {
  name: 'zlib1g',
  version: '1:1.2.13.dfsg-1',
  arch: 'amd64',
  sourceName: 'zlib',
  sourceVersion: '1:1.2.13.dfsg-1',
  vendor: null,
};

describe.each(BACKEND_NAMES)('identity and enrollment abuse on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend);
    h.ctx.wakeJobs = () => {};
  });
  afterAll(() => h?.close());

  /** Every agent route, called with a credential: check-in, job poll, job report. */
  const agentCalls = (credential: string, machineId: string) => [
    checkin(h.app, credential, fullCheckin(machineId, facts('gone', DEBIAN), 'dpkg', [PKG])),
    h.app.inject({
      method: 'POST',
      url: '/api/v1/agent/jobs/poll',
      headers: { authorization: `Bearer ${credential}` },
      payload: { machineId, waitSeconds: 0 },
    }),
    h.app.inject({
      method: 'POST',
      url: '/api/v1/agent/jobs/tNoSuchJob000/report',
      headers: { authorization: `Bearer ${credential}` },
      payload: { machineId, state: 'installing', log: '' },
    }),
  ];

  it('refuses a replaced or deleted host credential on every agent route, with 401', async () => {
    const first = await enrollHost(h.app, 'machine-replay-0001', 'replay');
    await enrollHost(h.app, 'machine-replay-0001', 'replay', [], { credential: first.credential });
    const doomed = await enrollHost(h.app, 'machine-deleted-0001', 'deleted');
    const del = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/hosts/${doomed.hostId}`,
      headers: h.auth('admin'),
    });
    expect(del.statusCode, del.body).toBe(204);
    const answers = await Promise.all([
      ...agentCalls(first.credential, 'machine-replay-0001'),
      ...agentCalls(doomed.credential, 'machine-deleted-0001'),
    ]);
    expect(answers.map((r) => [r.statusCode, r.json().error?.code])).toEqual(
      Array(6).fill([401, 'PL_AUTH_REQUIRED']),
    );
  });

  it('shows an auditor no machine id on any GET route of the OpenAPI document, CSV included', async () => {
    const machineId = 'machine-auditor-canary-7f3a';
    const e = await enrollHost(h.app, machineId, 'canary');
    const r = await checkin(
      h.app,
      e.credential,
      fullCheckin(machineId, facts('canary', DEBIAN), 'dpkg', [PKG]),
    );
    expect(r.statusCode, r.body).toBe(200);
    // A deployment to it, and a re-enrollment: its id may travel in tasks and audit events.
    const dep = await h.app.inject({
      method: 'POST',
      url: '/api/v1/deployments',
      headers: h.auth('admin'),
      payload: { hosts: [e.hostId], packages: [{ name: 'zlib1g', version: '1:1.2.13.dfsg-2' }] },
    });
    expect(dep.statusCode, dep.body).toBeLessThan(300);
    const deploymentId = String((dep.json() as { id: number }).id);
    await enrollHost(h.app, machineId, 'canary', [], { credential: e.credential });
    const put = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/policies/p',
      headers: h.auth('admin'),
      payload: { name: 'p' },
    });
    expect(put.statusCode, put.body).toBe(201);

    const x = await h.app.inject({
      method: 'POST',
      url: '/api/v1/exceptions',
      headers: h.auth('operator'),
      payload: {
        kind: 'accepted-risk',
        hostId: e.hostId,
        justification: 'scoped to the canary host',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expect(x.statusCode, x.body).toBe(201);
    const ids: Record<string, string> = {
      hosts: String(e.hostId),
      deployments: deploymentId,
      exceptions: String((x.json() as { id: number }).id),
    };
    // The deployment's one task (its log route reads the task, host included).
    const view = await h.app.inject({
      method: 'GET',
      url: `/api/v1/deployments/${deploymentId}`,
      headers: h.auth('admin'),
    });
    const taskId = String((view.json() as { hosts: { taskId: string | number }[] }).hosts[0]?.taskId);
    const params: Record<string, string> = { name: 'p', taskId };
    const gets = (await operations(h.app)).filter((o) => o.method === 'GET' && o.path.startsWith('/api/v1/'));
    expect(gets.length).toBeGreaterThan(20);
    const read: string[] = [];
    for (const op of gets) {
      const path = op.path.replace(/\{(\w+)\}/g, (_m, p: string) =>
        p === 'id' ? (ids[op.path.split('/')[3] ?? ''] ?? 'x') : (params[p] ?? 'x'),
      );
      const required = op.parameters
        .filter((p) => p.in === 'query' && p.required)
        .map((p) => `${p.name}=${encodeURIComponent(String(sample(p.schema)))}`);
      const hasFormat = op.parameters.some((p) => p.in === 'query' && p.name === 'format');
      for (const query of hasFormat
        ? [
            [...required, 'limit=500'],
            [...required, 'format=csv'],
          ]
        : [required]) {
        const target =
          query.length > 0
            ? `${path}?${query.filter((q) => !q.startsWith('limit=') || op.parameters.some((p) => p.name === 'limit')).join('&')}`
            : path;
        const res = await h.app.inject({ method: 'GET', url: target, headers: h.auth('auditor') });
        read.push(`${target} ${res.statusCode}`);
        // Admin-only routes refuse an auditor (403); every other one answers, without the id.
        expect([
          target,
          res.statusCode < 300 || res.statusCode === 403,
          res.body.includes(machineId),
        ]).toEqual([target, true, false]);
      }
    }
    // The sweep read the places machine ids are kept (list, detail, audit log, deployment).
    expect(read).toEqual(
      expect.arrayContaining([
        `/api/v1/hosts/${e.hostId} 200`,
        '/api/v1/audit?format=csv 200',
        `/api/v1/deployments/${deploymentId} 200`,
        `/api/v1/deployments/${deploymentId}/tasks/${taskId} 200`,
      ]),
    );
    const asAdmin = await h.app.inject({
      method: 'GET',
      url: '/api/v1/audit?format=csv',
      headers: h.auth('admin'),
    });
    expect(asAdmin.body).toContain(machineId);
  });
});
