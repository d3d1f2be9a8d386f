/**
 * Hosts and findings through the API, on real Debian data: the DSA/DLA lists
 * and the buster inventory, checked in by two agents. What the server stores
 * and serves must be what the engine (`assessHost`) finds for the same
 * inventory and advisories.
 */
import type { Finding as ApiFinding, HostSummary } from '@patchloop/contracts';
import {
  assessHost,
  enrichmentFrom,
  familyFor,
  indexAdvisories,
  lookupOf,
  parseInventoryCsv,
  type Finding,
  type InstalledPackage,
} from '@patchloop/core';
import { importFeed } from '@patchloop/feeds';
import { createFeedStore, loadScanData } from '@patchloop/store';
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
import { BACKEND_NAMES, importFixtureFeeds, readFixture, startHarness, type Harness } from './harness.js';

const DEBIAN = DEBIAN_OS.buster;
const HOUR = 3_600_000;
const A = { machineId: 'machine-web-a-0001', hostname: 'web-a', tags: ['prod', 'web'] };
const B = { machineId: 'machine-db-b-0001', hostname: 'db-b', tags: ['db', 'prod'] };
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/** What the comparison looks at in a finding, engine's or API's. */
const tuple = (f: Finding | ApiFinding) =>
  JSON.stringify([
    f.advisory.id,
    f.package,
    f.installedVersion,
    f.fixedVersion,
    f.status,
    f.explanation,
    f.severity,
    f.kev?.cve ?? null,
  ]);

/** The engine's answer for an inventory, from the advisories in the store. */
async function engineFindings(h: Harness, packages: readonly InstalledPackage[]): Promise<Finding[]> {
  const family = familyFor(DEBIAN);
  if (!family) throw new Error('no Debian family');
  const data = await loadScanData(h.db, {
    targets: family.targets(DEBIAN),
    packages: packages.map((p) => lookupOf(family, p).name),
    eolProduct: family.eolCycle(DEBIAN)?.product ?? null,
  });
  return [
    ...assessHost({
      inventory: { manager: 'dpkg', os: DEBIAN, packages, kernel: facts('x', DEBIAN).kernel.running },
      os: DEBIAN,
      advisories: indexAdvisories(data.advisories),
      enrichment: enrichmentFrom(data),
      now: h.ctx.now(),
    }).findings,
  ];
}

function countsOf(findings: readonly (Finding | ApiFinding)[]): HostSummary['findingCounts'] {
  const c = {
    total: findings.length,
    fixable: 0,
    unfixed: 0,
    kev: 0,
    critical: 0,
    high: 0,
    medium: 0,
    low: 0,
    unknown: 0,
  };
  for (const f of findings) {
    if (f.status === 'fixable') c.fixable++;
    if (f.status === 'unfixed') c.unfixed++;
    if (f.kev) c.kev++;
    const s = SEVERITIES.find((x) => x === f.severity) ?? 'unknown';
    c[s]++;
  }
  return c;
}

/** Every key anywhere in a JSON value. */
function keysIn(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) for (const x of v) keysIn(x, out);
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.add(k);
      keysIn(x, out);
    }
  }
  return out;
}
const INTERNAL = [
  'secretHash',
  'secret_hash',
  'inventoryHash',
  'inventory_hash',
  'factsHash',
  'passwordHash',
  'password_hash',
];

