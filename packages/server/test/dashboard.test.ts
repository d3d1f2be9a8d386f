/**
 * The console's dashboard and the lists it links to, on real Debian data
 * (the DSA/DLA lists, endoflife.date's Debian cycles, the buster and
 * bookworm inventories, a KEV entry): every dashboard figure must equal the
 * `total` of its list, and the trend must be what the findings' own dates
 * say. Also the vulnerabilities view's priority, due time and risk, and the
 * new host filters and sort keys.
 */
import type { Dashboard, Finding, HostSummary, Vulnerability } from '@patchloop/contracts';
import { parseInventoryCsv, type InstalledPackage } from '@patchloop/core';
import { importFeed } from '@patchloop/feeds';
import { createFeedStore, enqueueJob } from '@patchloop/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkin,
  DEBIAN_OS,
  enrollHost,
  facts,
  fullCheckin,
  hashOf,
} from '@patchloop/test-support/agent-protocol';
import { enrichmentFiles } from './enrichment.js';
import {
  approvedException,
  BACKEND_NAMES,
  importFixtureFeeds,
  readFixture,
  startHarness,
  type Harness,
} from './harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BUSTER = DEBIAN_OS.buster;
const TRIXIE = DEBIAN_OS.trixie;

type List<T> = { items: T[]; total: number };

/** The trend by its definition, from the findings' own dates as the API serves them (millisecond times). */
function expectedTrend(findings: readonly Finding[], now: Date, days: number): Dashboard['trend'] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, k) => {
    const start = today - (days - 1 - k) * DAY;
    const isToday = k === days - 1;
    // At the end of a past day (its last instant: before the next midnight), or today at now.
    const atOrBefore = (iso: string) =>
      isToday ? Date.parse(iso) <= now.getTime() : Date.parse(iso) < start + DAY;
    const before = (iso: string) =>
      isToday ? Date.parse(iso) < now.getTime() : Date.parse(iso) < start + DAY;
    const open = findings.filter(
      (f) => atOrBefore(f.firstSeen) && !(f.resolvedAt && atOrBefore(f.resolvedAt)),
    );
    return {
      date: new Date(start).toISOString().slice(0, 10),
      open: open.length,
      kev: open.filter((f) => f.kev !== null).length,
      breached: open.filter((f) => f.sla !== null && before(f.sla.dueAt)).length,
    };
  });
}

