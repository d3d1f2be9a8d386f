// The fleet of the console-lists benchmark (console-lists.js), written
// straight into a store with bulk SQL: hosts with varied OS, tags,
// criticality, last check-in, reboot and end-of-life state; their open and
// resolved findings; risk exceptions.
//
// The findings are real: each base inventory of the fleet benchmark
// (fleet-data.js: Debian 12 and 10, Ubuntu 18.04, RHEL 9, Alpine 3.10) is
// assessed once against every fixture advisory with CVSS/KEV/EPSS
// enrichment, and a host holds a share of its base's findings — most hosts
// a few, some many, a few all of them (an unpatched image). Risk and SLA are
// core's (assessRisk with the host's context, slaDue from first seen), the
// stored JSON is findingJson's, the host's counts are the server's
// findingCounts: the rows are what assessments would have written.
// Host i is a pure function of i (seeded), times are relative to `now`.
import {
  assessHost,
  assessRisk,
  DEFAULT_RISK_WEIGHTS,
  DEFAULT_SLA,
  findingJson,
  schemeFor,
  slaDue,
  TupleCache,
} from '@patchloop/core';
import { insertFindingRows } from '@patchloop/store';
import { buildBases, loadIntelligence, prng } from './fleet-data.js';

const DAY = 86_400_000;
/** Base inventory → share of hosts (Debian 12 hosts have no findings: the fixtures end before bookworm). */
const SHARES = { debian12: 0.35, debian10: 0.15, ubuntu1804: 0.15, rhel9: 0.25, alpine310: 0.1 };
const ROLES = ['web', 'api', 'db', 'cache', 'queue', 'worker', 'batch', 'build', 'k8s-node', 'lb', 'mail'];
const EXPOSED = new Set(['web', 'lb', 'mail']);
const SITES = ['fra1', 'ams3', 'lon1', 'nyc3', 'sfo2', 'sgp1', 'tor1', 'blr1'];
const TEAMS = ['team-payments', 'team-platform', 'team-data', 'team-web', 'team-legacy'];
const KERNELS = {
  debian: '6.1.0-18-amd64',
  ubuntu: '4.15.0-213-generic',
  rhel: '5.14.0-427.13.1.el9_4.x86_64',
  alpine: '4.19.80-0-virt',
};
const SEVERITIES = ['critical', 'high', 'medium', 'low'];

/** As the server's findingCounts (services/assess.ts). */
function findingCounts(findings) {
  const counts = { total: findings.length, fixable: 0, unfixed: 0, kev: 0, unknown: 0 };
  for (const s of SEVERITIES) counts[s] = 0;
  for (const f of findings) {
    counts[f.status] = (counts[f.status] ?? 0) + 1;
    if (f.kev) counts.kev++;
    counts[f.severity ?? 'unknown']++;
  }
  return counts;
}

const pickWeighted = (x, pairs) => {
  let acc = 0;
  for (const [v, w] of pairs) if (x < (acc += w)) return v;
  return pairs[pairs.length - 1][0];
};

/**
 * The share of its base's findings a host still has: 60 % are patched
 * regularly (0–4 %), 28 % lag (4–16 %), 10 % lag far (16–40 %), 2 % are
 * unpatched images (50–100 %).
 */
function patchLag(r1, r2) {
  if (r1 < 0.6) return r2 * 0.04;
  if (r1 < 0.88) return 0.04 + r2 * 0.12;
  if (r1 < 0.98) return 0.16 + r2 * 0.24;
  return 0.5 + r2 * 0.5;
}

/** Loads the fixtures and assesses each base inventory once: the pools hosts take findings from. */
export async function loadFindingPools(fixtures, now) {
  const intel = await loadIntelligence(fixtures);
  const bases = buildBases(fixtures, intel.advisories).filter((b) => SHARES[b.name] !== undefined);
  const cache = new TupleCache();
  return bases.map((b) => {
    const report = assessHost({
      inventory: { os: b.os, manager: b.manager, packages: b.packages, kernel: null },
      advisories: intel.index,
      enrichment: intel.enrichment,
      now,
      cache,
    });
    return {
      base: b,
      share: SHARES[b.name],
      eol: report.host.eol,
      findings: report.findings.map((f) => ({ f, json: JSON.stringify(findingJson(f)) })),
    };
  });
}

