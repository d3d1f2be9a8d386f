/**
 * The read memo on a real store, kept for every read (PATCHLOOP_READ_MEMO_MS=0): the dashboard, the
 * compliance summary and the vulnerability list are served from memory while nothing changes, and
 * follow every change of findings and exceptions at once, and the clock within a minute — each
 * figure still equal to the total of the list it links to.
 */
import type { Compliance, Dashboard, Finding, Vulnerability } from '@patchloop/contracts';
import { parseInventoryCsv, type InstalledPackage } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkin, DEBIAN_OS, enrollHost, facts, fullCheckin } from '@patchloop/test-support/agent-protocol';
import {
  approvedException,
  BACKEND_NAMES,
  importFixtureFeeds,
  readFixture,
  startHarness,
  type Harness,
} from './harness.js';

const DAY = 86_400_000;
const BUSTER = DEBIAN_OS.buster;

interface List<T> {
  items: T[];
  total: number;
}

describe.each(BACKEND_NAMES)('read memo on %s', (backend) => {
  let h: Harness;
  let clock = Date.parse('2030-03-01T08:00:00Z');
  let credential = '';
  let hostId = 0;
  let buster: InstalledPackage[];

  const get = async <T>(url: string): Promise<T> => {
    const r = await h.app.inject({ method: 'GET', url, headers: h.auth('auditor') });
    expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).toBe(200);
    return r.json() as T;
  };
  const open = async () =>
    (await get<List<Finding>>('/api/v1/findings?status=open&excepted=false&limit=1')).total;
  const breached = async () =>
    (await get<List<Finding>>('/api/v1/findings?status=open&excepted=false&sla=breached&limit=1')).total;
  const vulnerabilities = async () =>
    (await get<List<Vulnerability>>('/api/v1/vulnerabilities?limit=1')).total;

  /** The host's full inventory checked in, and its assessment run. */
  const upload = async (packages: readonly InstalledPackage[]) => {
    const r = await checkin(
      h.app,
      credential,
      fullCheckin('machine-memo-0001', facts('memo-a', BUSTER), 'dpkg', packages),
    );
    expect(r.statusCode).toBe(200);
    await h.worker.drain();
  };

  beforeAll(async () => {
    h = await startHarness(backend, { now: () => new Date(clock), config: { readMemoMs: 0 } });
    await importFixtureFeeds(h.db, [
      ['debian-dsa', 'debian-security-tracker/DSA-list.txt'],
      ['debian-dla', 'debian-security-tracker/DLA-list.txt'],
    ]);
    buster = [...parseInventoryCsv(readFixture('inventories/normalized/debian-buster.csv')).packages];
    const web = await enrollHost(h.app, 'machine-memo-0001', 'memo-a', ['prod']);
    credential = web.credential;
    hostId = web.hostId;
    await upload(buster);
  });
  afterAll(() => h?.close());

  it('serves kept figures while nothing changes and follows each change', async () => {
    const memo = h.ctx.readMemo;
    const d1 = await get<Dashboard>('/api/v1/dashboard');
    const hits = memo.hits;
    expect(await get<Dashboard>('/api/v1/dashboard')).toEqual(d1);
    await get<Compliance>('/api/v1/compliance');
    await get<Compliance>('/api/v1/compliance');
    const v1 = await vulnerabilities();
    expect(await vulnerabilities()).toBe(v1);
    expect(memo.hits).toBeGreaterThanOrEqual(hits + 3);
    expect(d1.findings.open).toBe(await open());
    expect(d1.findings.open).toBeGreaterThan(0);

    // The host upgrades a package to its fixed version: its findings close, the figures follow at once.
    const all = (await get<List<Finding>>(`/api/v1/hosts/${hostId}/findings?status=open&limit=1000`)).items;
    const fix = all.find((f) => f.fixedVersion !== null) as Finding;
    const upgraded = buster.map((p) =>
      p.name === fix.package
        ? { ...p, version: fix.fixedVersion as string, sourceVersion: fix.fixedVersion as string }
        : p,
    );
    clock += 1000;
    await upload(upgraded);
    const d2 = await get<Dashboard>('/api/v1/dashboard');
    expect(d2.findings.open).toBeLessThan(d1.findings.open);
    expect(d2.findings.open).toBe(await open());
    expect((await get<Compliance>('/api/v1/compliance')).open).toBe(d2.compliance.open);

    // An approved exception over another package's findings: out of the in-scope figures at once.
    const other = all.find((f) => f.package !== fix.package) as Finding;
    await approvedException(h, {
      kind: 'compensating-control',
      package: other.package,
      hostId,
      justification: 'read memo test',
      expiresAt: '2031-01-01T00:00:00Z',
    });
    const d3 = await get<Dashboard>('/api/v1/dashboard');
    expect(d3.findings.open).toBeLessThan(d2.findings.open);
    expect(d3.findings.open).toBe(await open());

    // Time alone moves figures (SLA breaches): 200 days on (P4 is due in 180), nothing else changed.
    expect(d3.findings.breached).toBe(0);
    clock += 200 * DAY;
    const d4 = await get<Dashboard>('/api/v1/dashboard');
    expect(d4.findings.breached).toBeGreaterThan(0);
    expect(d4.findings.breached).toBe(await breached());
  });
});
