/**
 * Finding facts and links (migration 0017): identical findings are stored
 * once, a sync that changes nothing writes nothing, and a change rewrites
 * only the links it concerns.
 */
import type { Finding } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/backends.js';
import { testFinding } from '../../test/findings.js';
import type { Db, Queryable } from '../db.js';
import { FACT_HASH, factHash, jsonbText, riskHash } from './finding-facts.js';
import { listFindings } from './finding-queries.js';
import { syncHostFindings, type SlaDue, type StoredFinding } from './findings.js';
import { insertHost } from './hosts.js';

const T0 = new Date('2026-11-01T10:00:00Z');
const DAY = 86_400_000;

const finding = (advisory: string, pkg: string, installed: string) =>
  testFinding(advisory, pkg, installed, { aliases: [`CVE-2026-${advisory.slice(4)}`] });

const stored = (f: Finding, score = 50, priority = 'P3'): StoredFinding => ({
  finding: f,
  json: { ...f } as Record<string, unknown>,
  risk: {
    score,
    priority,
    detail: { factors: [{ name: 'severity', points: score }], explanation: `Risk ${score}` },
  },
});

/** 30 days from first seen (the real SLA rule is core's; any function of first seen will do here). */
const due = (_f: StoredFinding, firstSeen: Date): SlaDue => ({
  dueAt: new Date(firstSeen.getTime() + 30 * DAY),
  basis: 'priority P3: 30 days',
});

/** A host's findings: 40 advisories over 8 packages. */
const findingsOf = (version = '1') =>
  Array.from({ length: 40 }, (_, i) => stored(finding(`DSA-${1000 + i}`, `pkg${i % 8}`, version)));

async function counts(db: Queryable) {
  const r = await db.query<{ facts: number; keys: number; risks: number; links: number }>(
    `SELECT (SELECT count(*)::int FROM finding_fact) AS facts, (SELECT count(*)::int FROM finding_key) AS keys,
       (SELECT count(*)::int FROM risk_detail) AS risks, (SELECT count(*)::int FROM host_finding) AS links`,
  );
  return r.rows[0];
}