/** Host i of the fleet (everything the host table holds, and the seed of its findings). */
function hostOf(i, pools, now) {
  const rnd = prng(Math.imul(i + 1, 0x9e3779b1) ^ 0x5eed);
  const pool = pickWeighted(
    rnd(),
    pools.map((p) => [p, p.share]),
  );
  const b = pool.base;
  const role = ROLES[Math.floor(rnd() * ROLES.length)];
  const site = SITES[Math.floor(rnd() * SITES.length)];
  const env = pickWeighted(rnd(), [
    ['production', 0.6],
    ['staging', 0.2],
    ['development', 0.15],
    ['test', 0.05],
  ]);
  const team = b.name === 'debian10' || b.name === 'alpine310' ? 'team-legacy' : TEAMS[i % 4];
  const tags = [
    { production: 'prod', staging: 'staging', development: 'dev', test: 'test' }[env],
    role,
    site,
  ];
  if (env === 'production' && rnd() < 0.12) tags.push('pci');
  if (team === 'team-legacy') tags.push('legacy');
  const criticality = pickWeighted(rnd(), [
    ['tier0', 0.05],
    ['tier1', 0.2],
    ['tier2', 0.55],
    ['tier3', 0.2],
  ]);
  const transport = rnd() < 0.02 ? 'import' : 'agent';
  // Agents check in every minute; 5 % have not for hours to weeks, 1 % never did.
  const seen = rnd();
  const lastSeen =
    transport === 'import'
      ? null
      : seen < 0.94
        ? new Date(now - Math.floor(rnd() * 90_000))
        : seen < 0.99
          ? new Date(now - DAY / 24 - Math.floor(rnd() * 30 * DAY))
          : null;
  const enrolledAt = new Date(now - 30 * DAY - Math.floor(rnd() * 700 * DAY));
  const reboot = rnd() < 0.12;
  const hostname = `${role}-${String(i).padStart(5, '0')}.${site}.example.internal`;
  const osFamily = b.os.id === 'rhel' ? 'rhel' : b.os.id;
  return {
    id: i + 1,
    pool,
    rnd,
    lag: patchLag(rnd(), rnd()),
    machineId: transport === 'import' ? null : `bench-${String(i).padStart(6, '0')}-machine-id`,
    hostname,
    transport,
    os: b.os,
    arch: b.name === 'rhel9' || b.name === 'alpine310' ? 'x86_64' : 'amd64',
    kernel: KERNELS[osFamily] ?? null,
    reboot: {
      required: reboot,
      reasons: reboot ? ['/var/run/reboot-required'] : [],
      packages: reboot ? [b.name === 'rhel9' ? 'kernel-core' : 'linux-image-amd64'] : [],
    },
    enrolledAt,
    lastSeen,
    manager: b.manager,
    packageCount: b.packages.length,
    tags: [...new Set(tags)].sort(),
    groups: [team],
    criticality,
    environment: env,
    internetFacing: EXPOSED.has(role),
    owner: team,
    userRisk: role === 'build' ? 'elevated' : 'standard',
  };
}

/**
 * The fleet: `hosts` hosts over the pools, and per host its findings (open
 * and resolved), generated on demand so that they never sit in memory at once.
 */
