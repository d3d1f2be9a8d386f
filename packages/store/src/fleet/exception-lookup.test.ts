/**
 * Which findings are under an exception, looked up from the exceptions' side
 * (exceptedFindingIds), must be exactly those the per-finding test
 * (exceptionMatch) covers: every scope (advisory id, CVE alias, package,
 * host, group, combinations), open and resolved findings, exceptions not in
 * force. And the lists that use it: totals past the last page, the
 * vulnerability search's quick text test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/backends.js';
import type { Db } from '../db.js';
import {
  decideException,
  exceptedFindingIds,
  exceptionMatch,
  insertException,
  type ExceptionStatus,
} from './exceptions.js';
import { insertFindingRows } from './finding-facts.js';
import { complianceSummary } from './finding-metrics.js';
import { countFindings, listFindings } from './finding-queries.js';
import { listVulnerabilities } from './vulnerability-queries.js';
import { editHost, insertHost } from './hosts.js';

const NOW = new Date('2026-11-10T15:00:00Z');
const DAY = 86_400_000;

describe.each(BACKENDS)('findings under an exception on $name', (backend) => {
  let db: Db;
  let done: () => Promise<void>;
  const hosts: number[] = [];
  beforeAll(async () => {
    ({ db, done } = await backend.open());
    for (let i = 0; i < 4; i++) {
      const h = await insertHost(db, {
        machineId: `machine-x${i}-0001`,
        hostname: `x${i}`,
        transport: 'agent',
        tags: [],
        now: NOW,
      });
      await editHost(db, h.id, { groups: i % 2 === 0 ? ['even'] : ['odd', `g${i}`] });
      hosts.push(h.id);
    }
    // Every host: 4 advisories × 3 packages, the last package's findings resolved; aliases per advisory.
    const aliases: Record<string, string[]> = {
      'DSA-1': ['CVE-2026-0001'],
      'DSA-2': ['CVE-2026-0002', 'CVE-2026-0009'],
      'USN-3': ['CVE-2026-0009', 'CVE-"q"'],
      'ALSA-4': [],
    };
    for (const hostId of hosts) {
      for (const [advisory, a] of Object.entries(aliases)) {
        for (const pkg of ['openssl', 'curl', 'zlib']) {
          const data = {
            package: pkg,
            arch: 'amd64',
            sourcePackage: pkg,
            installedVersion: '1',
            fixedVersion: '2',
            status: 'fixable',
            advisory: {
              id: advisory,
              aliases: a,
              source: 'x',
              url: null,
              modified: null,
              classification: 'security',
            },
            release: 'bookworm',
            severity: 'high',
            cvss: null,
            kev: null,
            epss: null,
            explanation: 'x',
          };
          await insertFindingRows(db, [
            {
              hostId,
              advisoryId: advisory,
              package: pkg,
              arch: 'amd64',
              installedVersion: '1',
              fixedVersion: '2',
              status: 'fixable',
              severity: 'high',
              kev: false,
              data: JSON.stringify(data),
              risk: null,
              firstSeen: new Date(NOW.getTime() - 20 * DAY),
              resolvedAt: pkg === 'zlib' ? new Date(NOW.getTime() - DAY) : null,
            },
          ]);
        }
      }
    }
    const scopes: {
      advisoryId?: string;
      package?: string;
      host?: number;
      group?: string;
      status?: ExceptionStatus;
      expiresAt?: Date;
    }[] = [
      { advisoryId: 'DSA-1' },
      { advisoryId: 'CVE-2026-0009', package: 'curl' }, // an alias of two advisories
      { advisoryId: 'CVE-2026-0002', host: 2 }, // alias and host
      { package: 'zlib', group: 'odd' }, // resolved findings only
      { host: 3 },
      { group: 'g3', package: 'openssl' },
      { group: 'even', advisoryId: 'ALSA-4' },
      { package: 'openssl', host: 1, advisoryId: 'USN-3' },
      // Not in force: expired (by time), requested, revoked.
      { advisoryId: 'ALSA-4', expiresAt: new Date(NOW.getTime() - 1000) },
      { package: 'curl', status: 'requested' },
      { group: 'odd', status: 'revoked' },
    ];
    for (const s of scopes) {
      const e = await insertException(db, {
        kind: 'accepted-risk',
        advisoryId: s.advisoryId ?? null,
        package: s.package ?? null,
        hostId: s.host === undefined ? null : (hosts[s.host] as number),
        group: s.group ?? null,
        justification: 'test',
        requestedBy: 'a',
        expiresAt: s.expiresAt ?? new Date(NOW.getTime() + 30 * DAY),
        now: new Date(NOW.getTime() - 2 * DAY),
      });
      const status = s.status ?? 'approved';
      if (status !== 'requested') await decideException(db, e.id, { status, by: 'b', note: null, now: NOW });
    }
  });
  afterAll(() => done());

  /** The findings the per-finding test covers, among those satisfying `where`. */
  const byFinding = async (where: string) =>
    (
      await db.query<{ id: number }>(
        `SELECT f.id FROM finding f JOIN host h ON h.id = f.host_id
         WHERE ${where} AND EXISTS (SELECT 1 FROM risk_exception e WHERE ${exceptionMatch('$1::timestamptz')})
         ORDER BY f.id`,
        [NOW],
      )
    ).rows.map((r) => Number(r.id));
  const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

  it('finds exactly the findings the per-finding test covers, open and resolved', async () => {
    for (const where of ['true', 'f.resolved_at IS NULL', 'f.resolved_at IS NOT NULL']) {
      const expected = await byFinding(where);
      expect(expected.length).toBeGreaterThan(0);
      expect([where, sorted(await exceptedFindingIds(db, NOW, where))]).toEqual([where, expected]);
    }
    // Nothing is in force once they have all expired.
    expect(await exceptedFindingIds(db, new Date(NOW.getTime() + 365 * DAY), 'true')).toEqual([]);
  });

  it('lists and counts findings under an exception or not, as the per-finding test decides', async () => {
    const open = await byFinding('f.resolved_at IS NULL');
    const resolved = await byFinding('f.resolved_at IS NOT NULL');
    const ids = async (f: Parameters<typeof listFindings>[1]) =>
      sorted((await listFindings(db, f)).items.map((x) => x.id));
    const base = { limit: 1000, offset: 0, now: NOW };
    expect(await ids({ ...base, excepted: true })).toEqual(open);
    expect(await ids({ ...base, status: 'resolved', excepted: true })).toEqual(resolved);
    const counts = await countFindings(db, NOW, {
      openIn: { excepted: false },
      openEx: { excepted: true },
      resolvedEx: { status: 'resolved', excepted: true },
      resolvedIn: { status: 'resolved', excepted: false },
    });
    expect(counts).toEqual({
      openIn: 32 - open.length,
      openEx: open.length,
      resolvedEx: resolved.length,
      resolvedIn: 16 - resolved.length,
    });
    const c = await complianceSummary(db, NOW, 3);
    expect([c.open, c.excepted, c.inScope]).toEqual([32, open.length, 32 - open.length]);
    // Each listed finding names its exception exactly when it is under one.
    const all = (await listFindings(db, base)).items;
    expect(sorted(all.filter((x) => x.exception !== null).map((x) => x.id))).toEqual(open);
  });

  it('walks a list by keyset, each page after the last row of the one before, in the list order', async () => {
    for (const sort of ['risk', 'host'] as const) {
      for (const where of [{}, { status: 'resolved' }, { excepted: false }, { kev: true }]) {
        const whole = await listFindings(db, { ...where, sort, limit: 1000, offset: 0, now: NOW });
        const walked: number[] = [];
        let after: Parameters<typeof listFindings>[1]['after'] = undefined;
        for (let pages = 0; pages < 100; pages++) {
          const r = await listFindings(db, {
            ...where,
            sort,
            limit: 3,
            offset: 0,
            after,
            count: false,
            now: NOW,
          });
          expect(r.total).toBe(0);
          walked.push(...r.items.map((x) => x.id));
          if (r.next === null) break;
          after = r.next;
        }
        expect([sort, where, walked]).toEqual([sort, where, whole.items.map((x) => x.id)]);
      }
    }
  });

  it('gives the total past the last page', async () => {
    const all = await listFindings(db, { limit: 5, offset: 0, now: NOW, excepted: false });
    const past = await listFindings(db, { limit: 5, offset: 500, now: NOW, excepted: false });
    expect([past.items, past.total]).toEqual([[], all.total]);
    const v = await listVulnerabilities(db, { limit: 2, offset: 0, now: NOW });
    const vPast = await listVulnerabilities(db, { limit: 2, offset: 10, now: NOW });
    expect([v.total, vPast.items, vPast.total]).toEqual([4, [], 4]);
  });

  it('searches aliases exactly, whatever characters the text has', async () => {
    const q = async (text: string) =>
      (await listVulnerabilities(db, { limit: 10, offset: 0, now: NOW, q: text })).items
        .map((x) => x.advisoryId)
        .sort();
    expect(await q('cve-2026-0009')).toEqual(['DSA-2', 'USN-3']);
    expect(await q('"Q"')).toEqual(['USN-3']); // a quote: JSON escapes it
    expect(await q('"')).toEqual(['USN-3']);
    expect(await q('", "')).toEqual([]); // only in the aliases' JSON text, in no alias
    expect(await q('0009", "CVE')).toEqual([]);
    expect(await q('\\')).toEqual([]);
    expect(await q('[')).toEqual([]); // in the JSON text of every alias list, in no alias
  });
});