describe.each(BACKENDS)('finding facts on $name', (backend) => {
  let db: Db;
  let done: () => Promise<void>;
  const hosts: number[] = [];
  beforeAll(async () => {
    ({ db, done } = await backend.open());
    for (let i = 0; i < 50; i++) {
      const h = await insertHost(db, {
        machineId: `machine-facts-${String(i).padStart(4, '0')}`,
        hostname: `h${String(i).padStart(2, '0')}`,
        transport: 'agent',
        tags: [],
        now: T0,
      });
      hosts.push(h.id);
    }
  });
  afterAll(() => done());

  it('stores the same findings of 50 hosts once, and links each host to them', async () => {
    for (const [i, id] of hosts.entries()) {
      const r = await syncHostFindings(db, id, findingsOf(), T0, due);
      expect(r).toMatchObject({ opened: 40, resolved: 0, open: 40, updated: 0 });
      expect(r.factsAdded).toBe(i === 0 ? 40 : 0);
      expect(r.risksAdded).toBe(i === 0 ? 1 : 0);
    }
    expect(await counts(db)).toEqual({ facts: 40, keys: 40, risks: 1, links: 2000 });
    const list = await listFindings(db, { now: T0, hostId: hosts[7] as number, limit: 100, offset: 0 });
    expect(list.total).toBe(40);
    expect(list.items[0]).toMatchObject({
      hostname: 'h07',
      firstSeen: T0,
      riskScore: 50,
      priority: 'P3',
      risk: { explanation: 'Risk 50' },
      dueAt: new Date(T0.getTime() + 30 * DAY),
      slaBasis: 'priority P3: 30 days',
    });
    expect(list.items.map((f) => f.data.advisory)).toContainEqual(
      expect.objectContaining({ id: 'DSA-1000' }),
    );
  });

  it('writes nothing when an assessment changes nothing', async () => {
    const id = hosts[3] as number;
    const before = await db.query<{ id: number; x: string }>(
      'SELECT id, xmin::text AS x FROM host_finding WHERE host_id = $1 ORDER BY id',
      [id],
    );
    const { r, xid } = await db.transaction(async (tx) => {
      const r = await syncHostFindings(tx, id, findingsOf(), new Date(T0.getTime() + DAY), due);
      // A transaction is given an id only when it writes (a row, a sequence value): none here.
      const x = await tx.query<{ xid: string | null }>('SELECT txid_current_if_assigned()::text AS xid');
      return { r, xid: x.rows[0]?.xid };
    });
    expect(r).toEqual({
      opened: 0,
      resolved: 0,
      open: 40,
      updated: 0,
      factsAdded: 0,
      risksAdded: 0,
      findingClass: expect.stringMatching(/^[\w-]{27}$/),
      openCounts: expect.objectContaining({ total: 40 }),
    });
    expect(xid).toBeNull();
    const after = await db.query<{ id: number; x: string }>(
      'SELECT id, xmin::text AS x FROM host_finding WHERE host_id = $1 ORDER BY id',
      [id],
    );
    expect(after.rows).toEqual(before.rows);
  });

  it('rewrites only the links whose fact or risk changed, keeping first seen', async () => {
    const id = hosts[4] as number;
    const t1 = new Date(T0.getTime() + 2 * DAY);
    const next = findingsOf();
    // pkg0 upgraded, still affected (5 advisories): new facts, same keys. One risk re-scored.
    for (let i = 0; i < 40; i += 8) next[i] = stored(finding(`DSA-${1000 + i}`, 'pkg0', '2'));
    next[1] = stored(finding('DSA-1001', 'pkg1', '1'), 80, 'P1');
    const r = await syncHostFindings(db, id, next, t1, due);
    expect(r).toEqual({
      opened: 0,
      resolved: 0,
      open: 40,
      updated: 6,
      factsAdded: 5,
      risksAdded: 1,
      findingClass: expect.stringMatching(/^[\w-]{27}$/),
      openCounts: expect.objectContaining({ total: 40 }),
    });
    const open = await db.query<{ n: number; first: Date }>(
      `SELECT count(*)::int AS n, min(first_seen) AS first FROM finding
       WHERE host_id = $1 AND resolved_at IS NULL AND installed_version = '2'`,
      [id],
    );
    expect(open.rows[0]).toEqual({ n: 5, first: T0 });
    // The other hosts still link to the old facts.
    const other = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM finding WHERE host_id = $1 AND installed_version = '2'`,
      [hosts[5]],
    );
    expect(other.rows[0]?.n).toBe(0);
    // A fix resolves; its return reopens as a new link (first seen then).
    const fixed = next.filter((f) => f.finding.advisory.id !== 'DSA-1039');
    expect(await syncHostFindings(db, id, fixed, t1, due)).toMatchObject({ resolved: 1, updated: 0 });
    const t2 = new Date(T0.getTime() + 3 * DAY);
    expect(await syncHostFindings(db, id, next, t2, due)).toMatchObject({ opened: 1, factsAdded: 0 });
    const history = await db.query<{ first_seen: Date; resolved_at: Date | null }>(
      `SELECT first_seen, resolved_at FROM finding WHERE host_id = $1 AND advisory_id = 'DSA-1039' ORDER BY id`,
      [id],
    );
    expect(history.rows).toEqual([
      { first_seen: T0, resolved_at: t1 },
      { first_seen: t2, resolved_at: null },
    ]);
  });

  it('finds facts through the view by advisory, alias and package, as the old table did', async () => {
    const byAlias = await listFindings(db, { now: T0, advisory: 'CVE-2026-1002', limit: 100, offset: 0 });
    expect(byAlias.total).toBe(50);
    const byPackage = await listFindings(db, { now: T0, package: 'pkg2', limit: 1, offset: 0 });
    expect(byPackage.total).toBe(250);
  });

  it('lets hosts assessed at once add the same new facts without a conflict or deadlock', async () => {
    // On PostgreSQL the transactions overlap (a pool); PGlite runs them one after another.
    const fresh = (reverse: boolean) => {
      const list = Array.from({ length: 30 }, (_, i) =>
        stored(finding(`DSA-${2000 + i}`, `new${i % 5}`, '1')),
      );
      return reverse ? list.reverse() : list;
    };
    const results = await Promise.all(
      hosts
        .slice(10, 16)
        .map((id, i) =>
          db.transaction((tx) => syncHostFindings(tx, id, [...findingsOf(), ...fresh(i % 2 === 1)], T0, due)),
        ),
    );
    expect(results.reduce((n, r) => n + r.factsAdded, 0)).toBe(30);
    expect(results.map((r) => r.opened)).toEqual([30, 30, 30, 30, 30, 30]);
    const shared = await db.query<{ facts: number; links: number }>(
      `SELECT count(DISTINCT fact_id)::int AS facts, count(*)::int AS links FROM host_finding l
       JOIN finding_fact ff ON ff.id = l.fact_id WHERE ff.advisory_id >= 'DSA-2000' AND l.resolved_at IS NULL`,
    );
    expect(shared.rows[0]).toEqual({ facts: 30, links: 180 });
  });

  it('hashes facts in JS exactly as PostgreSQL prints their jsonb (so migrated facts are found)', async () => {
    const tricky = {
      zz: [0, -1, 7.5, 0.12345, 1e-7, -1.5e-7, 123456789012, 1e21, 2.5e25, 0.1 + 0.2, -0, 1 / 3],
      a: 'quote " backslash \\ tab \t newline \n bell \u0007 del \u007f é 漢字 😀 \u2028',
      é: { bb: true, a: false, ccc: null, '': 'empty key', aa: [[], {}] },
      skipped: undefined,
      when: new Date('2026-11-01T10:00:00Z'),
    };
    const live = await db.query<{ t: string }>('SELECT $1::jsonb::text AS t', [JSON.stringify(tricky)]);
    expect(jsonbText(tricky)).toBe(live.rows[0]?.t);
    const content = {
      advisoryId: 'DSA-1',
      package: 'openssl',
      arch: 'amd64',
      installedVersion: '3.0.1',
      fixedVersion: null,
      status: 'unfixed',
      severity: null,
      kev: true,
      data: tricky,
      risk: { explanation: 'x', factors: [{ points: 1.5e-7 }] },
    };
    /** PostgreSQL's hash of a fact's columns (FACT_HASH) and of its risk's jsonb. */
    const inSql = async (c: typeof content, data: unknown) =>
      (
        await db.query<{ fact: string; risk: string }>(
          `SELECT ${FACT_HASH(['$1::text', '$2::text', '$3::text', '$4::text', '$5::text', '$6::text', '$7::text', '$8::boolean', '$9::jsonb'])} AS fact,
             md5($10::jsonb::text) AS risk`,
          [
            c.advisoryId,
            c.package,
            c.arch,
            c.installedVersion,
            c.fixedVersion,
            c.status,
            c.severity,
            c.kev,
            JSON.stringify(data),
            JSON.stringify(c.risk),
          ],
        )
      ).rows[0];
    const sql = await inSql(content, content.data);
    expect({ fact: factHash(content), risk: riskHash(content.risk) }).toEqual(sql);
    // Computed again (from the memo), as JSON text, and after a change deep inside: each still the
    // hash of its own content.
    expect(factHash(content)).toBe(sql?.fact);
    expect(factHash({ ...content, data: JSON.stringify(content.data) })).toBe(sql?.fact);
    expect(riskHash(JSON.stringify(content.risk))).toBe(sql?.risk);
    const changed = { ...(JSON.parse(JSON.stringify(content.data)) as Record<string, unknown>), zz: 1 };
    const other = await inSql(content, changed);
    expect(factHash({ ...content, data: changed })).toBe(other?.fact);
    expect(other?.fact).not.toBe(sql?.fact);
  });
});