export function consoleFleet(pools, { hosts: n, now }) {
  const t = now.getTime();
  const hosts = Array.from({ length: n }, (_, i) => hostOf(i, pools, t));
  const riskMemo = new Map();
  /** Risk of pool finding k on a host with this context (the same for every host with it). */
  const riskOf = (h, k) => {
    const key = `${h.pool.base.name}|${k}|${h.criticality}|${h.environment}|${h.internetFacing}|${h.userRisk}`;
    let r = riskMemo.get(key);
    if (r === undefined) {
      const x = assessRisk(
        h.pool.findings[k].f,
        {
          criticality: h.criticality,
          environment: h.environment,
          internetFacing: h.internetFacing,
          userRisk: h.userRisk,
        },
        DEFAULT_RISK_WEIGHTS,
      );
      r = {
        score: x.score,
        priority: x.priority,
        detail: JSON.stringify({ factors: x.factors, explanation: x.explanation }),
      };
      riskMemo.set(key, r);
    }
    return r;
  };
  /** Host h's findings: open ones (a `lag` share of its pool) and earlier, resolved ones. */
  const findingsOf = (h) => {
    const rnd = prng(Math.imul(h.id, 0x85ebca6b) ^ 0xf1d);
    const open = [];
    const resolved = [];
    h.pool.findings.forEach(({ f, json }, k) => {
      const x = rnd();
      const firstSeenAgo = Math.floor(rnd() ** 1.5 * Math.min(400 * DAY, t - h.enrolledAt.getTime()));
      const firstSeen = new Date(t - firstSeenAgo);
      const row = { k, f, json, firstSeen, risk: riskOf(h, k) };
      if (x < h.lag) open.push(row);
      else if (x < h.lag * 1.35) {
        // Fixed by an upgrade since: resolved 1–60 days after it was first seen (not in the future).
        const fixedAfter = Math.floor((1 + rnd() * 59) * DAY);
        resolved.push({
          ...row,
          resolvedAt: new Date(Math.min(t - 60_000, firstSeen.getTime() + fixedAfter)),
        });
      }
    });
    return { open, resolved };
  };
  return { hosts, findingsOf };
}

