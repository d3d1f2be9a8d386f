/**
 * Migration 0017 on a store the previous release wrote: findings written with
 * the old table's SQL move into facts and links keeping their ids, first
 * seen, resolved history, risk and SLA; the lists read the same; new ids go
 * on after the old ones; and an assessment that finds the same findings
 * again writes nothing (the migration and the write path hash facts alike).
 */
import type { Finding } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/backends.js';
import { testFinding } from '../../test/findings.js';
import type { Db } from '../db.js';
import { loadMigrations, migrate } from '../migrate.js';
import { countFindings, listFindings } from './finding-queries.js';
import { listVulnerabilities } from './vulnerability-queries.js';
import { syncHostFindings, type StoredFinding } from './findings.js';
import { insertHost } from './hosts.js';

const T0 = new Date('2026-10-01T08:00:00Z');
const NOW = new Date('2026-11-10T15:00:00Z');
const DAY = 86_400_000;

/** With CVSS and EPSS, as real findings have them (the fact's JSON then holds numbers). */
function finding(advisory: string, pkg: string, installed: string, kev = false) {
  const cve = `CVE-2026-${advisory.slice(4)}`;
  return testFinding(advisory, pkg, installed, {
    kev,
    aliases: [cve],
    cvss: { version: '3.1', score: 7.5, vector: 'CVSS:3.1/AV:N', cve },
    epss: { cve, score: 0.12345, percentile: 0.9 },
  });
}

const stored = (f: Finding, score: number | null): StoredFinding => ({
  finding: f,
  json: JSON.parse(JSON.stringify(f)) as Record<string, unknown>,
  risk:
    score === null
      ? undefined
      : {
          score,
          priority: score > 60 ? 'P2' : 'P3',
          detail: {
            factors: [{ name: 'severity', points: score, explanation: 'CVSS 3.1 7.5' }],
            explanation: `Risk ${score}`,
          },
        },
});
const due = (firstSeen: Date) => ({ dueAt: new Date(firstSeen.getTime() + 30 * DAY), basis: 'P3: 30 days' });

/** The previous release's writes (0002/0005 table, findings.ts before 0017), verbatim in effect. */
async function oldOpen(db: Db, hostId: number, list: readonly StoredFinding[], now: Date): Promise<void> {
  await db.query(
    `INSERT INTO finding (host_id, advisory_id, package, arch, installed_version, fixed_version, status, severity,
       kev, data, risk_score, priority, risk, due_at, sla_basis, first_seen, last_seen)
     SELECT $1, a, p, ar, iv, fv, st, sv, k, d::jsonb, rs, pr, rk::jsonb, du, sb, $16, $16
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
       $9::boolean[], $10::text[], $11::real[], $12::text[], $13::text[], $14::timestamptz[], $15::text[])
       AS t(a, p, ar, iv, fv, st, sv, k, d, rs, pr, rk, du, sb)`,
    [
      hostId,
      list.map((r) => r.finding.advisory.id),
      list.map((r) => r.finding.package),
      list.map((r) => r.finding.arch ?? ''),
      list.map((r) => r.finding.installedVersion),
      list.map((r) => r.finding.fixedVersion),
      list.map((r) => r.finding.status),
      list.map((r) => r.finding.severity),
      list.map((r) => r.finding.kev !== null),
      list.map((r) => JSON.stringify(r.json)),
      list.map((r) => r.risk?.score ?? null),
      list.map((r) => r.risk?.priority ?? null),
      list.map((r) => (r.risk ? JSON.stringify(r.risk.detail) : null)),
      list.map((r) => (r.risk ? due(now).dueAt : null)),
      list.map((r) => (r.risk ? due(now).basis : null)),
      now,
    ],
  );
}

const COLUMNS = `id, host_id, advisory_id, package, arch, installed_version, fixed_version, status, severity, kev, data,
  first_seen, resolved_at, risk_score, priority, risk, due_at, sla_basis`;

