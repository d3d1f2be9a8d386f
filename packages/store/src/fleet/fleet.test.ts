import type { Finding, InstalledPackage } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/backends.js';
import { testFinding } from '../../test/findings.js';
import type { Db } from '../db.js';
import { listFindings } from './finding-queries.js';
import { listVulnerabilities } from './vulnerability-queries.js';
import { syncHostFindings } from './findings.js';
import { listHosts } from './host-list.js';
import { editHost, getHost, insertHost, recordAssessment, touchHost } from './hosts.js';
import { loadHostPackages, storeInventory } from './inventory.js';
import { claimJobs, claimScheduleSlot, completeJob, enqueueJob, failJob } from './jobs.js';

const T0 = new Date('2026-11-01T10:00:00Z');
const pkg = (name: string, version: string, arch = 'amd64'): InstalledPackage => ({
  name,
  version,
  arch,
  sourceName: name,
  sourceVersion: version,
  vendor: null,
});

const finding = (advisory: string, p: string, installed: string, kev = false) =>
  testFinding(advisory, p, installed, { kev });
const stored = (f: Finding) => ({ finding: f, json: { ...f } as Record<string, unknown> });

describe.each(BACKENDS)('fleet store on $name', (backend) => {
  let db: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await backend.open());
  });
  afterAll(() => done());

  it('stores inventories once per distinct package version and applies changes', async () => {
    const a = await insertHost(db, {
      machineId: 'machine-a-0001',
      hostname: 'a',
      transport: 'agent',
      tags: ['x'],
      now: T0,
    });
    const b = await insertHost(db, {
      machineId: 'machine-b-0001',
      hostname: 'b',
      transport: 'agent',
      tags: [],
      now: T0,
    });
    const inv = [pkg('bash', '5.2-1'), pkg('openssl', '3.0.11-1'), pkg('libc6', '2.36-9', 'i386')];
    await db.transaction((tx) =>
      storeInventory(tx, a.id, { manager: 'dpkg', packages: inv, updates: [], hash: 'h1' }, T0),
    );
    await db.transaction((tx) =>
      storeInventory(tx, b.id, { manager: 'dpkg', packages: inv, updates: null, hash: 'h1' }, T0),
    );
    const distinct = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM package_version');
    expect(distinct.rows[0]?.n).toBe(3);
    const changed = [
      pkg('bash', '5.2-1'),
      pkg('openssl', '3.0.13-1'),
      { ...pkg('curl', '7.88'), vendor: 'x', epochKnown: false },
    ];
    const r = await db.transaction((tx) =>
      storeInventory(tx, a.id, { manager: 'dpkg', packages: changed, updates: [], hash: 'h2' }, T0),
    );
    expect(r).toEqual({ added: 2, removed: 2 });
    const back = await loadHostPackages(db, a.id);
    expect(back.map((p) => `${p.name}=${p.version}`)).toEqual([
      'bash=5.2-1',
      'curl=7.88',
      'openssl=3.0.13-1',
    ]);
    expect(back.find((p) => p.name === 'curl')).toMatchObject({ vendor: 'x', epochKnown: false });
    expect((await loadHostPackages(db, b.id)).length).toBe(3);
    const host = await getHost(db, a.id);
    expect(host).toMatchObject({ inventoryHash: 'h2', packageCount: 3, packageManager: 'dpkg', tags: ['x'] });
    expect(await touchHost(db, a.id, T0, '0.1.0')).toEqual({ inventoryHash: 'h2', factsHash: null });
    expect(await touchHost(db, 999_999, T0, '0.1.0')).toBeNull();
  });

  it('keeps finding history: opened, refreshed, resolved, reopened as a new row', async () => {
    const h = await insertHost(db, {
      machineId: 'machine-f-0001',
      hostname: 'f',
      transport: 'agent',
      tags: [],
      now: T0,
    });
    const t1 = new Date('2026-11-02T00:00:00Z');
    const t2 = new Date('2026-11-03T00:00:00Z');
    expect(
      await syncHostFindings(
        db,
        h.id,
        [stored(finding('DSA-1', 'openssl', '1')), stored(finding('DSA-2', 'bash', '1', true))],
        T0,
      ),
    ).toMatchObject({ opened: 2, resolved: 0, open: 2, updated: 0, factsAdded: 2, risksAdded: 0 });
    // openssl upgraded but still affected: same finding, new installed version.
    expect(await syncHostFindings(db, h.id, [stored(finding('DSA-1', 'openssl', '2'))], t1)).toMatchObject({
      opened: 0,
      resolved: 1,
      open: 1,
      // The link moves to the upgraded version's fact.
      updated: 1,
      factsAdded: 1,
      risksAdded: 0,
    });
    const open = await listFindings(db, { now: T0, hostId: h.id, limit: 10, offset: 0 });
    expect(open.items).toHaveLength(1);
    expect(open.items[0]).toMatchObject({ hostname: 'f', firstSeen: T0, resolvedAt: null });
    expect(open.items[0]?.data.installedVersion).toBe('2');
    const resolved = await listFindings(db, {
      now: T0,
      hostId: h.id,
      limit: 10,
      offset: 0,
      status: 'resolved',
    });
    expect(resolved.items.map((f) => [f.data.package, f.resolvedAt])).toEqual([['bash', t1]]);
    await syncHostFindings(
      db,
      h.id,
      [stored(finding('DSA-1', 'openssl', '2')), stored(finding('DSA-2', 'bash', '1', true))],
      t2,
    );
    const all = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM finding WHERE host_id = $1', [
      h.id,
    ]);
    expect(all.rows[0]?.n).toBe(3);
    expect((await listFindings(db, { now: T0, hostId: h.id, limit: 10, offset: 0, kev: true })).total).toBe(
      1,
    );
    expect(
      (await listFindings(db, { now: T0, hostId: h.id, limit: 10, offset: 0, advisory: 'CVE-2024-0001' }))
        .total,
    ).toBe(2);
    expect(
      (await listFindings(db, { now: T0, hostId: h.id, limit: 10, offset: 0, severity: 'low' })).total,
    ).toBe(0);
    const v = await listVulnerabilities(db, { limit: 10, offset: 0, now: T0 });
    expect(v.items.find((x) => x.advisoryId === 'DSA-2')).toMatchObject({
      hosts: 1,
      packages: ['bash'],
      fixable: 1,
    });
  });

  it('lists hosts with filters, sorting and edits', async () => {
    const h = await insertHost(db, {
      machineId: 'machine-l-0001',
      hostname: 'web_1',
      transport: 'ssh',
      tags: ['linux'],
      now: T0,
    });
    await recordAssessment(db, h.id, { eol: null, counts: { total: 5, kev: 2 }, now: T0, error: null });
    await editHost(db, h.id, {
      tags: ['linux', 'pilot', 'linux'],
      criticality: 'tier0',
      internetFacing: true,
    });
    expect(await getHost(db, h.id)).toMatchObject({
      tags: ['linux', 'pilot'],
      criticality: 'tier0',
      internetFacing: true,
    });
    expect((await listHosts(db, { limit: 10, offset: 0, q: 'web_' })).items.map((x) => x.hostname)).toEqual([
      'web_1',
    ]);
    // "_" is literal in the hostname search, not a wildcard.
    expect((await listHosts(db, { limit: 10, offset: 0, q: 'eb_1x' })).total).toBe(0);
    expect((await listHosts(db, { limit: 10, offset: 0, tag: 'pilot' })).total).toBe(1);
    expect(
      (await listHosts(db, { limit: 10, offset: 0, hasKev: true })).items.map((x) => x.hostname),
    ).toEqual(['web_1']);
    const stale = await listHosts(db, { limit: 10, offset: 0, stale: true, staleBefore: T0 });
    expect(stale.items.map((x) => x.hostname)).toContain('web_1');
    const sorted = await listHosts(db, { limit: 2, offset: 0, sort: 'findings', order: 'desc' });
    expect(sorted.items[0]?.hostname).toBe('web_1');
  });

  it('runs a job once: singleton keys, SKIP LOCKED claims, leases, retries', async () => {
    const id = await enqueueJob(db, 'assess-host', { hostId: 1 }, T0, { singletonKey: 'assess-host:1' });
    expect(id).not.toBeNull();
    expect(
      await enqueueJob(db, 'assess-host', { hostId: 1 }, T0, { singletonKey: 'assess-host:1' }),
    ).toBeNull();
    const [a, b] = await Promise.all([
      claimJobs(db, 'w1', T0, { limit: 5 }),
      claimJobs(db, 'w2', T0, { limit: 5 }),
    ]);
    expect([...(a ?? []), ...(b ?? [])].map((j) => j.id)).toEqual([id]);
    const job = [...a, ...b][0]!;
    const worker = a.length > 0 ? 'w1' : 'w2';
    // Lease expired: another worker takes it over, the first can no longer complete it.
    const later = new Date(T0.getTime() + 10 * 60_000);
    const again = await claimJobs(db, 'w3', later);
    expect(again.map((j) => j.id)).toEqual([id]);
    expect(await completeJob(db, job.id, worker, later)).toBe(false);
    expect(await failJob(db, again[0]!, 'w3', 'boom', later)).toBe('retry');
    expect(await claimJobs(db, 'w3', later)).toEqual([]);
    const retried = await claimJobs(db, 'w3', new Date(later.getTime() + 60 * 60_000));
    expect(retried[0]?.attempts).toBe(3);
    expect(await failJob(db, retried[0]!, 'w3', 'boom', later)).toBe('failed');
    // A finished singleton no longer blocks a new one.
    expect(
      await enqueueJob(db, 'assess-host', { hostId: 1 }, T0, { singletonKey: 'assess-host:1' }),
    ).not.toBeNull();
    // While a keyed job runs, a change queues the next run; the running one failing is superseded by it.
    const k = 'assess-host:77';
    await enqueueJob(db, 'keyed-test', { hostId: 77 }, T0, { singletonKey: k });
    const [running] = await claimJobs(db, 'w9', T0, { kinds: ['keyed-test'] });
    expect(running?.payload).toEqual({ hostId: 77 });
    expect(await enqueueJob(db, 'keyed-test', { hostId: 77 }, T0, { singletonKey: k })).not.toBeNull();
    expect(await enqueueJob(db, 'keyed-test', { hostId: 77 }, T0, { singletonKey: k })).toBeNull();
    expect(await failJob(db, running!, 'w9', 'boom', T0)).toBe('retry');
    const states = await db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM job WHERE singleton_key = $1 GROUP BY status ORDER BY status',
      [k],
    );
    expect(states.rows).toEqual([
      { status: 'failed', n: 1 },
      { status: 'queued', n: 1 },
    ]);
    expect(await claimScheduleSlot(db, 'feed-sync', T0, 'w1', T0)).toBe(true);
    expect(await claimScheduleSlot(db, 'feed-sync', T0, 'w2', T0)).toBe(false);
  });
});
