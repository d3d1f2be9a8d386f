/**
 * Figures the console's dashboard shows: counts that must equal the totals
 * of the lists they link to, the day-by-day trend of open, KEV and breached
 * findings, bulk tagging, and the per-advisory view's priority, due time and
 * risk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/backends.js';
import type { Db } from '../db.js';
import { decideException, insertException } from './exceptions.js';
import { insertFindingRows } from './finding-facts.js';
import { findingTrend, type TrendPoint } from './finding-metrics.js';
import { countFindings, listFindings, type FindingWhere } from './finding-queries.js';
import { listVulnerabilities } from './vulnerability-queries.js';
import {
  editHost,
  getHost,
  insertHost,
  recordAssessment,
  retagHosts,
  touchHost,
  updateHostFacts,
} from './hosts.js';
import { countHosts, listHosts, type HostWhere } from './host-list.js';

const NOW = new Date('2026-11-10T15:00:00Z');
const DAY = 86_400_000;
const t = (iso: string) => new Date(iso);

interface Seed {
  readonly advisory: string;
  readonly pkg: string;
  readonly firstSeen: Date;
  readonly resolvedAt?: Date;
  readonly dueAt?: Date;
  readonly kev?: boolean;
  readonly priority?: string;
  readonly risk?: number;
  readonly severity?: string;
  readonly aliases?: string[];
}

async function addFinding(db: Db, hostId: number, s: Seed): Promise<void> {
  const data = {
    package: s.pkg,
    arch: 'amd64',
    sourcePackage: s.pkg,
    installedVersion: '1',
    fixedVersion: '2',
    status: 'fixable',
    advisory: {
      id: s.advisory,
      aliases: s.aliases ?? [],
      source: 'debian-dsa',
      url: null,
      modified: null,
      classification: 'security',
    },
    release: 'bookworm',
    severity: s.severity ?? 'high',
    cvss: null,
    kev: null,
    epss: null,
    explanation: `${s.pkg} 1 < 2 fixed by ${s.advisory}`,
  };
  await insertFindingRows(db, [
    {
      hostId,
      advisoryId: s.advisory,
      package: s.pkg,
      arch: 'amd64',
      installedVersion: '1',
      fixedVersion: '2',
      status: 'fixable',
      severity: s.severity ?? 'high',
      kev: s.kev ?? false,
      data: JSON.stringify(data),
      risk: null,
      firstSeen: s.firstSeen,
      resolvedAt: s.resolvedAt ?? null,
      dueAt: s.dueAt ?? null,
      priority: s.priority ?? null,
      riskScore: s.risk ?? null,
    },
  ]);
}

/** The trend's definition, evaluated finding by finding (times here have millisecond precision). */
function bruteTrend(seeds: readonly Seed[], now: Date, days: number): TrendPoint[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const out: TrendPoint[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const start = today - i * DAY;
    const isToday = i === 0;
    // At the end of a past day: at or before its last instant = before the next midnight.
    const atOrBefore = (x: Date) => (isToday ? x.getTime() <= now.getTime() : x.getTime() < start + DAY);
    const before = (x: Date) => (isToday ? x.getTime() < now.getTime() : x.getTime() < start + DAY);
    const open = seeds.filter((s) => atOrBefore(s.firstSeen) && !(s.resolvedAt && atOrBefore(s.resolvedAt)));
    out.push({
      date: new Date(start).toISOString().slice(0, 10),
      open: open.length,
      kev: open.filter((s) => s.kev).length,
      breached: open.filter((s) => s.dueAt && before(s.dueAt)).length,
    });
  }
  return out;
}