/** The updates a host's package manager offers: one per package with a fixable finding, to its highest fix. */
function updatesOf(h, open) {
  const scheme = schemeFor(h.pool.base.scheme);
  const best = new Map();
  for (const { f } of open) {
    if (f.status !== 'fixable' || f.fixedVersion === null) continue;
    const k = `${f.package}\u0000${f.arch ?? ''}`;
    const cur = best.get(k);
    if (!cur || scheme.compare(f.fixedVersion, cur.candidateVersion) > 0) {
      best.set(k, {
        name: f.package,
        arch: f.arch ?? '',
        installedVersion: f.installedVersion,
        candidateVersion: f.fixedVersion,
        repository: null,
        security: true,
        advisoryIds: [],
        classification: 'security',
      });
    }
  }
  return [...best.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const HOST_INSERT = `INSERT INTO host (id, machine_id, hostname, transport, os_id, os_version, os_codename, os_pretty,
    arch, kernel_running, kernel_newest, reboot_required, reboot, facts_hash, agent_version, enrolled_at, last_seen,
    last_inventory_at, inventory_hash, package_manager, package_count, updates, tags, groups, criticality,
    environment, internet_facing, owner, user_risk, eol, finding_counts, assessed_at, assessment_error)
  SELECT id, mid, hn, tr, oi, ov, oc, op, ar, kr, kr, rr, rb::jsonb, fh, av, ea, ls, li, ih, pm, pc, up::jsonb,
    ARRAY(SELECT jsonb_array_elements_text(tg::jsonb)), ARRAY(SELECT jsonb_array_elements_text(gr::jsonb)),
    cr, en, ex, ow, ur, eo::jsonb, fc::jsonb, aa, NULL
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
    $9::text[], $10::text[], $11::boolean[], $12::text[], $13::text[], $14::text[], $15::timestamptz[],
    $16::timestamptz[], $17::timestamptz[], $18::text[], $19::text[], $20::int[], $21::text[], $22::text[],
    $23::text[], $24::text[], $25::text[], $26::boolean[], $27::text[], $28::text[], $29::text[], $30::text[],
    $31::timestamptz[])
    AS t(id, mid, hn, tr, oi, ov, oc, op, ar, kr, rr, rb, fh, av, ea, ls, li, ih, pm, pc, up, tg, gr, cr, en, ex,
      ow, ur, eo, fc, aa)`;

function columns(n) {
  return Array.from({ length: n }, () => []);
}

/**
 * Writes the fleet into `db` (a store opened with its migrations): hosts,
 * findings, risk exceptions, then VACUUM ANALYZE (as autovacuum would have
 * by then). Returns what was written. `writeFindings(db, rows)` writes a
 * batch of finding rows (store insertFindingRows' shape); bench/finding-storage.js
 * passes one that writes the table of releases before migration 0017.
 */
export async function seedConsoleFleet(
  db,
  fleet,
  { now, chunkHosts = 250, log = () => {}, writeFindings = insertFindingRows },
) {
  const t = now.getTime();
  const stats = { hosts: 0, open: 0, resolved: 0, kevOpen: 0, maxHostOpen: 0, maxHostId: null };
  const advisoryHosts = new Map();
  const t0 = performance.now();
  for (let start = 0; start < fleet.hosts.length; start += chunkHosts) {
    const chunk = fleet.hosts.slice(start, start + chunkHosts);
    const hc = columns(31);
    const rows = [];
    for (const h of chunk) {
      const { open, resolved } = fleet.findingsOf(h);
      const counts = findingCounts(open.map((r) => r.f));
      const assessed = h.lastSeen ?? new Date(t - DAY);
      const values = [
        h.id,
        h.machineId,
        h.hostname,
        h.transport,
        h.os.id,
        h.os.versionId,
        h.os.codename,
        h.os.prettyName,
        h.arch,
        h.kernel,
        h.reboot.required,
        JSON.stringify(h.reboot),
        `facts-${h.id}`,
        h.transport === 'agent' ? '0.1.0' : null,
        h.enrolledAt,
        h.lastSeen,
        assessed,
        `inventory-${h.id}`,
        h.manager,
        h.packageCount,
        JSON.stringify(updatesOf(h, open)),
        JSON.stringify(h.tags),
        JSON.stringify(h.groups),
        h.criticality,
        h.environment,
        h.internetFacing,
        h.owner,
        h.userRisk,
        JSON.stringify(h.pool.eol),
        JSON.stringify(counts),
        assessed,
      ];
      values.forEach((v, c) => hc[c].push(v));
      const add = (r, resolvedAt) => {
        const { f } = r;
        const due = slaDue(r.risk.priority, r.firstSeen, f.kev, DEFAULT_SLA);
        rows.push({
          hostId: h.id,
          advisoryId: f.advisory.id,
          package: f.package,
          arch: f.arch ?? '',
          installedVersion: f.installedVersion,
          fixedVersion: f.fixedVersion,
          status: f.status,
          severity: f.severity,
          kev: f.kev !== null,
          data: r.json,
          riskScore: r.risk.score,
          priority: r.risk.priority,
          risk: r.risk.detail,
          dueAt: due.dueAt,
          slaBasis: due.basis,
          firstSeen: r.firstSeen,
          resolvedAt,
        });
      };
      for (const r of open) {
        add(r, null);
        advisoryHosts.set(r.f.advisory.id, (advisoryHosts.get(r.f.advisory.id) ?? 0) + 1);
      }
      for (const r of resolved) add(r, r.resolvedAt);
      stats.hosts++;
      stats.open += open.length;
      stats.resolved += resolved.length;
      stats.kevOpen += counts.kev;
      if (open.length > stats.maxHostOpen) {
        stats.maxHostOpen = open.length;
        stats.maxHostId = h.id;
      }
    }
    await db.query(HOST_INSERT, hc);
    // Findings (facts stored once, links per host: store migration 0017) in batches of at most ~5,000 rows.
    for (let a = 0; a < rows.length; a += 5000) await writeFindings(db, rows.slice(a, a + 5000));
    if ((start / chunkHosts) % 8 === 0) {
      log(`seeded ${stats.hosts} hosts, ${stats.open} open and ${stats.resolved} resolved findings`);
    }
  }
  await db.query(`SELECT setval(pg_get_serial_sequence('host', 'id'), $1)`, [fleet.hosts.length]);
  const popular = [...advisoryHosts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  stats.exceptions = await seedExceptions(db, fleet, popular, now);
  stats.seedSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await db.exec('VACUUM ANALYZE');
  stats.vacuumSeconds = (performance.now() - t1) / 1000;
  stats.advisories = advisoryHosts.size;
  stats.popular = popular.slice(0, 5);
  return stats;
}

/**
 * Risk exceptions as a fleet accumulates them: approved ones scoped to an
 * advisory (some by a CVE alias), a package, a host, a group or a mix;
 * requested, rejected, revoked and expired ones that no longer apply.
 */
async function seedExceptions(db, fleet, popular, now) {
  const t = now.getTime();
  const rows = [];
  const alias = (id) => {
    for (const h of fleet.hosts) {
      const hit = h.pool.findings.find(({ f }) => f.advisory.id === id);
      if (hit) return hit.f.advisory.aliases.find((a) => a.startsWith('CVE-')) ?? id;
    }
    return id;
  };
  const approved = (scope, kind = 'accepted-risk', days = 90) =>
    rows.push({ ...scope, kind, status: 'approved', expires: new Date(t + days * DAY) });
  // Advisory scope: 4 of the 40 most widespread advisories, 2 of them named by CVE.
  [3, 11, 17, 29].forEach((rank, j) => {
    const id = popular[rank]?.[0];
    if (id)
      approved({ advisory: j % 2 === 0 ? id : alias(id) }, j % 2 ? 'compensating-control' : 'accepted-risk');
  });
  // Package scope, host scope, group scope, and advisory + package.
  const pkgs = [
    ...new Set(fleet.hosts.flatMap((h) => h.pool.findings.slice(0, 40).map(({ f }) => f.package))),
  ];
  for (const p of pkgs.slice(5, 8)) approved({ package: p }, 'false-positive', 200);
  for (const id of [17, 4242, 9001]) approved({ host: Math.min(id, fleet.hosts.length) });
  approved({ group: 'team-legacy', package: pkgs[1] }, 'compensating-control', 30);
  if (popular[5]) approved({ advisory: popular[5][0], package: pkgs[0] });
  // Not (or no longer) in force.
  for (let j = 0; j < 8; j++) {
    rows.push({
      advisory: popular[40 + j]?.[0] ?? null,
      package: pkgs[j],
      kind: 'accepted-risk',
      status: 'requested',
      expires: new Date(t + 60 * DAY),
    });
  }
  for (let j = 0; j < 3; j++) {
    rows.push({
      advisory: popular[60 + j]?.[0],
      package: pkgs[j],
      kind: 'accepted-risk',
      status: 'rejected',
      expires: new Date(t + 60 * DAY),
    });
    rows.push({
      advisory: popular[j]?.[0],
      package: pkgs[j + 3],
      kind: 'accepted-risk',
      status: 'revoked',
      expires: new Date(t + 60 * DAY),
    });
  }
  for (let j = 0; j < 6; j++) {
    rows.push({
      advisory: popular[70 + j]?.[0] ?? null,
      package: null,
      host: 100 + j,
      kind: 'compensating-control',
      status: 'expired',
      expires: new Date(t - (j + 1) * DAY),
    });
  }
  const cols = columns(8);
  for (const r of rows) {
    [
      r.kind,
      r.advisory ?? null,
      r.package ?? null,
      r.host ?? null,
      r.group ?? null,
      r.status,
      r.expires,
      r.status === 'requested' ? null : 'security-lead',
    ].forEach((v, c) => cols[c].push(v));
  }
  await db.query(
    `INSERT INTO risk_exception (kind, advisory_id, package, host_id, group_name, justification, status, requested_by,
       requested_at, decided_by, decided_at, expires_at)
     SELECT k, a, p, h, g, 'benchmark: ' || k, s, 'ops-engineer', $9::timestamptz - interval '20 days', d,
       CASE WHEN d IS NULL THEN NULL ELSE $9::timestamptz - interval '19 days' END, x
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::timestamptz[],
       $8::text[]) AS t(k, a, p, h, g, s, x, d)`,
    [...cols, now],
  );
  return {
    total: rows.length,
    approved: rows.filter((r) => r.status === 'approved').length,
  };
}
