// @vitest-environment jsdom
/**
 * The invalidation map with a real QueryClient: after each change, exactly
 * the cached views it affects are invalidated; and the mutation hooks go
 * through the map (a mutation against a stubbed fetch invalidates the keys).
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useRotateEnrollment } from './admin.js';
import { useSteerDeployment } from './deployments.js';
import { useDecideException } from './exceptions.js';
import { useEditHost } from './hosts.js';
import { invalidate } from './invalidation.js';
import { keys } from './keys.js';

/** One cached view of every kind, named for the assertions. */
const VIEWS = {
  dashboard: keys.dashboard,
  hosts: keys.hosts.list({ limit: 100 }),
  picker: keys.hosts.picker('web'),
  host7: keys.hosts.detail(7),
  host7Packages: keys.hosts.packages(7),
  host7Updates: keys.hosts.updates(7),
  host7Findings: keys.findings.ofHost(7, { status: 'open' }),
  host8Findings: keys.findings.ofHost(8, { status: 'open' }),
  host7Deployments: keys.deployments.ofHost(7),
  host7Audit: keys.audit.ofHost(7),
  findings: keys.findings.list({ status: 'open' }),
  vulnerabilities: keys.vulnerabilities.list({}),
  remediations: keys.remediations.list({ limit: 50 }),
  remediationTargets: keys.remediations.ofPackage('openssl'),
  exceptions: keys.exceptions.list(''),
  policies: keys.policies.list,
  policy: keys.policies.detail('linux'),
  deployments: keys.deployments.list(''),
  deployment40: keys.deployments.detail(40),
  audit: keys.audit.list({}),
  feeds: keys.feeds,
  enrollment: keys.settings.enrollment,
  risk: keys.settings.risk,
  users: keys.users,
  tokens: keys.tokens,
} as const;
type View = keyof typeof VIEWS;

function seeded(): QueryClient {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  for (const key of Object.values(VIEWS)) qc.setQueryData(key, { seeded: true });
  return qc;
}

/** The views the client now holds as invalidated, sorted by name. */
function invalidated(qc: QueryClient): View[] {
  return (Object.keys(VIEWS) as View[])
    .filter((v) => qc.getQueryState(VIEWS[v])?.isInvalidated === true)
    .sort();
}

const ASSESSMENT: View[] = [
  'dashboard',
  'findings',
  'host7',
  'host7Findings',
  'host7Packages',
  'host7Updates',
  'host8Findings',
  'hosts',
  'picker',
  'remediationTargets',
  'remediations',
  'vulnerabilities',
];
const AUDIT: View[] = ['audit', 'host7Audit'];

describe('what each change invalidates', () => {
  it('approving, rejecting or revoking an exception: findings (every host), dashboard, exceptions', async () => {
    const qc = seeded();
    await invalidate(qc, 'exception.decide');
    expect(invalidated(qc)).toEqual([...ASSESSMENT, ...AUDIT, 'exceptions'].sort());
  });

  it('requesting an exception: the exceptions and the audit log only', async () => {
    const qc = seeded();
    await invalidate(qc, 'exception.request');
    expect(invalidated(qc)).toEqual([...AUDIT, 'exceptions'].sort());
  });

  it("editing a host: its findings, the fleet's findings and figures, the host lists", async () => {
    const qc = seeded();
    await invalidate(qc, 'host.edit');
    expect(invalidated(qc)).toEqual([...ASSESSMENT, ...AUDIT].sort());
  });

  it('a deployment change: deployment lists, each deployment and host histories', async () => {
    const qc = seeded();
    await invalidate(qc, 'deployment.change');
    expect(invalidated(qc)).toEqual([...AUDIT, 'deployment40', 'deployments', 'host7Deployments'].sort());
  });

  it('retiring, reinstating or deleting a host: everything', async () => {
    const qc = seeded();
    await invalidate(qc, 'host.lifecycle');
    expect(invalidated(qc)).toEqual((Object.keys(VIEWS) as View[]).sort());
  });

  it('tags, policies, users, tokens, feeds: their own views (and the audit log)', async () => {
    const cases: [Parameters<typeof invalidate>[1], View[]][] = [
      ['host.tags', [...AUDIT, 'host7', 'host7Packages', 'host7Updates', 'hosts', 'picker']],
      ['policy.save', [...AUDIT, 'policies', 'policy']],
      ['user.change', [...AUDIT, 'users']],
      ['token.change', [...AUDIT, 'tokens']],
      ['feeds.sync', ['feeds']],
      ['enrollment.rotate', AUDIT],
      ['password.change', AUDIT],
    ];
    for (const [change, views] of cases) {
      const qc = seeded();
      await invalidate(qc, change);
      expect([change, invalidated(qc)]).toEqual([change, [...views].sort()]);
    }
  });
});

describe('mutation hooks invalidate through the map', () => {
  let answer: unknown = {};
  beforeEach(() => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify(answer), { status: 200 })),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  function run<T>(qc: QueryClient, hook: () => T) {
    const wrapper = ({ children }: { children: ReactNode }) => (
      <QueryClientProvider client={qc}>{children}</QueryClientProvider>
    );
    return renderHook(hook, { wrapper }).result;
  }

  it("approving an exception refreshes the host's findings, the fleet's and the dashboard", async () => {
    const qc = seeded();
    answer = { id: 5, status: 'approved' };
    const m = run(qc, () => useDecideException(5));
    act(() => m.current.mutate('approve'));
    await waitFor(() => expect(m.current.isSuccess).toBe(true));
    await waitFor(() =>
      expect(invalidated(qc)).toEqual(expect.arrayContaining(['host7Findings', 'findings', 'dashboard'])),
    );
    expect(invalidated(qc)).not.toContain('users');
  });

  it('a host edit caches the answer as the host and refreshes its findings and the lists', async () => {
    const qc = seeded();
    answer = { id: 7, hostname: 'web-1', criticality: 'tier0' };
    const m = run(qc, () => useEditHost(7));
    act(() => m.current.mutate({ criticality: 'tier0' }));
    await waitFor(() => expect(m.current.isSuccess).toBe(true));
    await waitFor(() =>
      expect(invalidated(qc)).toEqual(expect.arrayContaining(['host7Findings', 'hosts', 'findings'])),
    );
    expect(qc.getQueryData(keys.hosts.detail(7))).toEqual(answer);
  });

  it('halting a deployment refreshes the deployment lists and its page', async () => {
    const qc = seeded();
    answer = { id: 40, status: 'halted' };
    const m = run(qc, () => useSteerDeployment(40));
    act(() => m.current.mutate('halt'));
    await waitFor(() => expect(m.current.isSuccess).toBe(true));
    await waitFor(() =>
      expect(invalidated(qc)).toEqual(expect.arrayContaining(['deployments', 'deployment40'])),
    );
    expect(invalidated(qc)).not.toContain('findings');
  });

  it('rotating the enrollment secret keeps the answer (the secret is shown once)', async () => {
    const qc = seeded();
    answer = { secret: 'new-secret', command: 'PATCHLOOP_ENROLL_SECRET=new-secret patchloop agent' };
    const m = run(qc, () => useRotateEnrollment());
    act(() => m.current.mutate());
    await waitFor(() => expect(m.current.isSuccess).toBe(true));
    await waitFor(() => expect(invalidated(qc)).toContain('audit'));
    expect(invalidated(qc)).not.toContain('enrollment');
    expect(qc.getQueryData(keys.settings.enrollment)).toEqual(answer);
  });
});