describe.each(BACKEND_NAMES)('hosts and findings on %s', (backend) => {
  let h: Harness;
  let clock = Date.parse('2030-03-01T08:00:00Z');
  let inventory: InstalledPackage[];
  let inventoryB: InstalledPackage[];
  let expectedA: Finding[];
  let expectedB: Finding[];
  /** Advisories fixed on host B by upgrading one package each (sorted by id). */
  let fixedOnB: { advisory: string; pkg: string; fixed: string }[];
  let kevCve: string;
  let scoredCve: string;
  const ids = { a: 0, b: 0 };
  const cred = { a: '', b: '' };

  const get = async (url: string, role: 'admin' | 'operator' | 'auditor' = 'auditor') => {
    const r = await h.app.inject({ method: 'GET', url, headers: h.auth(role) });
    expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).toBe(200);
    const body = r.json();
    for (const k of INTERNAL) expect(keysIn(body).has(k), `${url} carries ${k}`).toBe(false);
    return body;
  };
  const findings = async (url: string) => (await get(url)) as { items: ApiFinding[]; total: number };
  const hosts = async (query: string) => {
    const r = (await get(`/api/v1/hosts${query}`)) as { items: HostSummary[]; total: number };
    return { names: r.items.map((x) => x.hostname), total: r.total, items: r.items };
  };
  const withVersion = (p: InstalledPackage, v: string): InstalledPackage => ({
    ...p,
    version: v,
    sourceVersion: v,
  });

  beforeAll(async () => {
    h = await startHarness(backend, { now: () => new Date(clock), config: { staleAfterMs: 6 * HOUR } });
    await importFixtureFeeds(h.db, [
      ['debian-dsa', 'debian-security-tracker/DSA-list.txt'],
      ['debian-dla', 'debian-security-tracker/DLA-list.txt'],
    ]);
    inventory = [...parseInventoryCsv(readFixture('inventories/normalized/debian-buster.csv')).packages];

    // Which advisories a single package upgrade fixes: a package with one finding, of an advisory on that package only.
    const before = await engineFindings(h, inventory);
    const perPackage = new Map<string, Finding[]>();
    const perAdvisory = new Map<string, Finding[]>();
    for (const f of before) {
      perPackage.set(f.package, [...(perPackage.get(f.package) ?? []), f]);
      perAdvisory.set(f.advisory.id, [...(perAdvisory.get(f.advisory.id) ?? []), f]);
    }
    fixedOnB = before
      .filter(
        (f) =>
          f.fixedVersion !== null &&
          perPackage.get(f.package)?.length === 1 &&
          perAdvisory.get(f.advisory.id)?.length === 1 &&
          inventory.some((p) => p.name === f.package && p.version === p.sourceVersion) &&
          f.advisory.aliases.some((a) => a.startsWith('CVE-')),
      )
      .map((f) => ({ advisory: f.advisory.id, pkg: f.package, fixed: f.fixedVersion as string }))
      .sort((x, y) => x.advisory.localeCompare(y.advisory))
      .slice(0, 2);
    expect(fixedOnB).toHaveLength(2);
    // Enrichment: the first advisory fixed on B is exploited (KEV), the advisory with the most packages is critical.
    const first = before.find((f) => f.advisory.id === fixedOnB[0]?.advisory);
    kevCve = first?.advisory.aliases.find((a) => a.startsWith('CVE-')) as string;
    const widest = [...perAdvisory.values()]
      .filter((l) => l[0]?.advisory.aliases.some((a) => a.startsWith('CVE-')))
      .sort(
        (x, y) => y.length - x.length || (x[0]?.advisory.id ?? '').localeCompare(y[0]?.advisory.id ?? ''),
      )[0];
    scoredCve = widest?.[0]?.advisory.aliases.find((a) => a.startsWith('CVE-')) as string;
    const files = enrichmentFiles(kevCve, scoredCve);
    for (const [source, path] of [
      ['kev', files.kev],
      ['cve', files.cve],
    ] as const) {
      const s = await importFeed(source, path, createFeedStore(h.db));
      expect([source, s.exitCode]).toEqual([source, 0]);
    }

    inventoryB = inventory.map((p) => {
      const fix = fixedOnB.find((x) => x.pkg === p.name);
      return fix ? withVersion(p, fix.fixed) : p;
    });
    const a = await enrollHost(h.app, A.machineId, A.hostname, A.tags);
    const b = await enrollHost(h.app, B.machineId, B.hostname, B.tags);
    Object.assign(ids, { a: a.hostId, b: b.hostId });
    Object.assign(cred, { a: a.credential, b: b.credential });
    for (const [c, host, pkgs] of [
      [a.credential, A, inventory],
      [b.credential, B, inventoryB],
    ] as const) {
      const r = await checkin(
        h.app,
        c,
        fullCheckin(host.machineId, facts(host.hostname, DEBIAN), 'dpkg', pkgs),
      );
      expect(r.statusCode).toBe(200);
    }
    await h.worker.drain();
    expectedA = await engineFindings(h, inventory);
    expectedB = await engineFindings(h, inventoryB);
  });
  afterAll(() => h.close());

  it("serves each host's findings exactly as the engine finds them", async () => {
    expect(expectedA.length).toBeGreaterThan(10);
    expect(expectedA.some((f) => f.kev !== null)).toBe(true);
    expect(expectedA.some((f) => f.severity === 'critical')).toBe(true);
    for (const [id, expected] of [
      [ids.a, expectedA],
      [ids.b, expectedB],
    ] as const) {
      const r = await findings(`/api/v1/hosts/${id}/findings?limit=1000`);
      expect(r.total).toBe(expected.length);
      expect(r.items.map(tuple).sort()).toEqual(expected.map(tuple).sort());
      expect(new Set(r.items.map((f) => f.hostId))).toEqual(new Set([id]));
      expect(
        r.items.every((f) => f.resolvedAt === null && f.firstSeen === new Date(clock).toISOString()),
      ).toBe(true);
    }
    // B lacks exactly the advisories its upgrades fixed.
    const missing = new Set(expectedA.map(tuple));
    for (const f of expectedB) missing.delete(tuple(f));
    expect([...missing].map((t) => JSON.parse(t)[0]).sort()).toEqual(fixedOnB.map((x) => x.advisory));
    const unknown = await h.app.inject({
      method: 'GET',
      url: '/api/v1/hosts/999999/findings',
      headers: h.auth('auditor'),
    });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'PL_NOT_FOUND']);
  });

  it('filters fleet findings by severity, KEV, status, advisory (id or CVE), package; pages with a stable total', async () => {
    const all = await findings('/api/v1/findings?limit=1000');
    expect(all.total).toBe(expectedA.length + expectedB.length);
    expect(all.items).toHaveLength(all.total);
    const same = (r: { items: ApiFinding[]; total: number }, want: ApiFinding[]) => {
      expect(r.total).toBe(want.length);
      expect(r.items.map((f) => f.id)).toEqual(want.map((f) => f.id));
    };
    const critical = all.items.filter((f) => f.severity === 'critical');
    expect(critical.length).toBeGreaterThan(1);
    same(await findings('/api/v1/findings?limit=1000&severity=critical'), critical);
    same(
      await findings('/api/v1/findings?limit=1000&severity=unknown'),
      all.items.filter((f) => f.severity === null),
    );
    const kev = all.items.filter((f) => f.kev !== null);
    expect(kev.map((f) => f.hostname)).toEqual(['web-a']);
    same(await findings('/api/v1/findings?limit=1000&kev=true'), kev);
    same(
      await findings('/api/v1/findings?limit=1000&kev=false'),
      all.items.filter((f) => f.kev === null),
    );
    for (const status of ['fixable', 'unfixed'] as const) {
      same(
        await findings(`/api/v1/findings?limit=1000&status=${status}`),
        all.items.filter((f) => f.status === status),
      );
    }
    same(await findings('/api/v1/findings?limit=1000&status=open'), all.items);
    same(await findings('/api/v1/findings?limit=1000&status=resolved'), []);

    const byScored = all.items.filter((f) => f.advisory.aliases.includes(scoredCve));
    expect(byScored.length).toBeGreaterThan(1);
    same(await findings(`/api/v1/findings?limit=1000&advisory=${scoredCve}`), byScored);
    const advisoryId = byScored[0]?.advisory.id as string;
    same(
      await findings(`/api/v1/findings?limit=1000&advisory=${advisoryId}`),
      all.items.filter((f) => f.advisory.id === advisoryId),
    );
    same(await findings('/api/v1/findings?advisory=DSA-0000-0'), []);
    const pkg = fixedOnB[1]?.pkg as string;
    const byPackage = all.items.filter((f) => f.package === pkg);
    expect(byPackage.map((f) => f.hostname)).toEqual(['web-a']);
    same(await findings(`/api/v1/findings?limit=1000&package=${pkg}`), byPackage);
    // Filters combine.
    same(
      await findings(`/api/v1/findings?limit=1000&severity=critical&advisory=${scoredCve}`),
      byScored.filter((f) => f.severity === 'critical'),
    );

    const paged: ApiFinding[] = [];
    for (let offset = 0; offset < all.total + 7; offset += 7) {
      const page = await findings(`/api/v1/findings?limit=7&offset=${offset}`);
      expect(page.total).toBe(all.total);
      expect(page.items.length).toBe(Math.max(0, Math.min(7, all.total - offset)));
      paged.push(...page.items);
    }
    expect(paged.map((f) => f.id)).toEqual(all.items.map((f) => f.id));
    const bad = await h.app.inject({
      method: 'GET',
      url: '/api/v1/findings?severity=dire',
      headers: h.auth('auditor'),
    });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'PL_REQUEST_INVALID']);
    const big = await h.app.inject({
      method: 'GET',
      url: '/api/v1/findings?limit=100000',
      headers: h.auth('auditor'),
    });
    expect(big.statusCode).toBe(400);
  });

  it('counts hosts per advisory across the fleet', async () => {
    const r = (await get('/api/v1/vulnerabilities?limit=1000')) as {
      items: { advisory: { id: string }; hosts: number; packages: string[]; fixable: number; kev: unknown }[];
      total: number;
    };
    const all = [...expectedA, ...expectedB];
    const advisories = [...new Set(all.map((f) => f.advisory.id))].sort();
    expect(r.total).toBe(advisories.length);
    expect(r.items.map((v) => v.advisory.id).sort()).toEqual(advisories);
    for (const v of r.items) {
      const mine = all.filter((f) => f.advisory.id === v.advisory.id);
      const onB = expectedB.some((f) => f.advisory.id === v.advisory.id);
      expect([v.advisory.id, v.hosts]).toEqual([v.advisory.id, onB ? 2 : 1]);
      expect(v.packages).toEqual([...new Set(mine.map((f) => f.package))].sort());
      expect(v.fixable).toBe(mine.filter((f) => f.status === 'fixable').length);
    }
    for (const fixed of fixedOnB) {
      expect(r.items.find((v) => v.advisory.id === fixed.advisory)?.hosts).toBe(1);
    }
    // Most hosts first when asked (riskiest first is the default).
    const byHosts = (await get('/api/v1/vulnerabilities?limit=1000&sort=hosts')) as typeof r;
    expect(byHosts.items.map((v) => v.hosts)).toEqual(
      [...byHosts.items.map((v) => v.hosts)].sort((x, y) => y - x),
    );
    const kev = (await get('/api/v1/vulnerabilities?kev=true')) as { items: { advisory: { id: string } }[] };
    expect(kev.items.map((v) => v.advisory.id)).toEqual([fixedOnB[0]?.advisory]);
  });

  it('lists hosts with filters, sorting, paging and finding counts', async () => {
    const all = await hosts('');
    expect(all.names).toEqual(['db-b', 'web-a']);
    expect(all.items.find((x) => x.id === ids.a)?.findingCounts).toEqual(countsOf(expectedA));
    expect(all.items.find((x) => x.id === ids.b)?.findingCounts).toEqual(countsOf(expectedB));
    expect(all.items.every((x) => !x.stale && x.packageCount === inventory.length)).toBe(true);

    expect((await hosts('?q=web')).names).toEqual(['web-a']);
    expect((await hosts('?q=DB-')).names).toEqual(['db-b']); // case-insensitive
    expect((await hosts('?q=%25')).names).toEqual([]); // "%" is a character, not a wildcard
    expect((await hosts('?q=_')).names).toEqual([]);
    expect((await hosts('?os=debian')).names).toEqual(['db-b', 'web-a']);
    expect((await hosts('?os=debian:10')).names).toEqual(['db-b', 'web-a']);
    expect((await hosts('?os=debian:11')).names).toEqual([]);
    expect((await hosts('?os=ubuntu')).names).toEqual([]);
    expect((await hosts('?tag=web')).names).toEqual(['web-a']);
    expect((await hosts('?tag=prod')).names).toEqual(['db-b', 'web-a']);
    expect((await hosts('?tag=nope')).names).toEqual([]);
    expect((await hosts('?hasKev=true')).names).toEqual(['web-a']);
    expect((await hosts('?hasKev=false')).names).toEqual(['db-b']);
    expect((await hosts('?stale=true')).names).toEqual([]);
    expect((await hosts('?stale=false')).names).toEqual(['db-b', 'web-a']);

    expect((await hosts('?sort=hostname&order=desc')).names).toEqual(['web-a', 'db-b']);
    expect((await hosts('?sort=findings&order=desc')).names).toEqual(['web-a', 'db-b']);
    expect((await hosts('?sort=findings&order=asc')).names).toEqual(['db-b', 'web-a']);
    expect((await hosts('?sort=kev&order=desc')).names).toEqual(['web-a', 'db-b']);
    const p1 = await hosts('?sort=hostname&limit=1&offset=0');
    const p2 = await hosts('?sort=hostname&limit=1&offset=1');
    const p3 = await hosts('?sort=hostname&limit=1&offset=2');
    expect([p1.names, p2.names, p3.names, p1.total, p2.total, p3.total]).toEqual([
      ['db-b'],
      ['web-a'],
      [],
      2,
      2,
      2,
    ]);
    const bad = await h.app.inject({
      method: 'GET',
      url: '/api/v1/hosts?sort=ram',
      headers: h.auth('auditor'),
    });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'PL_REQUEST_INVALID']);
  });

  it('shows the stored packages of a host', async () => {
    const r = (await get(`/api/v1/hosts/${ids.b}/packages`)) as {
      items: {
        name: string;
        version: string;
        arch: string;
        sourceName: string;
        sourceVersion: string;
        update: unknown;
      }[];
      total: number;
    };
    expect(r.total).toBe(inventoryB.length);
    const row = (p: {
      name: string;
      version: string;
      arch: string | null;
      sourceName: string;
      sourceVersion: string;
    }) => [p.name, p.version, p.arch ?? '', p.sourceName, p.sourceVersion].join(' ');
    expect(r.items.map(row).sort()).toEqual(inventoryB.map(row).sort());
    expect(r.items.every((p) => p.update === null)).toBe(true);
    const upgraded = fixedOnB[0] as { pkg: string; fixed: string };
    expect(r.items.find((p) => p.name === upgraded.pkg)?.version).toBe(upgraded.fixed);
    const unknown = await h.app.inject({
      method: 'GET',
      url: '/api/v1/hosts/999999/packages',
      headers: h.auth('auditor'),
    });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'PL_NOT_FOUND']);
  });

  it('edits a host, refuses bad edits, and audits each edit with before and after', async () => {
    const audit = async () =>
      (await get(`/api/v1/audit?target=host:${ids.a}&action=host.edit`)) as {
        items: { actor: string; before: unknown; after: unknown; at: string }[];
        total: number;
      };
    const patch = (id: number, payload: unknown, role: 'operator' | 'auditor' = 'operator') =>
      h.app.inject({
        method: 'PATCH',
        url: `/api/v1/hosts/${id}`,
        headers: { ...h.auth(role), 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
    expect((await audit()).total).toBe(0);
    const ok = await patch(ids.a, {
      criticality: 'tier0',
      tags: ['web', 'pci', 'prod', 'pci'],
      owner: 'team-web',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({
      id: ids.a,
      criticality: 'tier0',
      tags: ['pci', 'prod', 'web'],
      owner: 'team-web',
    });
    for (const k of INTERNAL) expect(keysIn(ok.json()).has(k)).toBe(false);
    const detail = await get(`/api/v1/hosts/${ids.a}`);
    expect(detail).toMatchObject({
      criticality: 'tier0',
      tags: ['pci', 'prod', 'web'],
      owner: 'team-web',
      userRisk: 'standard',
    });
    expect((await hosts('?tag=pci')).names).toEqual(['web-a']);
    expect((await hosts('?criticality=tier0')).names).toEqual(['web-a']);

    const events = await audit();
    expect(events.total).toBe(1);
    expect(events.items[0]).toMatchObject({
      actor: 'token:test-operator',
      before: { criticality: 'tier2', tags: ['prod', 'web'], owner: null },
      after: { criticality: 'tier0', tags: ['pci', 'prod', 'web'], owner: 'team-web' },
      at: new Date(clock).toISOString(),
    });

    for (const [what, payload] of [
      ['bad criticality', { criticality: 'tier9' }],
      ['unknown field', { hostname: 'renamed' }],
      ['empty body', {}],
      ['wrong type', { internetFacing: 'yes' }],
      ['bad tag', { tags: ['has space'] }],
    ] as const) {
      const r = await patch(ids.a, payload);
      expect([what, r.statusCode, r.json().error.code]).toEqual([what, 400, 'PL_REQUEST_INVALID']);
    }
    const missing = await patch(999999, { owner: 'x' });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'PL_NOT_FOUND']);
    expect((await patch(ids.a, { owner: 'x' }, 'auditor')).statusCode).toBe(403);
    expect((await audit()).total).toBe(1);

    clock += 1000;
    const second = await patch(ids.a, { environment: 'production', internetFacing: true, owner: null });
    expect(second.statusCode).toBe(200);
    const after = await audit();
    expect(after.total).toBe(2);
    expect(after.items.find((e) => e.at === new Date(clock).toISOString())).toMatchObject({
      before: { environment: null, internetFacing: false, owner: 'team-web' },
      after: { environment: 'production', internetFacing: true, owner: null },
    });
    expect(await get(`/api/v1/hosts/${ids.a}`)).toMatchObject({
      environment: 'production',
      internetFacing: true,
      owner: null,
      criticality: 'tier0',
    });
  });

  it('marks hosts stale once not seen for longer than the stale period', async () => {
    clock += 7 * HOUR;
    const hashB = hashOf('dpkg', inventoryB, []);
    const beat = await checkin(h.app, cred.b, {
      agentVersion: '0.1.0',
      machineId: B.machineId,
      facts: facts(B.hostname, DEBIAN),
      inventory: { kind: 'same', hash: hashB },
    });
    expect(beat.json()).toMatchObject({ acknowledged: hashB, needFull: false });
    expect((await hosts('?stale=true')).names).toEqual(['web-a']);
    expect((await hosts('?stale=false')).names).toEqual(['db-b']);
    const all = await hosts('?sort=lastSeen&order=desc');
    expect(all.items.map((x) => [x.hostname, x.stale])).toEqual([
      ['db-b', false],
      ['web-a', true],
    ]);
  });

  it('resolves a finding when its package is upgraded, keeping first-seen of the others', async () => {
    const before = await findings(`/api/v1/hosts/${ids.a}/findings?limit=1000`);
    const firstSeen = new Map(before.items.map((f) => [f.id, f.firstSeen]));
    const fix = fixedOnB[1] as { advisory: string; pkg: string; fixed: string };
    const target = before.items.find(
      (f) => f.advisory.id === fix.advisory && f.package === fix.pkg,
    ) as ApiFinding;
    expect(target).toBeDefined();

    clock += HOUR;
    const upgraded = inventory.map((p) => (p.name === fix.pkg ? withVersion(p, fix.fixed) : p));
    const r = await checkin(
      h.app,
      cred.a,
      fullCheckin(A.machineId, facts(A.hostname, DEBIAN), 'dpkg', upgraded),
    );
    expect(r.statusCode).toBe(200);
    await h.worker.drain();

    const resolved = await findings(`/api/v1/findings?status=resolved`);
    expect(resolved.items.map((f) => [f.id, f.hostname, f.advisory.id, f.package, f.resolvedAt])).toEqual([
      [target.id, 'web-a', fix.advisory, fix.pkg, new Date(clock).toISOString()],
    ]);
    expect(resolved.items[0]?.firstSeen).toBe(target.firstSeen);
    expect((await findings(`/api/v1/hosts/${ids.a}/findings?status=resolved`)).total).toBe(1);
    expect((await findings(`/api/v1/hosts/${ids.b}/findings?status=resolved`)).total).toBe(0);

    const open = await findings(`/api/v1/hosts/${ids.a}/findings?limit=1000`);
    const expected = await engineFindings(h, upgraded);
    expect(open.items.map(tuple).sort()).toEqual(expected.map(tuple).sort());
    expect(open.items.map((f) => f.id).sort()).toEqual(
      before.items
        .filter((f) => f.id !== target.id)
        .map((f) => f.id)
        .sort(),
    );
    for (const f of open.items) expect([f.id, f.firstSeen]).toEqual([f.id, firstSeen.get(f.id)]);
    const host = await hosts(`?q=web`);
    expect(host.items[0]?.findingCounts).toEqual(countsOf(expected));
    expect(host.items[0]?.stale).toBe(false);
  });
});
