/**
 * The lists as CSV (`?format=csv`) and the fleet's remediations grouped by
 * source package, paged, and deployable — through the API, on real Debian
 * data (the DSA/DLA lists and the buster inventory on three hosts, one of
 * them without some binary packages).
 */
import { parseInventoryCsv } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkin, enrollHost, facts, fullCheckin } from '@patchloop/test-support/agent-protocol';
import { listFindings, remediationInputBatches, remediationRepresentatives } from '@patchloop/store';
import { decideException, requestException } from '../src/services/exceptions.js';
import { BACKEND_NAMES, importFixtureFeeds, readFixture, startHarness, type Harness } from './harness.js';

const DEBIAN = { id: 'debian', versionId: '10', codename: 'buster', prettyName: null };
/** Left out of the third host's inventory: it has libc6 and libudev1 but not these. */
const MISSING_ON_THIRD = ['libc-bin', 'libsystemd0'];

/** RFC 4180 text → rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  expect(row.length === 0 && cell === '', 'the CSV ends with CRLF').toBe(true);
  return rows;
}

interface Rem {
  package: string;
  toVersion: string;
  binaries: string[];
  hosts: number;
  findings: number;
  riskRemoved: number;
  cumulativeShare: number;
  summary: string;
  targets?: { hostId: number; hostname: string; packages: { name: string; version: string }[] }[];
}
interface RemList {
  items: Rem[];
  total: number;
  totalRisk: number;
}

describe.each(BACKEND_NAMES)('list exports and remediations on %s', (backend) => {
  let h: Harness;
  const get = async <T>(url: string, role: 'admin' | 'operator' | 'auditor' = 'auditor') => {
    const r = await h.app.inject({ method: 'GET', url, headers: h.auth(role) });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as T;
  };
  const csv = async (url: string) => {
    const r = await h.app.inject({ method: 'GET', url, headers: h.auth('auditor') });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['content-disposition']).toMatch(/^attachment; filename="[a-z0-9-]+\.csv"$/);
    const [header, ...rows] = parseCsv(r.body);
    return { header: header as string[], rows };
  };

  beforeAll(async () => {
    h = await startHarness(backend);
    h.ctx.wakeJobs = () => {};
    await importFixtureFeeds(h.db, [
      ['debian-dsa', 'debian-security-tracker/DSA-list.txt'],
      ['debian-dla', 'debian-security-tracker/DLA-list.txt'],
    ]);
    const inv = parseInventoryCsv(readFixture('inventories/normalized/debian-buster.csv')).packages;
    for (const [name, packages] of [
      ['export-1', inv],
      ['export-2', inv],
      ['export-3', inv.filter((p) => !MISSING_ON_THIRD.includes(p.name))],
    ] as const) {
      const machine = `machine-export-${name}`;
      const e = await enrollHost(h.app, machine, name, ['linux']);
      const r = await checkin(
        h.app,
        e.credential,
        fullCheckin(machine, facts(name, DEBIAN), 'dpkg', packages),
      );
      expect(r.statusCode).toBe(200);
    }
    await h.worker.drain();
  }, 120_000);
  afterAll(() => h.close());

  it('exports every finding matching the filters, whatever the page, as the list shows them', async () => {
    const all = await get<{ items: { id: number; package: string }[]; total: number }>(
      '/api/v1/findings?status=open&limit=1000',
    );
    expect(all.total).toBeGreaterThan(100);
    const out = await csv('/api/v1/findings?status=open&format=csv&limit=5&offset=3');
    expect(out.header.slice(0, 5)).toEqual(['id', 'host', 'advisory', 'aliases', 'package']);
    expect(out.rows.length).toBe(all.total);
    expect(out.rows.map((r) => Number(r[0]))).toEqual(all.items.map((f) => f.id));
    // A filter narrows the export as it narrows the list.
    const glibc = await get<{ total: number }>('/api/v1/findings?status=open&package=libc6');
    expect(glibc.total).toBeGreaterThan(0);
    const narrowed = await csv('/api/v1/findings?status=open&package=libc6&format=csv');
    expect(narrowed.rows.length).toBe(glibc.total);
    expect(new Set(narrowed.rows.map((r) => r[4]))).toEqual(new Set(['libc6']));
    // One host's findings.
    const one = await get<{ total: number }>('/api/v1/hosts/1/findings?status=open');
    expect((await csv('/api/v1/hosts/1/findings?status=open&format=csv')).rows.length).toBe(one.total);
  });

  it('walks the findings by keyset in the list order, risk ties across identical hosts included', async () => {
    for (const sort of ['risk', 'host'] as const) {
      const all = await get<{ items: { id: number; risk: { score: number } | null }[] }>(
        `/api/v1/findings?status=open&sort=${sort}&limit=1000`,
      );
      const scores = all.items.map((f) => f.risk?.score ?? null);
      expect(new Set(scores).size).toBeLessThan(scores.length); // ties: the cursor's later keys decide
      const walked: number[] = [];
      let after: Parameters<typeof listFindings>[1]['after'];
      for (let pages = 0; pages < 1000; pages++) {
        const r = await listFindings(h.db, {
          sort,
          limit: 7,
          offset: 0,
          after,
          count: false,
          now: new Date(),
        });
        walked.push(...r.items.map((f) => f.id));
        if (r.next === null) break;
        after = r.next;
      }
      expect(walked).toEqual(all.items.map((f) => f.id));
    }
  });

  it('exports hosts, vulnerabilities, remediations, exceptions, deployments and the audit log', async () => {
    for (const [path, first] of [
      ['/api/v1/hosts', 'id'],
      ['/api/v1/vulnerabilities', 'advisory'],
      ['/api/v1/remediations', 'source_package'],
      ['/api/v1/exceptions', 'id'],
      ['/api/v1/deployments', 'id'],
      ['/api/v1/audit', 'seq'],
    ] as const) {
      const list = await get<{ total: number }>(path);
      const out = await csv(`${path}?format=csv`);
      expect(out.header[0], path).toBe(first);
      expect(out.rows.length, path).toBe(list.total);
      expect(
        out.rows.every((r) => r.length === out.header.length),
        path,
      ).toBe(true);
    }
    const hosts = await csv('/api/v1/hosts?format=csv&q=export-3');
    expect(hosts.rows.map((r) => r[1])).toEqual(['export-3']);
  });

  it('escapes cells a spreadsheet would run as a formula', async () => {
    const formula = '=HYPERLINK("http://evil.example/","click"), then more';
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/exceptions',
      headers: h.auth('operator'),
      payload: {
        kind: 'accepted-risk',
        package: '@scope/pkg',
        justification: formula,
        expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    const raw = await h.app.inject({
      method: 'GET',
      url: '/api/v1/exceptions?format=csv&status=requested',
      headers: h.auth('auditor'),
    });
    expect(raw.body).toContain(`"'=HYPERLINK(""http://evil.example/"",""click""), then more"`);
    const out = await csv('/api/v1/exceptions?format=csv&status=requested');
    expect(out.header).toEqual([
      'id',
      'status',
      'kind',
      'advisory',
      'package',
      'host_id',
      'group',
      'findings',
      'justification',
      'requested_by',
      'requested_at',
      'decided_by',
      'decided_at',
      'decision_note',
      'expires_at',
    ]);
    const col = (name: string) => out.header.indexOf(name);
    const row = out.rows.find((x) => x[col('justification')] === `'${formula}`);
    expect(row?.[col('package')]).toBe("'@scope/pkg");
    // The same call as JSON keeps the text as it is.
    const json = await get<{ items: { justification: string }[] }>('/api/v1/exceptions?status=requested');
    expect(json.items.map((x) => x.justification)).toContain(formula);
  });

  it('refuses an unknown format, and an export to a caller who may not read the list', async () => {
    const bad = await h.app.inject({
      method: 'GET',
      url: '/api/v1/findings?format=xlsx',
      headers: h.auth('auditor'),
    });
    expect(bad.statusCode).toBe(400);
    const anonymous = await h.app.inject({ method: 'GET', url: '/api/v1/audit?format=csv' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/json/);
  });

  it('makes the binary packages of one source package one remediation', async () => {
    const r = await get<RemList>('/api/v1/remediations?limit=1000');
    const keys = r.items.map((i) => `${i.package}@${i.toVersion}`);
    expect(new Set(keys).size).toBe(keys.length);
    const findings = await get<{
      items: { package: string; sourcePackage: string; hostId: number }[];
      total: number;
    }>('/api/v1/findings?status=fixable&limit=1000');
    // Every fixable finding is closed by exactly one remediation, named after its source package.
    expect(r.items.reduce((n, i) => n + i.findings, 0)).toBe(findings.total);
    const sourceOf = new Map(findings.items.map((f) => [f.package, f.sourcePackage]));
    for (const i of r.items) for (const b of i.binaries) expect(sourceOf.get(b), b).toBe(i.package);
    const glibc = r.items.filter((i) => i.package === 'glibc');
    expect(glibc.length).toBeGreaterThan(0);
    expect(glibc[0]!.binaries).toEqual(['libc-bin', 'libc6']);
    expect(r.items.some((i) => i.binaries.includes('libc6') && i.package === 'libc6')).toBe(false);
    // Filtered to one source: what each host installs, only the binaries it has.
    const one = await get<RemList>('/api/v1/remediations?package=glibc');
    const t = one.items[0]!.targets!;
    expect(t.map((x) => x.hostname)).toEqual(['export-1', 'export-2', 'export-3']);
    expect(t.map((x) => x.packages.map((p) => p.name))).toEqual([
      ['libc-bin', 'libc6'],
      ['libc-bin', 'libc6'],
      ['libc6'],
    ]);
    expect(t[0]!.packages.every((p) => p.version === one.items[0]!.toVersion)).toBe(true);
    // The unfiltered list does not carry them.
    expect(r.items[0]!.targets).toBeUndefined();
  });

  it('pages remediations beyond the first, the cumulative figures over the whole plan', async () => {
    const all = await get<RemList>('/api/v1/remediations?limit=1000');
    expect(all.total).toBe(all.items.length);
    expect(all.total).toBeGreaterThan(6);
    const page = await get<RemList>('/api/v1/remediations?limit=3&offset=3');
    expect(page.total).toBe(all.total);
    expect(page.totalRisk).toBe(all.totalRisk);
    expect(page.items).toEqual(all.items.slice(3, 6));
    const last = await get<RemList>(`/api/v1/remediations?limit=50&offset=${all.total - 1}`);
    expect(last.items.map((i) => i.cumulativeShare)).toEqual([1]);
  });

  it('deploys a remediation to its hosts with the binaries each has', async () => {
    const one = (await get<RemList>('/api/v1/remediations?package=glibc')).items[0]!;
    // What the console's "deploy this update" does: one manual deployment per set of packages.
    const bySet = new Map<string, { hosts: number[]; packages: { name: string; version: string }[] }>();
    for (const t of one.targets!) {
      const k = JSON.stringify(t.packages);
      const g = bySet.get(k) ?? { hosts: [], packages: t.packages };
      g.hosts.push(t.hostId);
      bySet.set(k, g);
    }
    expect(bySet.size).toBe(2);
    for (const g of bySet.values()) {
      const r = await h.app.inject({
        method: 'POST',
        url: '/api/v1/deployments',
        headers: h.auth('operator'),
        payload: { hosts: g.hosts, packages: g.packages },
      });
      expect(r.statusCode, r.body).toBe(201);
      const d = r.json() as { hosts: { hostId: number; packages: { name: string }[] }[] };
      expect(d.hosts.map((x) => [x.hostId, x.packages.map((p) => p.name)])).toEqual(
        g.hosts.map((id) => [id, g.packages.map((p) => p.name)]),
      );
    }
  });
  it('reads the plan a batch of hosts at a time, and never serves a plan an exception or retirement changed', async () => {
    // Batches of one host hold the same inputs as one batch of all; each host of a class stands for it.
    const now = new Date();
    const collect = async (batch: number) => {
      const out: { hosts: string[]; findings: string[] }[] = [];
      for await (const b of remediationInputBatches(h.db, now, batch)) {
        out.push({
          hosts: b.hosts.map((x) => `${x.id}×${x.weight}`),
          findings: b.findings.map((f) => JSON.stringify(f)),
        });
      }
      return out;
    };
    const reps = await remediationRepresentatives(h.db, now);
    expect(reps.reduce((n, r) => n + r.weight, 0)).toBe(3);
    const one = await collect(1);
    const whole = await collect(500);
    expect(one.length).toBe(reps.length);
    expect(whole.length).toBe(1);
    expect(one.flatMap((b) => b.hosts)).toEqual(whole[0]!.hosts);
    expect(one.flatMap((b) => b.findings)).toEqual(whole[0]!.findings);

    const glibc = async () =>
      (await get<RemList>('/api/v1/remediations?limit=1000')).items.filter((i) => i.package === 'glibc');
    const before = await glibc();
    expect(before.reduce((n, i) => n + i.findings, 0)).toBeGreaterThan(0);
    // An exception on libc6 comes into force: its findings leave the (cached) plan at once.
    const e = await requestException(
      h.ctx,
      {
        kind: 'accepted-risk',
        package: 'libc6',
        justification: 'test: the plan follows exceptions',
        expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      },
      'user:alice',
    );
    expect(await glibc()).toEqual(before);
    await decideException(h.ctx, { id: e.id, action: 'approve', actor: 'user:bob', note: null });
    const excepted = await glibc();
    expect(excepted.map((i) => i.binaries)).toEqual(before.map(() => ['libc-bin']));
    // A retired host leaves it too, and its targets.
    const third = (
      await get<{ items: { id: number; hostname: string }[] }>('/api/v1/hosts?limit=10')
    ).items.find((x) => x.hostname === 'export-3')!;
    const retire = await h.app.inject({
      method: 'POST',
      url: `/api/v1/hosts/${third.id}/retire`,
      headers: { ...h.auth('operator'), 'content-type': 'application/json' },
      payload: { reason: 'test' },
    });
    expect(retire.statusCode, retire.body).toBe(200);
    const after = await get<RemList>('/api/v1/remediations?package=glibc');
    expect(after.items.flatMap((i) => i.targets!.map((t) => t.hostname))).toEqual(['export-1', 'export-2']);
    expect(after.items.reduce((n, i) => n + i.hosts, 0)).toBe(2);
  });
});