describe.each(BACKENDS)('finding migration 0017 on $name', (backend) => {
  let db: Db;
  let done: () => Promise<void>;
  const hosts: number[] = [];
  const host2: StoredFinding[] = [];
  beforeAll(async () => {
    ({ db, done } = await backend.openEmpty());
    await migrate(
      db,
      loadMigrations().filter((m) => m.version <= 16),
    );
    for (let i = 0; i < 3; i++) {
      const h = await insertHost(db, {
        machineId: `machine-mig-${i}-0001`,
        hostname: `m${i}`,
        transport: 'agent',
        tags: [],
        now: T0,
      });
      hosts.push(h.id);
    }
    const [h0, h1, h2] = hosts as [number, number, number];
    const base = (score: number | null) => [
      stored(finding('DSA-0001', 'openssl', '3.0.1', true), score),
      stored(finding('DSA-0002', 'openssl', '3.0.1'), score),
      stored(finding('DSA-0003', 'bash', '5.2'), score),
      stored(finding('DSA-0004', 'zlib', '1.2'), score === null ? null : score - 10),
    ];
    await oldOpen(db, h0, base(72), T0);
    await oldOpen(db, h1, base(45), T0);
    // Host 1 fixed DSA-0002 on day 3; it came back on day 5 (a new row).
    await db.query(
      `UPDATE finding SET resolved_at = $2 WHERE host_id = $1 AND advisory_id = 'DSA-0002' AND resolved_at IS NULL`,
      [h1, new Date(T0.getTime() + 3 * DAY)],
    );
    await oldOpen(
      db,
      h1,
      [stored(finding('DSA-0002', 'openssl', '3.0.2'), 45)],
      new Date(T0.getTime() + 5 * DAY),
    );
    // Host 2: another version of bash, and one finding never scored.
    host2.push(
      ...base(45).slice(0, 2),
      stored(finding('DSA-0003', 'bash', '5.1'), 45),
      stored(finding('DSA-0004', 'zlib', '1.2'), null),
    );
    await oldOpen(db, h2, host2, T0);
  });
  afterAll(() => done());

  it('keeps ids, first seen, history, risk, SLA and what the lists read', async () => {
    const read = async () => ({
      rows: (await db.query(`SELECT ${COLUMNS} FROM finding ORDER BY id`)).rows,
      // Totals by counting (countFindings): the hosts' open counts the lists sum came with 0021.
      open: await listFindings(db, { now: NOW, limit: 100, offset: 0, count: false }),
      byHost: await listFindings(db, { now: NOW, limit: 100, offset: 0, sort: 'host', count: false }),
      resolved: await listFindings(db, { now: NOW, limit: 100, offset: 0, status: 'resolved', count: false }),
      vulnerabilities: await listVulnerabilities(db, { now: NOW, limit: 100, offset: 0 }),
      counts: await countFindings(db, NOW, {
        all: {},
        kev: { kev: true },
        breached: { sla: 'breached' },
        openssl: { package: 'openssl' },
        p2: { priority: 'P2' },
        resolved: { status: 'resolved' },
      }),
    });
    const before = await read();
    expect(before.rows).toHaveLength(13);
    expect(before.counts.resolved).toBe(1);
    expect(await migrate(db)).toEqual(
      loadMigrations()
        .filter((m) => m.version > 16)
        .map((m) => m.version),
    );
    const after = await read();
    expect(after).toEqual(before);
    // By alias (read through the facts, which the old table did not have): the open list's findings of it.
    const alias = await listFindings(db, { now: NOW, limit: 100, offset: 0, advisory: 'CVE-2026-0003' });
    const named = (i: (typeof before.open.items)[number]) =>
      ((i.data.advisory as { aliases: string[] }).aliases ?? []).includes('CVE-2026-0003');
    expect(alias.items.length).toBeGreaterThan(0);
    expect(alias).toEqual({
      ...before.open,
      items: before.open.items.filter(named),
      total: alias.items.length,
    });
    // The totals summed from the hosts' open counts (filled by 0021 from the links) are the counted ones.
    for (const [filter, n] of [
      [{}, before.counts.all],
      [{ kev: true }, before.counts.kev],
      [{ priority: 'P2' }, before.counts.p2],
    ] as const) {
      expect((await listFindings(db, { now: NOW, limit: 1, offset: 0, ...filter })).total).toBe(n);
    }
    const stats = await db.query<{ facts: number; keys: number; risks: number; links: number }>(
      `SELECT (SELECT count(*)::int FROM finding_fact) AS facts, (SELECT count(*)::int FROM finding_key) AS keys,
         (SELECT count(*)::int FROM risk_detail) AS risks, (SELECT count(*)::int FROM host_finding) AS links`,
    );
    // 4 base facts + openssl 3.0.2 + bash 5.1; risk details: 72, 62, 45, 35.
    expect(stats.rows[0]).toEqual({ facts: 6, keys: 4, risks: 4, links: 13 });
  });

  it('goes on with the old ids, and an unchanged assessment writes nothing', async () => {
    const h2 = hosts[2] as number;
    const same = await syncHostFindings(db, h2, host2, NOW, (f, firstSeen) =>
      f.risk ? due(firstSeen) : null,
    );
    expect(same).toMatchObject({ opened: 0, resolved: 0, open: 4, updated: 0, factsAdded: 0, risksAdded: 0 });
    const max = await db.query<{ id: number }>('SELECT max(id)::int AS id FROM finding');
    await syncHostFindings(db, h2, [...host2, stored(finding('DSA-0005', 'curl', '8.0'), 45)], NOW);
    const fresh = await db.query<{ id: number; first_seen: Date }>(
      `SELECT id::int, first_seen FROM finding WHERE advisory_id = 'DSA-0005'`,
    );
    expect(fresh.rows).toEqual([{ id: (max.rows[0]?.id ?? 0) + 1, first_seen: NOW }]);
  });
});
