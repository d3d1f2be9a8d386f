// The whole loop at fleet scale (issue #17): a throwaway PostgreSQL cluster,
// `patchloop server` as its own process on it with the fixture feeds imported
// through its upload route, and N simulated agents (the fleet benchmark's five
// bases and version spread, scale-fleet.js) speaking the agent protocol over
// HTTP — enrollment, one full inventory, heartbeats, long polls. Nothing is
// written into the database but by the server; the harness only reads it to
// measure. Phases (each can be left out):
//   assess  enrollment + first full inventories → every host assessed, heartbeats at 1,000/s alongside
//   sizes   per-table size and rows
//   advisory  one synthetic advisory (≈ 20 % of hosts) uploaded → every affected host shows it;
//           rows of unaffected hosts rewritten
//   deploy  a deployment to min(10,000, N) long-polling agents: tasks dispatched per second
//   lists   every console list (console-lists.js's calls, policy simulation, deployment list and view):
//           p50 / p95 and the server's peak RSS
//   verify  for a sample of hosts: the findings the API serves and `patchloop scan` of the same
//           inventory on the same store (kept in the raw result; the smoke test compares them)
//
//   node bench/scale.js [--hosts N] [--phases assess,sizes,advisory,deploy,lists,verify]
//                       [--rate R] [--deploy-hosts N] [--verify N] [--timeout-min M] [--out FILE] [--no-write]
//                       [--hold] [--database URL]
//   --hold  after the phases, keep the cluster and the server up (their URLs are logged) until ^C:
//           a store of this size to EXPLAIN queries and try server builds against
//   --database URL  no cluster, feeds or fleet of its own: this build's server on that store (a held
//           run's; its migrations applied), for the phases `sizes`, `advisory` and `lists` only
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Pool } from 'undici';
import { startPgCluster } from '@patchloop/test-support/pg';
import { describeMachine } from './machine.js';
import { benchFixtures, benchRoot, isMain, standalone, writeSection } from './standalone.js';
import { ADMIN_TOKEN, ENROLL_SECRET, each, openLoop, post, startServer } from './checkin-load-http.js';
import { findPostmaster, procMemory, Sampler } from './checkin-load-proc.js';
import { FEED_SETS } from './feeds.js';
import { CALLS, measure } from './console-lists.js';
import { affectedHosts, ScaleFleet, syntheticAdvisory } from './scale-fleet.js';
import { SCALE_HEADING as HEADING, listsSection, scaleMarkdown } from './scale-report.js';

export const SCALE_PHASES = ['assess', 'sizes', 'advisory', 'deploy', 'lists', 'verify'];
const T0 = performance.now();
const log = (s) => console.log(`scale [${((performance.now() - T0) / 1000).toFixed(1)} s]: ${s}`);
const run = promisify(execFile);

function parseArgs(argv) {
  const o = { write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--hosts') o.hosts = Number(v());
    else if (a === '--phases') o.phases = v().split(',');
    else if (a === '--rate') o.rate = Number(v());
    else if (a === '--deploy-hosts') o.deployHosts = Number(v());
    else if (a === '--verify') o.verify = Number(v());
    else if (a === '--timeout-min') o.timeoutMin = Number(v());
    else if (a === '--out') o.out = v();
    else if (a === '--no-write') o.write = false;
    else if (a === '--hold') o.hold = true;
    else if (a === '--database') o.database = v();
    else throw new Error(`unknown argument ${a}`);
  }
  for (const p of o.phases ?? []) if (!SCALE_PHASES.includes(p)) throw new Error(`unknown phase ${p}`);
  return o;
}

