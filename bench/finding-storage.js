// Finding storage before and after store migration 0017 (facts stored once, narrow links per host), on
// PostgreSQL: `node bench/finding-storage.js [--hosts 2000]`. Seeds a store at schema 0016 with the
// console-lists fleet, every host with its base's whole pool of findings open (~178 a host on average, as
// fleet.js's 8.6 M over 50,000), written with the old table's SQL; measures the table; emulates the old
// write path's refresh of unchanged findings (WAL); migrates; measures the new tables; EXPLAINs the finding
// readers through the view; measures the new write path (unchanged and one-package-upgraded assessments).
// Prints JSON; docs/scale.md ("Built") keeps the figures.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SLA, slaDue } from '@patchloop/core';
import {
  countFindings,
  listFindings,
  listVulnerabilities,
  loadMigrations,
  migrate,
  openPostgres,
  syncHostFindings,
} from '@patchloop/store';
import { startPgCluster } from '@patchloop/test-support/pg';
import { consoleFleet, loadFindingPools, seedConsoleFleet } from './console-lists-data.js';
import { benchFixtures } from './standalone.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const HOSTS = arg('hosts', 2000);
const SAMPLE = Math.min(200, HOSTS);
const log = (s) => console.error(`[finding-storage] ${s}`);

/** The finding table's INSERT before 0017 (what console-lists-data.js seeded with). */
const OLD_INSERT = `INSERT INTO finding (host_id, advisory_id, package, arch, installed_version, fixed_version,
    status, severity, kev, data, risk_score, priority, risk, due_at, sla_basis, first_seen, last_seen, resolved_at)
  SELECT h, a, p, ar, iv, fv, st, sv, k, d::jsonb, rs, pr, rk::jsonb, du, sb, fs, coalesce(ra, $16), ra
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
    $9::boolean[], $10::text[], $11::real[], $12::text[], $13::text[], $14::timestamptz[], $15::text[],
    $17::timestamptz[], $18::timestamptz[])
    AS t(h, a, p, ar, iv, fv, st, sv, k, d, rs, pr, rk, du, sb, fs, ra)`;

function oldWriter(now) {
  return (db, rows) =>
    db.query(OLD_INSERT, [
      ...[
        'hostId',
        'advisoryId',
        'package',
        'arch',
        'installedVersion',
        'fixedVersion',
        'status',
        'severity',
        'kev',
        'data',
        'riskScore',
        'priority',
        'risk',
        'dueAt',
        'slaBasis',
      ].map((k) => rows.map((r) => r[k] ?? null)),
      now,
      rows.map((r) => r.firstSeen),
      rows.map((r) => r.resolvedAt ?? null),
    ]);
}

async function sizes(db, tables) {
  const out = {};
  for (const t of tables) {
    const r = await db.query(
      `SELECT pg_total_relation_size($1::regclass)::bigint AS total, pg_relation_size($1::regclass)::bigint AS heap,
         pg_indexes_size($1::regclass)::bigint AS indexes, (SELECT count(*) FROM ${t})::bigint AS rows`,
      [t],
    );
    const x = r.rows[0];
    out[t] = {
      rows: Number(x.rows),
      total: Number(x.total),
      heap: Number(x.heap),
      indexes: Number(x.indexes),
    };
    out[t].toast = out[t].total - out[t].heap - out[t].indexes;
  }
  return out;
}