describe.each(BACKEND_NAMES)('dashboard on %s', (backend) => {
  let h: Harness;
  const T0 = Date.parse('2030-03-01T08:00:00Z');
  let clock = T0;
  const ids = { web: 0, db: 0, edge: 0, spare: 0 };
  let buster: InstalledPackage[];
  let resolvedPackage = '';

  const get = async <T>(url: string): Promise<T> => {
    const r = await h.app.inject({ method: 'GET', url, headers: h.auth('auditor') });
    expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).toBe(200);
    return r.json() as T;
  };
  const total = async (url: string) => (await get<List<unknown>>(url)).total;
  const names = async (query: string) =>
    (await get<List<HostSummary>>(`/api/v1/hosts?limit=1000${query}`)).items.map((x) => x.hostname);
  const allFindings = async (query: string) => {
    const out: Finding[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await get<List<Finding>>(`/api/v1/findings?limit=1000&offset=${offset}${query}`);
      out.push(...page.items);
      if (out.length >= page.total) return out;
    }
  };

  beforeAll(async () => {
    h = await startHarness(backend, { now: () => new Date(clock), config: { staleAfterMs: 6 * HOUR } });
    await importFixtureFeeds(h.db, [
      ['debian-dsa', 'debian-security-tracker/DSA-list.txt'],
      ['debian-dla', 'debian-security-tracker/DLA-list.txt'],
      ['endoflife', 'endoflife/json/debian.json'],
    ]);
    buster = [...parseInventoryCsv(readFixture('inventories/normalized/debian-buster.csv')).packages];
    const bookworm = [
      ...parseInventoryCsv(readFixture('inventories/normalized/debian12-bookworm-host.dpkg-status.csv'))
        .packages,
    ];
    const web = await enrollHost(h.app, 'machine-web-0001', 'web-a', ['prod', 'web']);
    const db = await enrollHost(h.app, 'machine-db-0001', 'db-b', ['prod']);
    const edge = await enrollHost(h.app, 'machine-edge-0001', 'edge-c', []);
    const spare = await enrollHost(h.app, 'machine-spare-0001', 'spare-d', []); // never checks in
    Object.assign(ids, { web: web.hostId, db: db.hostId, edge: edge.hostId, spare: spare.hostId });
    const rebooting = {
      ...facts('db-b', BUSTER),
      reboot: { required: true, reasons: ['kernel'], packages: ['linux-image-amd64'] },
    };
    for (const [cred, body] of [
      [web.credential, fullCheckin('machine-web-0001', facts('web-a', BUSTER), 'dpkg', buster)],
      [db.credential, fullCheckin('machine-db-0001', rebooting, 'dpkg', buster)],
      [edge.credential, fullCheckin('machine-edge-0001', facts('edge-c', TRIXIE), 'dpkg', bookworm)],
    ] as const) {
      expect((await checkin(h.app, cred, body)).statusCode).toBe(200);
    }
    await h.worker.drain();

    // A KEV entry and a critical CVE record for CVEs web-a's findings name, then a re-assessment, as a feed sync does.
    const first = (await allFindings('')).filter((f) => f.hostId === ids.web);
    const cves = [
      ...new Set(first.flatMap((f) => f.advisory.aliases.filter((a) => a.startsWith('CVE-')))),
    ].sort();
    const files = enrichmentFiles(cves[0] as string, cves[1] as string);
    for (const [source, path] of [
      ['kev', files.kev],
      ['cve', files.cve],
    ] as const) {
      expect((await importFeed(source, path, createFeedStore(h.db))).exitCode).toBe(0);
    }
    await enqueueJob(h.db, 'assess-all', {}, new Date(clock), { singletonKey: 'assess-all' });
    await h.worker.drain();
    const found = (await allFindings('')).filter((f) => f.hostId === ids.web);
    expect(found.some((f) => f.kev !== null)).toBe(true);

    // An approved exception over one package's findings on web-a.
    const excepted = found.find((f) => f.kev === null)?.package as string;
    await approvedException(h, {
      kind: 'compensating-control',
      package: excepted,
      hostId: ids.web,
      justification: 'not reachable from outside, dashboard test',
      expiresAt: '2030-12-01T00:00:00Z',
    });

    // 20 days on, web-a upgrades one package to its fixed version: its findings are resolved that day.
    clock += 20 * DAY;
    const fix = found.find(
      (f) => f.fixedVersion !== null && f.package !== excepted && f.kev === null,
    ) as Finding;
    resolvedPackage = fix.package;
    const upgraded = buster.map((p) =>
      p.name === fix.package
        ? { ...p, version: fix.fixedVersion as string, sourceVersion: fix.fixedVersion as string }
        : p,
    );
    expect(
      (
        await checkin(
          h.app,
          web.credential,
          fullCheckin('machine-web-0001', facts('web-a', BUSTER), 'dpkg', upgraded),
        )
      ).statusCode,
    ).toBe(200);
    await h.worker.drain();
    // 20 more days: P1 and P2 findings are past due; db-b has not checked in since and is stale.
    clock += 20 * DAY;
    for (const [cred, machineId, hostname, os, pkgs] of [
      [web.credential, 'machine-web-0001', 'web-a', BUSTER, upgraded],
      [edge.credential, 'machine-edge-0001', 'edge-c', TRIXIE, bookworm],
    ] as const) {
      const beat = await checkin(h.app, cred, {
        agentVersion: '0.1.0',
        machineId,
        facts: facts(hostname, os),
        inventory: { kind: 'same', hash: hashOf('dpkg', pkgs, []) },
      });
      expect(beat.json()).toMatchObject({ needFull: false });
    }
  });
  afterAll(() => h.close());

  it('gives figures equal to the totals of the lists they link to', async () => {
    const d = await get<Dashboard>('/api/v1/dashboard');
    expect(d.at).toBe(new Date(clock).toISOString());
    expect(d.compliance).toEqual(await get('/api/v1/compliance'));

    expect(d.hosts).toEqual({
      total: await total('/api/v1/hosts'),
      stale: await total('/api/v1/hosts?stale=true'),
      rebootRequired: await total('/api/v1/hosts?reboot=true'),
      eol: await total('/api/v1/hosts?eol=true'),
      withKev: await total('/api/v1/hosts?hasKev=true'),
      notAssessed: await total('/api/v1/hosts?assessed=false'),
    });
    expect(d.patch).toEqual({
      securityUpdatesPending: await total('/api/v1/hosts?patchStatus=security-updates-pending'),
      rebootPending: await total('/api/v1/hosts?patchStatus=reboot-pending'),
      updatesPending: await total('/api/v1/hosts?patchStatus=updates-pending'),
      notAssessed: await total('/api/v1/hosts?patchStatus=not-assessed'),
      upToDate: await total('/api/v1/hosts?patchStatus=up-to-date'),
    });
    // spare-d never checked in: not assessed, and its patch status unknown.
    expect(d.hosts.notAssessed).toBeGreaterThanOrEqual(1);
    expect(await names('&assessed=false')).toContain('spare-d');
    expect(d.patch).toMatchObject({ rebootPending: 1, notAssessed: 1 });
    const scope = '/api/v1/findings?status=open&excepted=false';
    expect(d.findings).toEqual({
      open: await total(scope),
      kev: await total(`${scope}&kev=true`),
      breached: await total(`${scope}&sla=breached`),
      byPriority: {
        P1: await total(`${scope}&priority=P1`),
        P2: await total(`${scope}&priority=P2`),
        P3: await total(`${scope}&priority=P3`),
        P4: await total(`${scope}&priority=P4`),
      },
    });
    // The fleet makes every figure say something.
    expect(d.hosts).toMatchObject({ total: 4, stale: 2, rebootRequired: 1, eol: 2 });
    expect(d.hosts.withKev).toBeGreaterThanOrEqual(2); // web-a and db-b share the inventory
    expect(d.findings.open).toBeGreaterThan(10);
    expect(d.findings.kev).toBeGreaterThan(0);
    expect(d.findings.breached).toBeGreaterThan(0);
    expect(d.findings.breached).toBeLessThan(d.findings.open);
    expect(d.compliance.excepted).toBeGreaterThan(0);
    expect(Object.values(d.findings.byPriority).filter((n) => n > 0).length).toBeGreaterThan(1);
    // The compliance summary counts the same findings its own way.
    expect([d.compliance.inScope, d.compliance.kev, d.compliance.breached]).toEqual([
      d.findings.open,
      d.findings.kev,
      d.findings.breached,
    ]);
    for (const p of ['P1', 'P2', 'P3', 'P4'] as const) {
      expect([p, d.compliance.byPriority[p]?.open ?? 0]).toEqual([p, d.findings.byPriority[p]]);
    }
  });

  it('draws the trend from first seen, resolved and due times, at the end of each UTC day', async () => {
    const d = await get<Dashboard>('/api/v1/dashboard?days=60');
    const inScope = [
      ...(await allFindings('&status=open&excepted=false')),
      ...(await allFindings('&status=resolved&excepted=false')),
    ];
    expect(d.trend).toEqual(expectedTrend(inScope, new Date(clock), 60));
    expect(d.trend.map((p) => p.date)).toHaveLength(60);
    expect(d.trend.at(-1)).toEqual({
      date: new Date(clock).toISOString().slice(0, 10),
      open: d.findings.open,
      kev: d.findings.kev,
      breached: d.findings.breached,
    });
    // Nothing before the first check-in; everything from its day; the upgrade's findings gone from its day.
    const at = (t: number) => d.trend.find((p) => p.date === new Date(t).toISOString().slice(0, 10));
    expect(at(T0 - DAY)).toMatchObject({ open: 0, kev: 0, breached: 0 });
    expect(at(T0)?.open).toBeGreaterThan(10);
    const resolved = inScope.filter((f) => f.resolvedAt !== null);
    expect(resolved.length).toBeGreaterThan(0);
    expect(new Set(resolved.map((f) => f.package))).toEqual(new Set([resolvedPackage]));
    expect((at(T0 + 19 * DAY)?.open ?? 0) - (at(T0 + 20 * DAY)?.open ?? 0)).toBe(resolved.length);
    expect((await get<Dashboard>('/api/v1/dashboard')).trend).toEqual(d.trend.slice(-30));

    for (const days of ['0', '366', '1.5', 'week']) {
      const r = await h.app.inject({
        method: 'GET',
        url: `/api/v1/dashboard?days=${days}`,
        headers: h.auth('auditor'),
      });
      expect([days, r.statusCode, r.json().error.code]).toEqual([days, 400, 'PL_REQUEST_INVALID']);
    }
    expect((await get<Dashboard>('/api/v1/dashboard?days=365')).trend).toHaveLength(365);
  });

  it('filters hosts by reboot and end of life, and sorts by criticality and package count', async () => {
    expect(await names('&reboot=true')).toEqual(['db-b']);
    expect(await names('&reboot=false')).toEqual(['edge-c', 'spare-d', 'web-a']);
    // buster is past end of life; trixie has left security support but its LTS runs; spare-d was never assessed.
    expect(await names('&eol=true')).toEqual(['db-b', 'web-a']);
    expect(await names('&eol=false')).toEqual(['edge-c', 'spare-d']);
    const edge = await get<{ eol: { status: string } }>(`/api/v1/hosts/${ids.edge}`);
    expect(edge.eol.status).toBe('security-support-ended');
    expect(await names('&stale=true')).toEqual(['db-b', 'spare-d']);
    expect(await names('&eol=true&stale=false')).toEqual(['web-a']);

    const patch = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/hosts/${ids.edge}`,
      headers: h.auth('operator'),
      payload: { criticality: 'tier0' },
    });
    expect(patch.statusCode).toBe(200);
    expect((await names('&sort=criticality'))[0]).toBe('edge-c');
    expect((await names('&sort=criticality&order=desc')).at(-1)).toBe('edge-c');
    const byPackages = await get<List<HostSummary>>('/api/v1/hosts?sort=packages&order=desc');
    expect(byPackages.items.map((x) => x.packageCount)).toEqual(
      [...byPackages.items.map((x) => x.packageCount)].sort((a, b) => b - a),
    );
    expect(byPackages.items.at(-1)?.hostname).toBe('spare-d');
    const paged = await get<List<HostSummary>>('/api/v1/hosts?sort=packages&order=desc&limit=1&offset=1');
    expect([paged.total, paged.items.map((x) => x.hostname)]).toEqual([4, [byPackages.items[1]?.hostname]]);
  });

  it('gives each vulnerability its highest priority, earliest due time and highest risk, and finds its hosts', async () => {
    const now = new Date(clock);
    const all = await get<List<Vulnerability>>('/api/v1/vulnerabilities?limit=1000');
    expect(all.total).toBe(all.items.length);
    const open = await allFindings('&status=open');
    const sample = all.items.filter((_, i) => i % 7 === 0).slice(0, 12);
    for (const v of sample) {
      const mine = open.filter((f) => f.advisory.id === v.advisory.id);
      const ranks = mine
        .map((f) => f.risk?.priority)
        .filter((p): p is string => p !== undefined)
        .sort();
      const dues = mine
        .map((f) => f.sla?.dueAt)
        .filter((x): x is string => x !== undefined)
        .sort();
      const scores = mine.map((f) => f.risk?.score ?? -1);
      expect([v.advisory.id, v.priority, v.dueAt, v.riskScore]).toEqual([
        v.advisory.id,
        ranks[0] ?? null,
        dues[0] ?? null,
        Math.max(...scores),
      ]);
      // Its hosts: the findings list for the advisory names them.
      const listed = await get<List<Finding>>(`/api/v1/findings?limit=1000&advisory=${v.advisory.id}`);
      const own = listed.items.filter((f) => f.advisory.id === v.advisory.id);
      expect(new Set(own.map((f) => f.hostId)).size).toBe(v.hosts);
      const hostnames = new Map([
        [ids.web, 'web-a'],
        [ids.db, 'db-b'],
        [ids.edge, 'edge-c'],
      ]);
      for (const f of own) expect([f.hostId, f.hostname]).toEqual([f.hostId, hostnames.get(f.hostId)]);
    }

    const advisories = (r: List<Vulnerability>) => r.items.map((v) => v.advisory.id);
    // Riskiest first by default; by hosts; by due time.
    const risk = all.items.map((v) => v.riskScore ?? -1);
    expect(risk).toEqual([...risk].sort((a, b) => b - a));
    const byHosts = await get<List<Vulnerability>>('/api/v1/vulnerabilities?limit=1000&sort=hosts');
    expect(byHosts.items.map((v) => v.hosts)).toEqual(
      byHosts.items.map((v) => v.hosts).sort((a, b) => b - a),
    );
    const byDue = await get<List<Vulnerability>>('/api/v1/vulnerabilities?limit=1000&sort=due');
    const due = byDue.items.map((v) => (v.dueAt ? Date.parse(v.dueAt) : Infinity));
    expect(due).toEqual([...due].sort((a, b) => a - b));
    expect(new Set(advisories(byDue))).toEqual(new Set(advisories(all)));

    // q: any part of the id or of an alias, any case.
    const withCve = all.items.find((v) =>
      v.advisory.aliases.some((a) => a.startsWith('CVE-')),
    ) as Vulnerability;
    const cve = withCve.advisory.aliases.find((a) => a.startsWith('CVE-')) as string;
    const part = cve.slice(2).toLowerCase();
    const matches = (v: Vulnerability) =>
      [v.advisory.id, ...v.advisory.aliases].some((x) => x.toLowerCase().includes(part));
    const q = await get<List<Vulnerability>>(`/api/v1/vulnerabilities?limit=1000&q=${part}`);
    expect(advisories(q)).toEqual(all.items.filter(matches).map((v) => v.advisory.id));
    expect(advisories(q)).toContain(withCve.advisory.id);
    const dsa = await get<List<Vulnerability>>('/api/v1/vulnerabilities?limit=1000&q=dsa-');
    expect(dsa.total).toBe(all.items.filter((v) => v.advisory.id.startsWith('DSA-')).length);

    for (const p of ['P1', 'P2', 'P3', 'P4'] as const) {
      const r = await get<List<Vulnerability>>(`/api/v1/vulnerabilities?limit=1000&priority=${p}`);
      expect([p, advisories(r)]).toEqual([
        p,
        all.items.filter((v) => v.priority === p).map((v) => v.advisory.id),
      ]);
    }
    const breached = await get<List<Vulnerability>>('/api/v1/vulnerabilities?limit=1000&sla=breached');
    expect(breached.total).toBeGreaterThan(0);
    expect(advisories(breached)).toEqual(
      all.items
        .filter((v) => v.dueAt !== null && Date.parse(v.dueAt) < now.getTime())
        .map((v) => v.advisory.id),
    );
    const bad = await h.app.inject({
      method: 'GET',
      url: '/api/v1/vulnerabilities?sla=ok',
      headers: h.auth('auditor'),
    });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'PL_REQUEST_INVALID']);
  });
});