async function get(pool, path) {
  const res = await pool.request({
    path,
    method: 'GET',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function send(pool, method, path, body, type = 'application/json') {
  const res = await pool.request({
    path,
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': type },
    body,
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** Waits until `fn()` is truthy (polled every `everyMs`) or `timeoutMs` passes; returns the seconds waited or null. */
async function until(fn, timeoutMs, everyMs = 1000) {
  const t = performance.now();
  for (;;) {
    if (await fn()) return (performance.now() - t) / 1000;
    if (performance.now() - t > timeoutMs) return null;
    await sleep(everyMs);
  }
}

const jobsBusy = async (db) =>
  (await db.query(`SELECT count(*)::int AS n FROM job WHERE status IN ('queued', 'running')`)).rows[0].n;

/** The table holding one row per host and finding: `host_finding` once facts are split out, else `finding`. */
async function findingTable(db) {
  const r = await db.query(`SELECT to_regclass('host_finding') IS NOT NULL AS split`);
  return r.rows[0].split ? 'host_finding' : 'finding';
}

/** Open-finding hosts of one advisory, whichever storage the build has (read for measuring only). */
async function hostsWithAdvisory(db, table, id) {
  const sql =
    table === 'finding'
      ? `SELECT count(DISTINCT host_id)::int AS n FROM finding WHERE advisory_id = $1 AND resolved_at IS NULL`
      : `SELECT count(DISTINCT l.host_id)::int AS n FROM host_finding l JOIN finding_key k ON k.id = l.key_id
         WHERE k.advisory_id = $1 AND l.resolved_at IS NULL`;
  return (await db.query(sql, [id])).rows[0].n;
}

async function importFixtureFeeds(root, fixtures, url) {
  const out = [];
  for (const [source, rel, label] of FEED_SETS) {
    const t = performance.now();
    const r = await run(
      process.execPath,
      [
        join(root, 'packages/cli/bin/patchloop.js'),
        'feeds',
        'import',
        source,
        join(fixtures, rel),
        '--server',
        url,
        '--token',
        ADMIN_TOKEN,
        '--format',
        'json',
      ],
      { maxBuffer: 16 << 20 },
    ).catch((e) => e);
    const summary = JSON.parse(r.stdout);
    out.push({ source, label, imported: summary.imported, seconds: (performance.now() - t) / 1000 });
  }
  return out;
}

/** Phase assess: enrollment, first full inventories with heartbeats alongside, until every host is assessed. */
async function phaseAssess(ctx) {
  const { fleet, agents, pool, db, sampler, o } = ctx;
  const r = {};
  let t = performance.now();
  sampler.mark();
  await each(agents, 16, async (a) => {
    const res = await post(pool, '/api/v1/enroll', fleet.enrollBody(a.i, ENROLL_SECRET));
    if (res.status !== 201) throw new Error(`enroll ${a.i}: ${res.status} ${res.text}`);
    const body = JSON.parse(res.text);
    a.credential = body.credential;
    a.hostId = body.hostId;
  });
  r.enroll = { seconds: (performance.now() - t) / 1000, ...sampler.window() };
  log(`enrolled ${agents.length} agents in ${r.enroll.seconds.toFixed(1)} s`);

  // Heartbeats from the agents already uploaded, offered at `rate` in 10 s windows until every host is assessed.
  const ready = [];
  let stop = false;
  const windows = [];
  const heartbeats = (async () => {
    if (o.rate <= 0) return; // --rate 0: no heartbeats (the smoke test checks correctness only)
    while (!stop && ready.length < Math.min(100, agents.length)) await sleep(200);
    let cursor = 0;
    while (!stop) {
      const w = await openLoop(pool, {
        rate: o.rate,
        seconds: 10,
        next: () => {
          const a = ready[cursor++ % ready.length];
          return { kind: 'same', agent: a, body: fleet.heartbeatBody(a.i, a.hash), credential: a.credential };
        },
        check: (req, status, text) => {
          if (status !== 200) return `HTTP ${status}`;
          if (text.includes('"needFull":true')) return 'needFull';
          return text.includes(`"acknowledged":"${req.agent.hash}"`) ? true : 'wrong hash';
        },
      });
      windows.push(w);
    }
  })();

  t = performance.now();
  sampler.mark();
  const uploadStart = Date.now();
  await each(agents, 8, async (a) => {
    const { body, hash } = fleet.fullBody(a.i);
    const res = await post(pool, '/api/v1/agent/checkin', body, a.credential);
    if (res.status !== 200 || JSON.parse(res.text).acknowledged !== hash)
      throw new Error(`full upload ${a.i}: ${res.status} ${res.text.slice(0, 300)}`);
    a.hash = hash;
    a.uploadedAt = Date.now();
    ready.push(a);
  });
  r.upload = { seconds: (performance.now() - t) / 1000 };
  log(`uploaded ${agents.length} full inventories in ${r.upload.seconds.toFixed(1)} s`);
  const assessedCount = async () =>
    (
      await db.query(
        `SELECT count(*)::int AS n FROM host WHERE machine_id LIKE 'scale-agent-%' AND assessed_at IS NOT NULL`,
      )
    ).rows[0].n;
  const waited = await until(
    async () => {
      const n = await assessedCount();
      if (Math.random() < 0.1) log(`assessed ${n} of ${agents.length}`);
      return n === agents.length && (await jobsBusy(db)) === 0;
    },
    o.timeoutMin * 60_000,
    2000,
  );
  stop = true;
  await heartbeats;
  r.usage = sampler.window();
  r.assessed = await assessedCount();
  r.finished = waited !== null;
  r.allAssessedSeconds = (Date.now() - uploadStart) / 1000;
  // Per host: from its first full upload acknowledged to its assessment.
  const at = new Map(
    (
      await db.query(
        `SELECT id::int AS id, extract(epoch FROM assessed_at) * 1000 AS ms FROM host WHERE machine_id LIKE 'scale-agent-%'`,
      )
    ).rows.map((x) => [x.id, x.ms === null ? null : Number(x.ms)]),
  );
  const lags = agents
    .map((a) => at.get(a.hostId))
    .map((ms, k) => (ms === null || ms === undefined ? null : (ms - agents[k].uploadedAt) / 1000))
    .filter((x) => x !== null)
    .sort((a, b) => a - b);
  r.lagSeconds = { p50: lags[Math.floor(lags.length / 2)] ?? null, max: lags.at(-1) ?? null };
  const p99s = windows.map((w) => w.latency.p99).filter((x) => x !== null);
  r.heartbeats = {
    rate: o.rate,
    windows: windows.length,
    requests: windows.reduce((s, w) => s + w.requests, 0),
    ok: windows.reduce((s, w) => s + w.ok, 0),
    skipped: windows.reduce((s, w) => s + w.skipped, 0),
    achievedRate:
      windows.reduce((s, w) => s + w.ok, 0) /
      Math.max(
        1e-9,
        windows.reduce((s, w) => s + w.elapsedSeconds, 0),
      ),
    worstP99: p99s.length ? Math.max(...p99s) : null,
    medianP99: p99s.length ? p99s.sort((a, b) => a - b)[Math.floor(p99s.length / 2)] : null,
    worstMax: windows.length ? Math.max(...windows.map((w) => w.latency.max ?? 0)) : null,
  };
  log(
    `assess: ${r.assessed}/${agents.length} assessed ${r.allAssessedSeconds.toFixed(0)} s after the first upload (${r.finished ? 'done' : 'TIMED OUT'}), lag p50 ${r.lagSeconds.p50?.toFixed(0)} max ${r.lagSeconds.max?.toFixed(0)} s; heartbeats ${JSON.stringify(r.heartbeats)}; server peak RSS ${r.usage.serverRssMiB.toFixed(0)} MiB, workers ${r.usage.workerRssMiB.toFixed(0)} MiB`,
  );
  return r;
}

async function phaseSizes({ db }) {
  await db.query('VACUUM ANALYZE');
  const rows = (
    await db.query(`SELECT c.relname AS name, pg_total_relation_size(c.oid)::bigint AS bytes,
        pg_relation_size(c.oid)::bigint AS heap
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY 2 DESC`)
  ).rows;
  const tables = [];
  for (const t of rows) {
    const n = (await db.query(`SELECT count(*)::bigint AS n FROM "${t.name}"`)).rows[0].n;
    tables.push({ name: t.name, bytes: Number(t.bytes), heap: Number(t.heap), rows: Number(n) });
  }
  const db_ = (await db.query(`SELECT pg_database_size(current_database())::bigint AS b`)).rows[0].b;
  log(
    `sizes: database ${(Number(db_) / 2 ** 20).toFixed(0)} MiB; ${tables
      .slice(0, 6)
      .map((t) => `${t.name} ${(t.bytes / 2 ** 20).toFixed(0)} MiB / ${t.rows} rows`)
      .join(', ')}`,
  );
  return { databaseBytes: Number(db_), tables };
}

/** Phase advisory: one synthetic OSV record through the feed upload route, until every affected host shows it. */
async function phaseAdvisory({ fleet, agents, pool, db, sampler, o }) {
  const adv = syntheticAdvisory(fleet.bases);
  const affected = affectedHosts(fleet, adv);
  const hit = new Set(affected);
  const table = await findingTable(db);
  const statUpd = async () =>
    Number(
      (
        await db.query(`SELECT n_tup_upd + n_tup_ins AS n FROM pg_stat_user_tables WHERE relname = $1`, [
          table,
        ])
      ).rows[0].n,
    );
  // xmin of the open rows of up to 200 unaffected hosts: a changed xmin is a rewritten row.
  const sampleIds = agents
    .filter((a) => !hit.has(a.i))
    .filter((_, k) => k % 7 === 0)
    .slice(0, 200)
    .map((a) => a.hostId);
  const xmins = async () =>
    new Map(
      (
        await db.query(
          `SELECT id::text AS id, xmin::text AS x FROM ${table} WHERE host_id = ANY($1) AND resolved_at IS NULL`,
          [sampleIds],
        )
      ).rows.map((x) => [x.id, x.x]),
    );
  const before = await xmins();
  const updBefore = await statUpd();
  sampler.mark();
  const t = performance.now();
  const res = await pool.request({
    path: `/api/v1/feeds/osv/import?name=${adv.id}.json`,
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/octet-stream' },
    body: adv.json,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`advisory upload: ${res.statusCode} ${text}`);
  const importSeconds = (performance.now() - t) / 1000;
  let shown = 0;
  const waited = await until(
    async () => {
      shown = await hostsWithAdvisory(db, table, adv.id);
      return shown >= affected.length;
    },
    o.timeoutMin * 60_000,
    1000,
  );
  const flaggedSeconds = waited === null ? null : (performance.now() - t) / 1000;
  log(
    `advisory ${adv.id}: ${shown}/${affected.length} hosts show it ${flaggedSeconds === null ? 'TIMED OUT' : `after ${flaggedSeconds.toFixed(1)} s`}`,
  );
  // Let the re-assessment it started finish (bounded), then count what was rewritten.
  const drained = await until(async () => (await jobsBusy(db)) === 0, o.timeoutMin * 60_000, 2000);
  const drainSeconds = (performance.now() - t) / 1000;
  await sleep(1200); // statistics reach pg_stat_user_tables within a second
  const after = await xmins();
  let rewritten = 0;
  for (const [id, x] of before) if (after.get(id) !== x) rewritten++;
  const r = {
    id: adv.id,
    targets: adv.targets,
    affectedHosts: affected.length,
    shownHosts: shown,
    importSeconds,
    flaggedSeconds,
    drained: drained !== null,
    drainSeconds,
    table,
    rowsWritten: (await statUpd()) - updBefore,
    sample: { hosts: sampleIds.length, rows: before.size, rewritten },
    usage: sampler.window(),
  };
  log(`advisory: ${JSON.stringify({ ...r, usage: undefined })}`);
  return r;
}

/** Phase deploy: min(N, hosts) agents long-poll; a deployment to all of them; jobs delivered per second. */
async function phaseDeploy({ agents, server, db, sampler, o }) {
  const chosen = agents.slice(0, Math.min(o.deployHosts, agents.length));
  const polls = new Pool(server.url, { connections: chosen.length + 16, keepAliveTimeout: 120_000 });
  const got = new Map();
  let started = 0;
  let stop = false;
  const pollOnce = async (a) => {
    while (!stop && !got.has(a.i)) {
      started++;
      const res = await polls
        .request({
          path: '/api/v1/agent/jobs/poll',
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${a.credential}` },
          body: JSON.stringify({ machineId: `scale-agent-${String(a.i).padStart(6, '0')}`, waitSeconds: 55 }),
          headersTimeout: 120_000,
          bodyTimeout: 120_000,
        })
        .catch((e) => ({ statusCode: e.code ?? 'error', body: null }));
      const text = res.body ? await res.body.text() : '';
      if (res.statusCode !== 200) {
        await sleep(1000);
        continue;
      }
      const jobs = JSON.parse(text).jobs;
      if (jobs.length > 0) got.set(a.i, performance.now());
    }
  };
  const pollers = chosen.map((a) => pollOnce(a));
  // Every agent parked in its long poll (the server holds them) before the deployment is made.
  await until(async () => started >= chosen.length, 120_000, 200);
  await sleep(3000);
  const parked = started;
  const runningBefore = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity`);
  sampler.mark();
  const t = performance.now();
  const apiPool = new Pool(server.url, { connections: 1 });
  let created;
  try {
    created = await send(
      apiPool,
      'POST',
      '/api/v1/deployments',
      JSON.stringify({
        hosts: chosen.map((a) => a.hostId),
        packages: [{ name: 'scale-bench-package', version: '1.0-1' }],
        reboot: 'never',
      }),
    );
  } finally {
    await apiPool.close();
  }
  const createSeconds = (performance.now() - t) / 1000;
  log(`deployment ${created.id} created in ${createSeconds.toFixed(1)} s`);
  const waited = await until(() => got.size >= chosen.length, o.timeoutMin * 60_000, 500);
  const usage = sampler.window();
  stop = true;
  const last = Math.max(...got.values());
  const r = {
    deploymentId: created.id,
    hosts: chosen.length,
    parked,
    pgConnections: runningBefore.rows[0].n,
    createSeconds,
    delivered: got.size,
    finished: waited !== null,
    allDeliveredSeconds: got.size ? (last - t) / 1000 : null,
    tasksPerSecond: got.size ? got.size / ((last - t) / 1000) : 0,
    usage,
  };
  log(
    `deploy: ${JSON.stringify({ ...r, usage: undefined })}; server peak RSS ${usage.serverRssMiB.toFixed(0)} MiB`,
  );
  await polls.destroy();
  await Promise.allSettled(pollers);
  return r;
}

/** Phase lists: console-lists.js's calls with values read through the API, plus simulation and deployments. */
async function phaseLists({ pool, server, o, deploymentId }) {
  const hosts = await get(pool, '/api/v1/hosts?limit=1&sort=findings&order=desc');
  const findings = await get(pool, '/api/v1/findings?status=open&excepted=false&sort=risk&limit=1');
  const vulns = await get(pool, '/api/v1/vulnerabilities?sort=hosts&limit=1');
  const top = vulns.items[0];
  const aliases = top?.aliases ?? top?.advisory?.aliases ?? [];
  const cve = aliases.find((a) => a.startsWith('CVE-')) ?? top?.id ?? 'CVE-2023-0001';
  const advisory = top?.id ?? top?.advisory?.id ?? cve;
  const busy = hosts.items[0]?.id;
  const pkg =
    (await get(pool, `/api/v1/hosts/${busy}/findings?status=open&sort=risk&limit=1`)).items[0]?.package ??
    'openssl';
  const deep = (total, limit) => Math.max(0, Math.min(Math.floor(total * 0.9) - limit, total - limit));
  const values = {
    deepHosts: deep(hosts.total, 100),
    deepFindings: deep(findings.total, 100),
    advisory: encodeURIComponent(advisory),
    cve: encodeURIComponent(cve),
    package: encodeURIComponent(pkg),
    host: busy,
  };
  await send(
    pool,
    'PUT',
    '/api/v1/policies/scale-bench',
    'name: scale-bench\nselector: { tags: [scale] }\nrings:\n  - { name: all, selector: {} }\nreboot: never\n',
    'application/yaml',
  );
  const extra = ['/policies/scale-bench/simulate', '/deployments'];
  if (deploymentId) extra.push(`/deployments/${deploymentId}`);
  const results = [];
  for (const call of [...CALLS, ...extra]) {
    const path = `/api/v1${call.replace(/\{(\w+)\}/g, (_, k) => String(values[k]))}`;
    try {
      // A call slower than 10 s is timed once: repeating it would take the whole run.
      const t = performance.now();
      const once = await get(pool, path);
      const ms = performance.now() - t;
      const r =
        ms > 10_000
          ? {
              path,
              samples: 1,
              p50: ms,
              p95: ms,
              max: ms,
              bytes: Buffer.byteLength(JSON.stringify(once)),
              items: Array.isArray(once.items) ? once.items.length : null,
              total: typeof once.total === 'number' ? once.total : null,
              peakRssMiB: null,
              rssMiB: procMemory(server.pid).rssMiB,
            }
          : await measure(pool, server, path, { samples: o.samples, saveBodies: null });
      // The first call is the cold one (no read memo, no cached plan): kept beside the samples.
      results.push({ call, ...r, firstMs: ms });
      log(
        `${path}: p50 ${r.p50.toFixed(0)} p95 ${r.p95.toFixed(0)} ms (${r.samples}), peak RSS ${r.peakRssMiB?.toFixed(0)} MiB`,
      );
    } catch (e) {
      results.push({ call, path, error: String(e.message).slice(0, 300) });
      log(`${path}: ${e.message.slice(0, 200)}`);
    }
  }
  return { values, results };
}

/** Phase verify: a sample spread over the bases, each host's open findings from the API and from `patchloop scan`. */
async function phaseVerify({ root, fleet, agents, pool, databaseUrl, o }) {
  const perBase = new Map();
  for (const a of agents) {
    const name = fleet.host(a.i).base.name;
    const list = perBase.get(name) ?? [];
    if (list.length < Math.ceil(o.verify / fleet.bases.length)) list.push(a);
    perBase.set(name, list);
  }
  const dir = mkdtempSync(join(tmpdir(), 'pl-scale-verify-'));
  const env = { ...process.env, PATCHLOOP_DATABASE_URL: databaseUrl };
  const out = [];
  for (const [base, list] of perBase) {
    for (const a of list) {
      const api = [];
      for (let offset = 0; ;) {
        const page = await get(
          pool,
          `/api/v1/hosts/${a.hostId}/findings?status=open&limit=1000&offset=${offset}`,
        );
        api.push(...page.items);
        offset += page.items.length;
        if (page.items.length === 0 || offset >= page.total) break;
      }
      const file = join(dir, `${a.i}.json`);
      writeFileSync(file, fleet.scanInventory(a.i));
      const r = await run(
        process.execPath,
        [join(root, 'packages/cli/bin/patchloop.js'), 'scan', '--inventory', file, '--format', 'json'],
        { env, maxBuffer: 256 << 20 },
      ).catch((e) => e);
      // A release without advisories in the store (the fixtures' Debian lists predate bookworm): scan refuses
      // to answer rather than say "nothing found"; the server must then show nothing for the host either.
      const none = r.code === 1 && r.stderr.includes('PL_SCAN_NO_ADVISORIES');
      if (r.code !== undefined && !none) throw new Error(`patchloop scan of host ${a.i}: ${r.stderr}`);
      const scan = none ? [] : JSON.parse(r.stdout).findings;
      out.push({ i: a.i, hostId: a.hostId, base, noAdvisories: none, api, scan });
    }
  }
  log(`verify: ${out.length} hosts fetched and scanned`);
  return out;
}

export async function runScaleBench(root, fixtures, opts = {}) {
  const o = {
    hosts: 50_000,
    phases: ['assess', 'sizes', 'advisory', 'deploy', 'lists'],
    rate: 1000,
    deployHosts: 10_000,
    verify: 0,
    samples: 10,
    timeoutMin: 30,
    ...opts,
  };
  const has = (p) => o.phases.includes(p);
  const commit = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).then(
    (x) => x.stdout.trim(),
    () => null,
  );
  const result = {
    params: { ...o },
    machine: describeMachine(),
    commit,
    date: new Date().toISOString().slice(0, 10),
  };
  const cleanups = [];
  const cleanUp = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (e) {
        console.error(`scale: cleanup: ${e.message}`);
      }
    }
  };
  // Stopped from outside (a test's timeout, ^C): the server and the cluster go with it.
  const onSignal = (sig) => void cleanUp().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    const cluster = o.database ? { url: o.database } : await startPgCluster();
    if (!o.database) cleanups.push(() => cluster.stop());
    const db = new pg.Client({ connectionString: cluster.url });
    await db.connect();
    cleanups.push(() => db.end());
    // PATCHLOOP_SCALE_WORKERS: the server's worker processes (default: the server's own default, 1; 0 = in-process).
    const workers = process.env.PATCHLOOP_SCALE_WORKERS;
    // PATCHLOOP_SCALE_CPU_PROF=DIR: the server process writes a V8 CPU profile there when it stops.
    const server = await startServer(root, cluster.url, {
      env: workers !== undefined ? { PATCHLOOP_WORKERS: workers } : {},
      cpuProfDir: process.env.PATCHLOOP_SCALE_CPU_PROF,
    });
    cleanups.push(() => server.stop());
    const pool = new Pool(server.url, {
      connections: 64,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
    });
    cleanups.push(() => pool.close());
    const postmaster = findPostmaster(new URL(cluster.url).port);
    const sampler = new Sampler({ serverPid: server.pid, postmaster });
    cleanups.push(() => sampler.stop());
    log(`server ${server.url} (pid ${server.pid}), PostgreSQL postmaster ${postmaster}`);

    if (o.database) {
      const ctx = { root, pool, db, server, sampler, o, databaseUrl: cluster.url };
      if (has('advisory')) {
        // The held run's fleet again (host i is a pure function of i), its agents found by machine id.
        const n = Number((await db.query('SELECT count(*)::int AS n FROM host')).rows[0].n);
        ctx.fleet = await ScaleFleet.create(fixtures, n);
        const ids = new Map(
          (await db.query('SELECT machine_id, id::int AS id FROM host')).rows.map((h) => [
            h.machine_id,
            h.id,
          ]),
        );
        ctx.agents = Array.from({ length: n }, (_, i) => ({ i, hostId: ids.get(ctx.fleet.machineId(i)) }));
      }
      for (const [name, fn] of [
        ['sizes', phaseSizes],
        ['advisory', phaseAdvisory],
        ['lists', phaseLists],
      ]) {
        if (!has(name)) continue;
        try {
          result[name] = await fn(ctx);
        } catch (e) {
          result[name] = { error: String(e.message).slice(0, 500) };
          log(`${name}: failed: ${e.message}`);
        }
      }
      return result;
    }
    let t = performance.now();
    result.feeds = await importFixtureFeeds(root, fixtures, server.url);
    await until(async () => (await jobsBusy(db)) === 0, 300_000, 500);
    result.feedSeconds = (performance.now() - t) / 1000;
    log(`fixture feeds imported through the server in ${result.feedSeconds.toFixed(1)} s`);

    t = performance.now();
    const fleet = await ScaleFleet.create(fixtures, o.hosts);
    result.bases = fleet.bases.map((b) => ({
      name: b.name,
      label: b.label,
      share: b.share,
      packages: b.packages.length,
    }));
    result.baseHosts = {};
    for (let i = 0; i < o.hosts; i++) {
      const n = fleet.host(i).base.name;
      result.baseHosts[n] = (result.baseHosts[n] ?? 0) + 1;
    }
    const agents = Array.from({ length: o.hosts }, (_, i) => ({
      i,
      credential: null,
      hash: null,
      hostId: null,
    }));
    const ctx = { root, fleet, agents, pool, db, server, sampler, o, databaseUrl: cluster.url };

    // Every phase needs enrolled hosts with inventories: `assess` is always run, and its failure ends
    // the run. A later phase that fails is recorded as such and the others still run; with
    // `partial`, the result so far is written after each phase (an hour-long run keeps what it measured).
    const phase = async (name, fn) => {
      try {
        result[name] = await fn();
      } catch (e) {
        if (name === 'assess') throw e;
        result[name] = { error: String(e.message).slice(0, 500) };
        log(`${name}: failed: ${e.message}`);
      }
      if (o.partial) writeFileSync(o.partial, JSON.stringify(result));
    };
    await phase('assess', () => phaseAssess(ctx));
    if (has('sizes')) await phase('sizes', () => phaseSizes(ctx));
    if (has('advisory')) await phase('advisory', () => phaseAdvisory(ctx));
    if (has('deploy')) await phase('deploy', () => phaseDeploy(ctx));
    if (has('lists'))
      await phase('lists', () => phaseLists({ ...ctx, deploymentId: result.deploy?.deploymentId }));
    if (has('verify')) await phase('verify', () => phaseVerify(ctx));
    if (o.hold) {
      log(`holding: PostgreSQL ${cluster.url}, server ${server.url} (pid ${server.pid}); ^C to stop`);
      await new Promise(() => {});
    }
    return result;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await cleanUp();
  }
}

/** For bench/run.js: the harness at PATCHLOOP_SCALE_HOSTS hosts (default 50,000), its section of BENCHMARKS.md. */
export async function recordScale(root, fixtures, opts = {}) {
  const hosts = Number(process.env.PATCHLOOP_SCALE_HOSTS ?? 50_000);
  const r = await runScaleBench(root, fixtures, { hosts, ...opts });
  writeSection(root, scaleMarkdown(r), HEADING);
  return r;
}

if (isMain(import.meta.url)) {
  const o = parseArgs(process.argv.slice(2));
  const { out, write, ...opts } = o;
  await standalone({
    run: async () => {
      const r = await runScaleBench(benchRoot, benchFixtures, {
        ...opts,
        partial: out ? `${out}.partial` : undefined,
      });
      if (out) writeFileSync(out, JSON.stringify(r));
      return r;
    },
    // On a store of another run (--database): only what was measured on it.
    markdown: opts.database
      ? (r) => (r.lists?.results ? listsSection(r) : JSON.stringify(r.lists))
      : scaleMarkdown,
    heading: HEADING,
    write,
    raw: `patchloop-scale-${opts.hosts ?? 50_000}.json`,
    log,
  });
}