const lsn = async (db) => (await db.query('SELECT pg_current_wal_lsn()::text AS l')).rows[0].l;
const walSince = async (db, from) =>
  Number(
    (await db.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint AS b', [from])).rows[0]
      .b,
  );

/** A Queryable that runs every SELECT it is given also under EXPLAIN ANALYZE, keeping the plans. */
function explaining(db, plans, label) {
  return {
    async query(sql, params) {
      if (/^\s*(SELECT|WITH)/i.test(sql)) {
        const p = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
        plans.push({ label, sql, plan: p.rows.map((r) => r['QUERY PLAN']).join('\n') });
      }
      return db.query(sql, params);
    },
    exec: (sql) => db.exec(sql),
  };
}

const cluster = await startPgCluster();
try {
  const db = await openPostgres(cluster.url);
  await migrate(
    db,
    loadMigrations().filter((m) => m.version <= 16),
  );
  const now = new Date();
  const pools = await loadFindingPools(benchFixtures, now);
  const fleet = consoleFleet(pools, { hosts: HOSTS, now });
  // Every host has its base's whole pool open (no resolved history): the fleet bench's findings per host.
  for (const h of fleet.hosts) h.lag = 1;
  const t0 = performance.now();
  const seeded = await seedConsoleFleet(db, fleet, { now, log, writeFindings: oldWriter(now) });
  log(
    `seeded ${seeded.open} open findings on ${seeded.hosts} hosts in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const before = await sizes(db, ['finding']);
  const columnBytes = (
    await db.query(
      `SELECT avg(pg_column_size(data))::int AS data, avg(pg_column_size(risk))::int AS risk,
         avg(pg_column_size(advisory_id) + pg_column_size(package) + pg_column_size(arch))::int AS identity
       FROM finding`,
    )
  ).rows[0];
  // The old write path refreshed every still-open row on each assessment (data, risk, last_seen).
  const sample = fleet.hosts.slice(0, SAMPLE).map((h) => h.id);
  let mark = await lsn(db);
  let t = performance.now();
  const oldRefresh = await db.query(
    `UPDATE finding SET data = data, risk = risk, last_seen = $2 WHERE host_id = ANY($1::bigint[]) AND resolved_at IS NULL`,
    [sample, new Date()],
  );
  const oldUnchanged = {
    rows: oldRefresh.affectedRows,
    wal: await walSince(db, mark),
    ms: performance.now() - t,
  };
  await db.exec('VACUUM FULL finding');
  await db.exec('ANALYZE');

  t = performance.now();
  await migrate(db);
  const migrateSeconds = (performance.now() - t) / 1000;
  await db.exec('VACUUM ANALYZE');
  const after = await sizes(db, ['host_finding', 'finding_fact', 'risk_detail', 'finding_key']);

  // Readers through the view.
  const plans = [];
  const popular = seeded.popular[0][0];
  const aliasOf = (
    await db.query(
      `SELECT data->'advisory'->'aliases'->>0 AS a FROM finding_fact WHERE advisory_id = $1 LIMIT 1`,
      [popular],
    )
  ).rows[0]?.a;
  const page = { now, limit: 50, offset: 0 };
  const readers = [
    ['findings, by risk', (q) => listFindings(q, page)],
    ['findings, by host', (q) => listFindings(q, { ...page, sort: 'host' })],
    ['findings of one host', (q) => listFindings(q, { ...page, hostId: seeded.maxHostId })],
    ['findings of an advisory (alias)', (q) => listFindings(q, { ...page, advisory: aliasOf ?? popular })],
    ['findings of a package', (q) => listFindings(q, { ...page, package: 'openssl' })],
    ['findings, KEV, not excepted', (q) => listFindings(q, { ...page, kev: true, excepted: false })],
    ['findings, breached', (q) => listFindings(q, { ...page, sla: 'breached' })],
    ['vulnerabilities', (q) => listVulnerabilities(q, page)],
    [
      'dashboard counts',
      (q) =>
        countFindings(q, now, {
          open: {},
          kev: { kev: true },
          breached: { sla: 'breached' },
          p1: { priority: 'P1' },
        }),
    ],
  ];
  const readerTimes = {};
  for (const [label, run] of readers) {
    await run(db); // warm
    t = performance.now();
    await run(db);
    readerTimes[label] = Math.round(performance.now() - t);
    await run(explaining(db, plans, label));
  }
  const planFile = join(tmpdir(), 'finding-storage-plans.txt');
  writeFileSync(planFile, plans.map((p) => `### ${p.label}\n${p.sql}\n\n${p.plan}\n`).join('\n'));

  // The new write path on the same sample: unchanged, then one package upgraded on every host.
  const storedOf = (h, upgrade) => {
    const { open } = fleet.findingsOf(h);
    const pkg = open[0]?.f.package;
    return open.map((r) => {
      const f =
        upgrade && r.f.package === pkg ? { ...r.f, installedVersion: `${r.f.installedVersion}+up1` } : r.f;
      const json = JSON.parse(r.json);
      if (f !== r.f) json.installedVersion = f.installedVersion;
      return {
        finding: f,
        json,
        risk: { score: r.risk.score, priority: r.risk.priority, detail: JSON.parse(r.risk.detail) },
      };
    });
  };
  const syncAll = async (upgrade) => {
    const m = await lsn(db);
    const t1 = performance.now();
    const sum = { opened: 0, resolved: 0, updated: 0, factsAdded: 0, risksAdded: 0 };
    for (const h of fleet.hosts.slice(0, SAMPLE)) {
      const r = await db.transaction((tx) =>
        syncHostFindings(tx, h.id, storedOf(h, upgrade), new Date(), (s, firstSeen) =>
          slaDue(s.risk.priority, firstSeen, s.finding.kev, DEFAULT_SLA),
        ),
      );
      for (const k of Object.keys(sum)) sum[k] += r[k];
    }
    return { ...sum, wal: await walSince(db, m), ms: Math.round(performance.now() - t1) };
  };
  const newUnchanged = await syncAll(false);
  const newUpgraded = await syncAll(true);

  const openRows = seeded.open;
  const perOpen = (s) => Math.round(Object.values(s).reduce((a, x) => a + x.total, 0) / openRows);
  const result = {
    hosts: seeded.hosts,
    openFindings: openRows,
    distinctFacts: after.finding_fact.rows,
    distinctRisk: after.risk_detail.rows,
    keys: after.finding_key.rows,
    before,
    columnBytes,
    after,
    bytesPerOpenFinding: { before: perOpen(before), after: perOpen(after) },
    migrateSeconds,
    writes: { sampleHosts: SAMPLE, oldUnchanged, newUnchanged, newUpgraded },
    readerMs: readerTimes,
    plans: planFile,
  };
  console.log(JSON.stringify(result, null, 1));
  await db.close();
} finally {
  await cluster.stop();
}
