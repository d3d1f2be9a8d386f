/**
 * Honest states (issue #13): a host whose release the store has no advisories
 * for is "not assessed" with the reason, never "all clear"; pending updates
 * (security / other, security also from a security pocket no advisory names),
 * last patched and the patch status per host, with filters, sorts and
 * dashboard figures equal to their lists' totals; compliance over assessed
 * hosts only; failed feed syncs on the dashboard. On both backends.
 */
import {
  PATCH_STATUSES as CONTRACT_STATUSES,
  type Compliance,
  type Dashboard,
  type Host,
  type HostSummary,
  type WireUpdate,
} from '@patchloop/contracts';
import { PATCH_STATUSES, parseInventoryCsv, type InstalledPackage } from '@patchloop/core';
import { createFeedStore } from '@patchloop/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importHost } from '../src/services/import-host.js';
import { checkin, DEBIAN_OS, enrollHost, facts, fullCheckin } from '@patchloop/test-support/agent-protocol';
import { BACKEND_NAMES, importFixtureFeeds, readFixture, startHarness, type Harness } from './harness.js';

const HOUR = 3_600_000;
const BUSTER = DEBIAN_OS.buster;
const BOOKWORM = DEBIAN_OS.bookworm;

type List<T> = { items: T[]; total: number };

const update = (
  p: InstalledPackage,
  candidate: string,
  repository: string,
  security: boolean,
): WireUpdate => ({
  name: p.name,
  arch: p.arch ?? '',
  installedVersion: p.version,
  candidateVersion: candidate,
  repository,
  security,
  advisoryIds: [],
  classification: security ? 'security' : null,
});