describe.each(BACKENDS)('dashboard figures on $name', (backend) => {
  let db: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await backend.open());
  });
  afterAll(() => done());
  const newHost = (name: string, o: { transport?: 'agent' | 'import'; tags?: string[]; now?: Date } = {}) =>
    insertHost(db, {
      machineId: `machine-${name}-0001`,
      hostname: name,
      transport: o.transport ?? 'agent',
      tags: o.tags ?? [],
      now: o.now ?? NOW,
    });

  it('computes the trend at the end of each UTC day from first seen, resolved and due times', async () => {
    const host = await newHost('trend', { now: t('2026-09-01T00:00:00Z') });
    const seeds: Seed[] = [
      // Open since before the window; KEV; due on 11-05 at noon.
      {
        advisory: 'DSA-1',
        pkg: 'a',
        firstSeen: t('2026-10-20T10:00:00Z'),
        dueAt: t('2026-11-05T12:00:00Z'),
        kev: true,
      },
      // First seen at midnight, resolved at midnight, due at the last millisecond of 11-04 (a KEV due date).
      {
        advisory: 'DSA-2',
        pkg: 'b',
        firstSeen: t('2026-11-03T00:00:00Z'),
        resolvedAt: t('2026-11-06T00:00:00Z'),
        dueAt: t('2026-11-04T23:59:59.999Z'),
      },
      // Opened and resolved within one day: never open at a day's end.
      {
        advisory: 'DSA-3',
        pkg: 'c',
        firstSeen: t('2026-11-07T08:00:00Z'),
        resolvedAt: t('2026-11-07T09:00:00Z'),
      },
      // Resolved before the window.
      {
        advisory: 'DSA-4',
        pkg: 'd',
        firstSeen: t('2026-10-01T00:00:00Z'),
        resolvedAt: t('2026-10-15T00:00:00Z'),
      },
      // Breached when the window starts, resolved on its second day.
      {
        advisory: 'DSA-5',
        pkg: 'e',
        firstSeen: t('2026-10-25T00:00:00Z'),
        resolvedAt: t('2026-11-02T12:00:00Z'),
        dueAt: t('2026-10-30T00:00:00Z'),
        kev: true,
      },
      // Today: due before now (breached now), due later today (not yet).
      { advisory: 'DSA-6', pkg: 'f', firstSeen: t('2026-11-10T14:00:00Z'), dueAt: t('2026-11-10T14:30:00Z') },
      { advisory: 'DSA-7', pkg: 'g', firstSeen: t('2026-11-10T14:00:00Z'), dueAt: t('2026-11-10T20:00:00Z') },
      // Due before it was first seen (a KEV due date already past): breached from its first day.
      {
        advisory: 'DSA-9',
        pkg: 'i',
        firstSeen: t('2026-11-08T10:00:00Z'),
        dueAt: t('2026-11-01T23:59:59.999Z'),
        kev: true,
      },
      // Resolved before it was due: never breached.
      {
        advisory: 'DSA-10',
        pkg: 'j',
        firstSeen: t('2026-11-01T05:00:00Z'),
        resolvedAt: t('2026-11-08T12:00:00Z'),
        dueAt: t('2026-11-09T00:00:00Z'),
      },
      // Breached, then resolved late.
      {
        advisory: 'DSA-11',
        pkg: 'k',
        firstSeen: t('2026-11-02T01:00:00Z'),
        resolvedAt: t('2026-11-08T06:00:00Z'),
        dueAt: t('2026-11-03T12:00:00Z'),
      },
      // First seen right now.
      { advisory: 'DSA-12', pkg: 'l', firstSeen: NOW, dueAt: t('2026-12-10T15:00:00Z') },
    ];
    for (const s of seeds) await addFinding(db, host.id, s);
    // Under an approved exception: left out, as in the compliance figures.
    await addFinding(db, host.id, {
      advisory: 'DSA-8',
      pkg: 'excepted-pkg',
      firstSeen: t('2026-11-02T00:00:00Z'),
      dueAt: t('2026-11-03T00:00:00Z'),
      kev: true,
    });
    const e = await insertException(db, {
      kind: 'accepted-risk',
      advisoryId: null,
      package: 'excepted-pkg',
      hostId: null,
      group: null,
      justification: 'test exception',
      requestedBy: 'a',
      expiresAt: t('2027-01-01T00:00:00Z'),
      now: NOW,
    });
    await decideException(db, e.id, { status: 'approved', by: 'b', note: null, now: NOW });

    const trend = await findingTrend(db, NOW, 10);
    expect(trend).toEqual(bruteTrend(seeds, NOW, 10));
    // Written out, so the definition above is checked too.
    expect(trend.map((p) => [p.date, p.open, p.kev, p.breached])).toEqual([
      ['2026-11-01', 3, 2, 1], // DSA-1, DSA-5 (KEV, breached, resolved on 11-02), DSA-10
      ['2026-11-02', 3, 1, 0], // DSA-1, DSA-10, DSA-11
      ['2026-11-03', 4, 1, 1], // + DSA-2 (first seen at midnight); DSA-11 past due at noon
      ['2026-11-04', 4, 1, 2], // DSA-2 due at 23:59:59.999: breached at the day's end
      ['2026-11-05', 4, 1, 3], // DSA-1 due at noon
      ['2026-11-06', 3, 1, 2], // DSA-2 resolved at midnight
      ['2026-11-07', 3, 1, 2], // DSA-3 opened and closed within the day: not counted
      ['2026-11-08', 2, 2, 2], // DSA-10 and DSA-11 resolved; DSA-9 (KEV) first seen past its due date
      ['2026-11-09', 2, 2, 2],
      ['2026-11-10', 5, 2, 3], // at now: + DSA-6 (past due), DSA-7 (due tonight), DSA-12 (first seen now)
    ]);
    // Today's point is the current figures, counted as the findings list counts.
    const now = await countFindings(db, NOW, {
      open: { status: 'open', excepted: false },
      kev: { status: 'open', excepted: false, kev: true },
      breached: { status: 'open', excepted: false, sla: 'breached' },
    });
    expect(trend.at(-1)).toMatchObject(now);
    expect((await findingTrend(db, NOW, 1)).map((p) => p.date)).toEqual(['2026-11-10']);
    const year = await findingTrend(db, NOW, 365);
    expect([year.length, year[0]?.date, year.at(-1)?.date]).toEqual([365, '2025-11-11', '2026-11-10']);
    expect(year.slice(-10)).toEqual(trend);
    expect(year).toEqual(bruteTrend(seeds, NOW, 365));
  });

  it('counts findings exactly as the list totals them', async () => {
    const filters: Record<string, FindingWhere> = {
      all: {},
      open: { status: 'open' },
      inScope: { status: 'open', excepted: false },
      excepted: { excepted: true },
      resolved: { status: 'resolved' },
      fixable: { status: 'fixable' },
      kev: { status: 'open', excepted: false, kev: true },
      noKev: { kev: false },
      breached: { status: 'open', excepted: false, sla: 'breached' },
      dueSoon: { sla: 'due-soon', dueSoonDays: 3 },
      ok: { sla: 'ok' },
      p1: { status: 'open', excepted: false, priority: 'P1' },
      high: { severity: 'high' },
      unknown: { severity: 'unknown' },
      advisory: { advisory: 'DSA-1' },
      pkg: { package: 'excepted-pkg' },
    };
    const counts = await countFindings(db, NOW, filters);
    for (const [k, f] of Object.entries(filters)) {
      const list = await listFindings(db, { ...f, limit: 1, offset: 0, now: NOW });
      expect([k, counts[k]]).toEqual([k, list.total]);
    }
    // Filtered by facts the page counts its rows; a page past the end counts them apart.
    for (const k of ['advisory', 'pkg']) {
      const past = await listFindings(db, { ...filters[k], limit: 1, offset: 1000, now: NOW });
      expect([k, past.items.length, past.total]).toEqual([k, 0, counts[k]]);
    }
    expect(counts.advisory).toBeGreaterThan(0);
    expect(counts.open).toBe(6);
    expect(counts.inScope).toBe(5);
    expect(counts.excepted).toBe(1);
    expect(await countFindings(db, NOW, {})).toEqual({});
  });

  it('counts hosts exactly as the list totals them: stale, reboot, end of life, KEV', async () => {
    const at = new Date(NOW.getTime() - 3_600_000);
    const mk = (name: string, transport: 'agent' | 'import' = 'agent') =>
      newHost(name, { transport, now: at });
    const fresh = await mk('fresh');
    await touchHost(db, fresh.id, at, '0.1.0');
    await updateHostFacts(
      db,
      fresh.id,
      {
        hostname: 'fresh',
        os: { id: 'debian', versionId: '10', codename: 'buster', prettyName: null },
        arch: 'x86_64',
        kernel: { running: null, newestInstalled: null },
        reboot: { required: true, reasons: ['kernel'], packages: [] },
      },
      'facts-1',
    );
    const eol = {
      status: 'eol',
      product: 'debian',
      cycle: '10',
      eol: '2024-06-30',
      extendedSupportEnd: null,
    };
    await recordAssessment(db, fresh.id, { eol, counts: { total: 3, kev: 1 }, now: at, error: null });
    const ess = await mk('extended');
    await touchHost(db, ess.id, at, '0.1.0');
    await recordAssessment(db, ess.id, {
      eol: { ...eol, status: 'security-support-ended', extendedSupportEnd: '2029-06-30' },
      counts: { total: 0 },
      now: at,
      error: null,
    });
    await mk('never-seen'); // enrolled, never checked in: stale
    await mk('imported-unseen', 'import'); // imported with no time seen: not stale (as the summary's flag)
    const old = await mk('imported-long-ago', 'import');
    await touchHost(db, old.id, new Date(NOW.getTime() - 10 * DAY), 'import');

    const staleBefore = new Date(NOW.getTime() - 6 * 3_600_000);
    const filters = {
      total: {},
      stale: { stale: true, staleBefore },
      notStale: { stale: false, staleBefore },
      reboot: { reboot: true },
      noReboot: { reboot: false },
      eol: { eol: true },
      notEol: { eol: false },
      kev: { hasKev: true },
      kevAndReboot: { hasKev: true, reboot: true, q: 'fre' },
    } satisfies Record<string, HostWhere>;
    const counts = await countHosts(db, filters);
    const names: Record<string, string[]> = {};
    for (const [k, f] of Object.entries(filters)) {
      const list = await listHosts(db, { ...f, limit: 1000, offset: 0 });
      expect([k, counts[k as keyof typeof filters]]).toEqual([k, list.total]);
      names[k] = list.items.map((h) => h.hostname).filter((n) => n !== 'trend');
    }
    expect(names).toMatchObject({
      stale: ['imported-long-ago', 'never-seen'],
      notStale: ['extended', 'fresh', 'imported-unseen'],
      reboot: ['fresh'],
      eol: ['fresh'],
      kev: ['fresh'],
      kevAndReboot: ['fresh'],
    });
    expect(counts.notEol).toBe(counts.total - 1);
    // The new sort keys.
    await editHost(db, ess.id, { criticality: 'tier0' });
    const byCriticality = await listHosts(db, { limit: 1, offset: 0, sort: 'criticality' });
    expect(byCriticality.items[0]?.hostname).toBe('extended');
    await db.query('UPDATE host SET package_count = 900 WHERE id = $1', [old.id]);
    const byPackages = await listHosts(db, { limit: 1, offset: 0, sort: 'packages', order: 'desc' });
    expect(byPackages.items[0]?.hostname).toBe('imported-long-ago');
  });

  it('adds and removes tags on many hosts, all or nothing', async () => {
    const mk = (name: string, tags: string[]) => newHost(name, { tags });
    const a = await mk('tag-a', ['web', 'old']);
    const b = await mk('tag-b', ['db']);
    const c = await mk('tag-c', ['pci', 'web']);
    const missing = await retagHosts(db, [a.id, 999_998, b.id, 999_997], { add: ['x'], remove: [] });
    expect(missing).toEqual({ missing: [999_997, 999_998], changed: [] });
    expect((await getHost(db, a.id))?.tags).toEqual(['old', 'web']);

    const r = await retagHosts(db, [a.id, b.id, c.id], { add: ['pci', 'Zone:1'], remove: ['old'] });
    expect(r.missing).toEqual([]);
    expect(r.changed).toEqual([
      { id: a.id, before: ['old', 'web'], after: ['Zone:1', 'pci', 'web'] },
      { id: b.id, before: ['db'], after: ['Zone:1', 'db', 'pci'] },
      { id: c.id, before: ['pci', 'web'], after: ['Zone:1', 'pci', 'web'] },
    ]);
    for (const x of r.changed) expect((await getHost(db, x.id))?.tags).toEqual(x.after);
    // Already so: nothing changes.
    expect((await retagHosts(db, [a.id, c.id], { add: ['web'], remove: ['old'] })).changed).toEqual([]);
  });

  it('gives each advisory its highest priority, earliest due time and highest risk; filters and sorts', async () => {
    const h1 = await newHost('v1');
    const h2 = await newHost('v2');
    const seen = t('2026-11-01T00:00:00Z');
    const v = (
      advisory: string,
      pkg: string,
      priority: string,
      risk: number,
      due: string,
      aliases: string[] = [],
    ) => ({
      advisory,
      pkg,
      firstSeen: seen,
      priority,
      risk,
      dueAt: t(due),
      aliases,
    });
    await addFinding(db, h1.id, v('USN-100-1', 'p1', 'P3', 30, '2027-01-01T00:00:00Z', ['CVE-2026-11111']));
    await addFinding(db, h2.id, v('USN-100-1', 'p1', 'P2', 45.5, '2026-12-01T00:00:00Z', ['CVE-2026-11111']));
    await addFinding(db, h1.id, v('USN-200-1', 'p2', 'P1', 80, '2026-11-08T00:00:00Z', ['CVE-2026-22222']));
    await addFinding(db, h1.id, v('USN-300%1', 'p3', 'P4', 5, '2027-05-01T00:00:00Z'));
    const list = (f: Partial<Parameters<typeof listVulnerabilities>[1]> = {}) =>
      listVulnerabilities(db, { limit: 100, offset: 0, now: NOW, ...f });
    const usn = (r: Awaited<ReturnType<typeof list>>) =>
      r.items.filter((x) => x.advisoryId.startsWith('USN-')).map((x) => x.advisoryId);

    const all = await list();
    expect(all.items.find((x) => x.advisoryId === 'USN-100-1')).toMatchObject({
      hosts: 2,
      priority: 'P2',
      dueAt: t('2026-12-01T00:00:00Z'),
      riskScore: 45.5,
    });
    expect(all.items.find((x) => x.advisoryId === 'DSA-3')).toBeUndefined(); // resolved
    expect(all.items.find((x) => x.advisoryId === 'DSA-7')).toMatchObject({
      priority: null,
      riskScore: null,
    });
    // Riskiest first by default; then most hosts; earliest due.
    expect(usn(all)).toEqual(['USN-200-1', 'USN-100-1', 'USN-300%1']);
    expect(all.items[0]?.advisoryId).toBe('USN-200-1');
    const byHosts = await list({ sort: 'hosts' });
    expect(byHosts.items[0]?.advisoryId).toBe('USN-100-1');
    const byDue = await list({ sort: 'due' });
    expect(byDue.items.map((x) => x.dueAt?.getTime() ?? Infinity)).toEqual(
      byDue.items.map((x) => x.dueAt?.getTime() ?? Infinity).sort((x, y) => x - y),
    );

    const q = async (text: string) => usn(await list({ q: text }));
    expect(await q('cve-2026-111')).toEqual(['USN-100-1']);
    expect(await q('usn-2')).toEqual(['USN-200-1']);
    expect(await q('%')).toEqual(['USN-300%1']);
    expect(await q('USN-_00')).toEqual([]);
    expect((await list({ q: 'CVE-2026-22222' })).total).toBe(1);

    // priority and sla choose advisories by their figures (the highest priority, the earliest due).
    const p2 = await list({ priority: 'P2' });
    expect([usn(p2), p2.total]).toEqual([['USN-100-1'], p2.items.length]);
    expect(p2.items.every((x) => x.priority === 'P2')).toBe(true);
    const breached = await list({ sla: 'breached' });
    expect(usn(breached)).toEqual(['USN-200-1']);
    expect(breached.items.every((x) => x.dueAt !== null && x.dueAt < NOW)).toBe(true);
    expect(breached.total).toBe(breached.items.length);
    // The list of advisories is not reduced by exceptions (DSA-8 is excepted).
    expect(breached.items.map((x) => x.advisoryId).sort()).toEqual([
      'DSA-1',
      'DSA-6',
      'DSA-8',
      'DSA-9',
      'USN-200-1',
    ]);
    const paged = await list({ limit: 2, offset: 2 });
    expect([paged.total, paged.items.map((x) => x.advisoryId)]).toEqual([
      all.total,
      all.items.slice(2, 4).map((x) => x.advisoryId),
    ]);
  });
});