describe.each(BACKEND_NAMES)('host states on %s', (backend) => {
  let h: Harness;
  let clock = Date.parse('2030-03-01T08:00:00Z');
  let buster: InstalledPackage[];
  let bookworm: InstalledPackage[];
  const creds: Record<string, string> = {};

  const get = async <T>(url: string): Promise<T> => {
    const r = await h.app.inject({ method: 'GET', url, headers: h.auth('auditor') });
    expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).toBe(200);
    return r.json() as T;
  };
  const hosts = async (query = '') =>
    (await get<List<HostSummary>>(`/api/v1/hosts?limit=1000${query}`)).items;
  const byName = async () => new Map((await hosts()).map((x) => [x.hostname, x]));
  const send = async (name: string, body: unknown) => {
    const r = await checkin(h.app, creds[name] as string, body);
    expect(r.statusCode, r.body).toBe(200);
  };

  beforeAll(async () => {
    h = await startHarness(backend, { now: () => new Date(clock), config: { staleAfterMs: 6 * HOUR } });
    buster = [...parseInventoryCsv(readFixture('inventories/normalized/debian-buster.csv')).packages];
    bookworm = [
      ...parseInventoryCsv(readFixture('inventories/normalized/debian12-bookworm-host.dpkg-status.csv'))
        .packages,
    ];
    for (const name of ['sec', 'other', 'reboot', 'current', 'unknown']) {
      creds[name] = (await enrollHost(h.app, `machine-${name}-0001`, name)).credential;
    }
    const pick = (name: string) => bookworm.find((p) => p.name === name) as InstalledPackage;
    // Debian 12 with updates from bookworm-security and the point release: no advisory names them.
    await send(
      'sec',
      fullCheckin('machine-sec-0001', facts('sec', BOOKWORM), 'dpkg', bookworm, [
        update(pick('libgcrypt20'), '1.10.1-3+deb12u1', 'bookworm-security', true),
        update(pick('bash'), '5.2.15-2+b13', 'bookworm', false),
      ]),
    );
    await send(
      'other',
      fullCheckin('machine-other-0001', facts('other', BOOKWORM), 'dpkg', bookworm, [
        update(pick('bash'), '5.2.15-2+b13', 'bookworm', false),
      ]),
    );
    const rebooting = {
      ...facts('reboot', BUSTER),
      reboot: { required: true, reasons: ['kernel'], packages: ['linux-image-amd64'] },
    };
    await send('reboot', fullCheckin('machine-reboot-0001', rebooting, 'dpkg', buster, []));
    await send('current', fullCheckin('machine-current-0001', facts('current', BUSTER), 'dpkg', buster, []));
    // Updates that could not be collected (no apt lists): unknown, not "up to date".
    await send(
      'unknown',
      fullCheckin('machine-unknown-0001', facts('unknown', BUSTER), 'dpkg', buster, null),
    );
    await h.worker.drain();
  });
  afterAll(() => h.close());

  it('keeps the contract and core on one list of patch statuses', () => {
    expect([...CONTRACT_STATUSES]).toEqual([...PATCH_STATUSES]);
  });

  it('on a fresh store without feeds: every host not assessed with the reason, no 100 %', async () => {
    const all = await byName();
    for (const x of all.values()) {
      expect(x.assessment.state).toBe('not-assessed');
      expect(x.assessment.reason).toMatch(/^PL_SCAN_NO_ADVISORIES: the store has no advisories for Debian/);
      expect(x.findingCounts.total).toBe(0);
    }
    const detail = await get<Host>(`/api/v1/hosts/${all.get('sec')?.id}`);
    expect(detail.assessment).toEqual(all.get('sec')?.assessment);
    const d = await get<Dashboard>('/api/v1/dashboard');
    expect(d.hosts.notAssessed).toBe(5);
    expect(d.compliance.slaCompliance).toBeNull();
    expect(d.compliance.hosts).toEqual({ total: 5, assessed: 0, notAssessed: 5 });
    expect(d.feeds).toEqual({ imported: false, problems: [] });
    expect(await get<Compliance>('/api/v1/compliance')).toEqual(d.compliance);
  });

  it('gives each host its pending updates and patch status, security from the pocket alone', async () => {
    const all = await byName();
    const state = (n: string) => [all.get(n)?.patchStatus, all.get(n)?.pendingUpdates];
    expect(state('sec')).toEqual(['security-updates-pending', { security: 1, other: 1 }]);
    expect(state('other')).toEqual(['updates-pending', { security: 0, other: 1 }]);
    expect(state('reboot')).toEqual(['reboot-pending', { security: 0, other: 0 }]);
    expect(state('current')).toEqual(['up-to-date', { security: 0, other: 0 }]);
    expect(state('unknown')).toEqual(['not-assessed', null]);
    // The same classification as the host's patch catalogue.
    const catalogue = await get<{ items: { class: string }[] }>(
      `/api/v1/hosts/${all.get('sec')?.id}/updates`,
    );
    expect(catalogue.items.map((i) => i.class).sort()).toEqual(['bugfix', 'security']);

    // Filters and the dashboard's figures agree; the sort puts the most urgent first.
    const d = await get<Dashboard>('/api/v1/dashboard');
    expect(d.patch).toEqual({
      securityUpdatesPending: 1,
      rebootPending: 1,
      updatesPending: 1,
      notAssessed: 1,
      upToDate: 1,
    });
    for (const s of PATCH_STATUSES) {
      expect((await hosts(`&patchStatus=${s}`)).map((x) => x.patchStatus)).toEqual([s]);
    }
    expect((await hosts('&sort=patchStatus')).map((x) => x.hostname)).toEqual([
      'sec',
      'reboot',
      'other',
      'unknown',
      'current',
    ]);
    expect((await hosts('&sort=updates&order=desc')).map((x) => x.hostname).slice(0, 2)).toEqual([
      'sec',
      'other',
    ]);
    expect(d.compliance.patch).toEqual({ known: 4, upToDate: 1, compliance: 0.25 });
    const bad = await h.app.inject({
      method: 'GET',
      url: '/api/v1/hosts?patchStatus=fine',
      headers: h.auth('auditor'),
    });
    expect(bad.statusCode).toBe(400);
  });

  it('assesses hosts once their release has advisories, and counts compliance over them only', async () => {
    await importFixtureFeeds(h.db, [
      ['debian-dsa', 'debian-security-tracker/DSA-list.txt'],
      ['debian-dla', 'debian-security-tracker/DLA-list.txt'],
    ]);
    await h.db.query(
      "INSERT INTO job (kind, status, run_at, created_at) VALUES ('assess-all', 'queued', now(), now())",
    );
    await h.worker.drain();
    const assessed = (await hosts('&assessed=true')).map((x) => x.hostname).sort();
    const notAssessed = await hosts('&assessed=false');
    expect(assessed).toEqual(['current', 'reboot', 'unknown']);
    // The fixture lists stop before bookworm: the Debian 12 hosts stay not assessed, with the reason.
    expect(notAssessed.map((x) => [x.hostname, x.assessment.reason?.slice(0, 22)]).sort()).toEqual([
      ['other', 'PL_SCAN_NO_ADVISORIES:'],
      ['sec', 'PL_SCAN_NO_ADVISORIES:'],
    ]);
    const d = await get<Dashboard>('/api/v1/dashboard');
    expect(d.hosts.notAssessed).toBe(2);
    expect(d.compliance.hosts).toEqual({ total: 5, assessed: 3, notAssessed: 2 });
    expect(d.compliance.slaCompliance).toBe(1);
    expect(d.findings.open).toBeGreaterThan(0);
    expect(d.feeds.imported).toBe(true);
    // A buster host's fixable findings have no candidate in its (empty) updates: still up to date per apt.
    expect((await byName()).get('current')?.patchStatus).toBe('up-to-date');
  });

  it('shows failed feed syncs on the dashboard', async () => {
    await createFeedStore(h.db).recordFailure(
      {
        source: 'debian-dsa',
        origin: 'https://mirror.invalid/DSA/list',
        startedAt: new Date(clock),
        errors: [],
      },
      { code: 'PL_FEED_DOWNLOAD_FAILED', message: 'GET https://mirror.invalid/DSA/list: 503' },
    );
    const d = await get<Dashboard>('/api/v1/dashboard');
    expect(d.feeds.problems).toEqual([
      expect.objectContaining({
        source: 'debian-dsa',
        lastStatus: 'failed',
        lastErrorCode: 'PL_FEED_DOWNLOAD_FAILED',
        lastSuccess: expect.any(String),
      }),
    ]);
  });

  it('records when a host was last patched: the check-in that first shows a package at another version', async () => {
    const before = (await byName()).get('current');
    expect(before?.lastPatchedAt).toBeNull();
    clock += HOUR;
    // A new package is not a patch.
    const extra = { ...(buster[0] as InstalledPackage), name: 'zz-new-tool', sourceName: 'zz-new-tool' };
    const withNew = [...buster, extra];
    await send('current', fullCheckin('machine-current-0001', facts('current', BUSTER), 'dpkg', withNew, []));
    expect((await byName()).get('current')?.lastPatchedAt).toBeNull();
    clock += HOUR;
    const target = buster.find((p) => p.name === 'bash') as InstalledPackage;
    const upgraded = withNew.map((p) => (p === target ? { ...p, version: `${p.version}+b1` } : p));
    await send(
      'current',
      fullCheckin('machine-current-0001', facts('current', BUSTER), 'dpkg', upgraded, []),
    );
    await h.worker.drain();
    const after = (await byName()).get('current');
    expect(after?.lastPatchedAt).toBe(new Date(clock).toISOString());
    expect((await hosts('&sort=lastPatched&order=asc'))[0]?.hostname).toBe('current');
  });

  it('never plans hosts that cannot run a deployment: simulation, deployment and manual requests say why', async () => {
    await importHost(h.ctx, {
      hostname: 'imported',
      os: BUSTER,
      tags: [],
      inventory: { os: BUSTER, manager: 'dpkg', packages: buster, kernel: null },
      actor: 'test',
    });
    const put = await h.putPolicy('everything', 'name: everything\n');
    expect(put.statusCode, put.body).toBeLessThan(300);
    const sim = await get<{
      hosts: { hostname: string; action: string; notDeployable?: string; updates: unknown[] }[];
    }>('/api/v1/policies/everything/simulate');
    const action = new Map(sim.hosts.map((x) => [x.hostname, x]));
    expect(action.get('imported')).toMatchObject({
      action: 'not-deployable',
      notDeployable: expect.stringMatching(/^imported from an inventory file/),
    });
    // It needs what the same inventory on an agent host gets; it is shown, never planned.
    expect(action.get('imported')?.updates.length).toBeGreaterThan(0);
    expect(action.get('unknown')).toMatchObject({
      action: 'not-deployable',
      notDeployable: expect.stringMatching(/package manager \(dpkg\) could not be run/),
    });
    expect(action.get('current')?.action).toBe('deploy');

    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/deployments',
      headers: h.auth('operator'),
      payload: { policy: 'everything' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const d = created.json() as { id: number };
    const view = await get<{
      notDeployable: { hostname: string; reason: string }[];
      hosts: { hostname: string }[];
    }>(`/api/v1/deployments/${d.id}`);
    expect(view.notDeployable.map((x) => x.hostname).sort()).toEqual(['imported', 'unknown']);
    expect(view.hosts.map((x) => x.hostname)).not.toContain('imported');
    expect(view.hosts.map((x) => x.hostname)).toContain('current');

    const imported = (await hosts('&q=imported'))[0] as HostSummary;
    const manual = await h.app.inject({
      method: 'POST',
      url: '/api/v1/deployments',
      headers: h.auth('operator'),
      payload: { hosts: [imported.id], packages: [{ name: 'bash', version: '5.0-4' }] },
    });
    expect(manual.statusCode).toBe(409);
    expect(manual.json().error.message).toMatch(
      /^no host given can run a deployment \(imported: imported from/,
    );
  });
});
