// A Debian-sized OSV sync inside a running server (#14): `patchloop server` as a real process, on
// PGlite and on PostgreSQL, syncing online from a copy of OSV's bucket served by this process on
// 127.0.0.1 (PATCHLOOP_FEED_URL_OSV; Debian/all.zip built by @patchloop/feeds/testing, and
// Debian/modified_id.csv). While the sync runs this process measures `/healthz` latency (one
// request every 50 ms, open loop), the latency of an agent's check-ins (one host enrolled through
// the real `Agent` class, a heartbeat every 500 ms), the server's RSS over time, the sync child's
// peak RSS (VmHWM of the server's child process) and, on PostgreSQL, the cluster's memory. Then a
// second sync with 1 % of the records changed, as OSV publishes a change: a newer line at the top
// of modified_id.csv and the record at Debian/<ID>.json.
//   node bench/sync-latency.js [--records N] [--backend both|pglite|postgres] [--profile DIR] [--no-write]
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import {
  copyFileSync,
  createReadStream,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, localRunner } from '@patchloop/agent';
import { parseInventoryCsv } from '@patchloop/core';
import { buildOsvArchive } from '@patchloop/feeds/testing';
import { createDatabase, startPgCluster } from '@patchloop/test-support/pg';
import { ADMIN_TOKEN, ENROLL_SECRET, spawnServer } from './checkin-load-http.js';
import { clusterUsage, findPostmaster, procStat } from './checkin-load-proc.js';
import { describeMachine } from './machine.js';
import { benchRoot, isMain, standalone, writeSection } from './standalone.js';

const HEADING = '## Feed sync inside the server';
export const SYNC_AIMS = { childRssMiB: 512, healthP99Ms: 100, incrementalShare: 0.05 };
const T0 = performance.now();
const log = (s) =>
  process.stderr.write(`sync-latency [${((performance.now() - T0) / 1000).toFixed(0)} s]: ${s}\n`);

const kb = (pid, key) => {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
};

function childrenOf(ppid) {
  const out = [];
  for (const d of readdirSync('/proc'))
    if (/^\d+$/.test(d) && procStat(d)?.ppid === ppid) out.push(Number(d));
  return out;
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? null;
  return { count: s.length, p50: at(0.5), p99: at(0.99), max: s.at(-1) ?? null };
}

/** Samples the server, its children (the sync child) and the PostgreSQL cluster every 100 ms. */
class Watch {
  constructor(serverPid, postmaster) {
    this.serverPid = serverPid;
    this.postmaster = postmaster;
    this.reset();
    this.timer = setInterval(() => this.sample(), 100);
  }
  reset() {
    this.t = performance.now();
    this.serverRss = []; // [seconds, MiB]
    this.children = new Map(); // pid -> { first, last, hwm, cmd }
    this.pgPss = 0;
  }
  sample() {
    const now = (performance.now() - this.t) / 1000;
    const rss = kb(this.serverPid, 'VmRSS');
    if (rss !== null) this.serverRss.push([now, rss]);
    for (const pid of childrenOf(this.serverPid)) {
      const c = this.children.get(pid) ?? { first: now, last: now, hwm: 0 };
      c.last = now;
      c.hwm = Math.max(c.hwm, kb(pid, 'VmHWM') ?? 0);
      this.children.set(pid, c);
    }
    if (this.postmaster) this.pgPss = Math.max(this.pgPss, clusterUsage(this.postmaster)?.pssMiB ?? 0);
  }
  window() {
    const rss = this.serverRss.map(([, v]) => v);
    const kids = [...this.children.values()];
    return {
      serverRssStartMiB: Math.round(rss[0] ?? 0),
      serverRssPeakMiB: Math.round(Math.max(0, ...rss)),
      serverRssEndMiB: Math.round(rss.at(-1) ?? 0),
      // Every 5 s, for the section's RSS-over-time line.
      serverRssSeries: this.serverRss
        .filter((_, i) => i % 50 === 0)
        .map(([t, v]) => [Math.round(t), Math.round(v)]),
      childPeakMiB: Math.round(Math.max(0, ...kids.map((c) => c.hwm))),
      childSeconds: Math.max(0, ...kids.map((c) => c.last - c.first)),
      children: kids.length,
      pgPssPeakMiB: this.postmaster ? Math.round(this.pgPss) : null,
    };
  }
  stop() {
    clearInterval(this.timer);
  }
}

/** `/healthz` every 50 ms, each request on its own (open loop), and the agent's check-ins. */
function probes(url, agent) {
  const health = [];
  const checkins = [];
  const errors = [];
  let on = true;
  const tick = setInterval(() => {
    const t = performance.now();
    fetch(`${url}/healthz`)
      .then(async (r) => {
        await r.arrayBuffer();
        if (!r.ok) throw new Error(`/healthz: ${r.status}`);
        health.push(performance.now() - t);
      })
      .catch((e) => errors.push(e.message));
  }, 50);
  const heartbeats = (async () => {
    while (on) {
      const t = performance.now();
      try {
        const r = await agent.checkinOnce();
        if (r.sent !== 'same') errors.push(`check-in sent ${r.sent}`);
        checkins.push(performance.now() - t);
      } catch (e) {
        errors.push(`check-in: ${e.message}`);
      }
      await sleep(Math.max(0, 500 - (performance.now() - t)));
    }
  })();
  return {
    async stop() {
      on = false;
      clearInterval(tick);
      await heartbeats;
      await sleep(200); // the last /healthz answers
      return {
        health: stats(health),
        checkin: stats(checkins),
        errors: errors.slice(0, 5),
        errorCount: errors.length,
      };
    },
  };
}

async function api(url, path, init = {}) {
  const r = await fetch(`${url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
  });
  const body = await r.json();
  if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(body)}`);
  return body;
}

const osvOf = async (url) => (await api(url, '/api/v1/feeds')).items.find((i) => i.source === 'osv');

/**
 * Queues a sync and waits for it to end. Returns the sync's own time (until the source is no
 * longer running: downloaded, imported, committed), the whole time (until the jobs it caused,
 * the hosts' re-assessment, are done too) and the OSV status after it.
 */
async function syncOnce(url) {
  const before = await osvOf(url);
  const t = performance.now();
  await api(url, '/api/v1/feeds/sync', { method: 'POST', body: JSON.stringify({ sources: ['osv'] }) });
  let seenRunning = false;
  let syncSeconds = null;
  for (;;) {
    await sleep(100);
    const feeds = await api(url, '/api/v1/feeds');
    const osv = feeds.items.find((i) => i.source === 'osv');
    const running = feeds.items.some((i) => i.running);
    if (running) seenRunning = true;
    if (syncSeconds === null && !running && (seenRunning || osv.lastImport !== before.lastImport)) {
      syncSeconds = (performance.now() - t) / 1000;
    }
    const ended = !running && (feeds.jobs.running ?? 0) === 0 && (feeds.jobs.queued ?? 0) === 0;
    if (ended && syncSeconds !== null) {
      return { syncSeconds, seconds: (performance.now() - t) / 1000, osv };
    }
    if (performance.now() - t > 1_800_000) throw new Error('the sync did not end in 30 min');
  }
}

/** OSV's bucket, as its HTTP server answers: the files, or 404. Counts the requests per kind. */
async function serveBucket(dir) {
  const asked = { zip: 0, csv: 0, json: 0 };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const ext = path.slice(path.lastIndexOf('.') + 1);
    if (ext in asked) asked[ext]++;
    res.writeHead(200, { 'content-length': statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, asked, close: () => server.close() };
}

/** modified_id.csv for the baseline: every record, changed long ago. */
function baselineCsv(ecoDir, zip) {
  const names = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8', maxBuffer: 1 << 26 })
    .split('\n')
    .filter((n) => n.endsWith('.json'));
  writeFileSync(
    join(ecoDir, 'modified_id.csv'),
    `${names.map((n) => `2025-01-01T00:00:00Z,${n.slice(0, -5)}`).join('\n')}\n`,
  );
}

/**
 * 1 % of the archive's records, changed (a new `modified`, a longer `details`), written as
 * `<ID>.json` beside all.zip, and a modified_id.csv listing every record, the changed ones first.
 */
function changeOnePercent(ecoDir, zip, share) {
  const names = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8', maxBuffer: 1 << 26 })
    .split('\n')
    .filter((n) => n.endsWith('.json'));
  const step = Math.round(1 / share);
  const picked = names.filter((_, i) => i % step === 0);
  const out = join(ecoDir, '.unpacked');
  execFileSync('unzip', ['-q', '-o', zip, ...picked, '-d', out], { maxBuffer: 1 << 26 });
  const now = new Date().toISOString();
  for (const n of picked) {
    const rec = JSON.parse(readFileSync(join(out, n), 'utf8'));
    rec.modified = now;
    rec.details = `${rec.details ?? ''} (revised by the benchmark)`;
    writeFileSync(join(ecoDir, n), JSON.stringify(rec));
  }
  rmSync(out, { recursive: true, force: true });
  const changed = new Set(picked);
  const older = '2025-01-01T00:00:00Z';
  const lines = [
    ...picked.map((n) => `${now},${n.slice(0, -5)}`),
    ...names.filter((n) => !changed.has(n)).map((n) => `${older},${n.slice(0, -5)}`),
  ];
  writeFileSync(join(ecoDir, 'modified_id.csv'), `${lines.join('\n')}\n`);
  return picked.length;
}

function debianHost() {
  const fixtures = process.env.PATCHLOOP_FIXTURES ?? resolve(import.meta.dirname, '../../shared/fixtures');
  const csv = readFileSync(
    join(fixtures, 'inventories/normalized/debian12-bookworm-host.dpkg-status.csv'),
    'utf8',
  );
  return parseInventoryCsv(csv).packages.map((p) => ({
    name: p.name,
    version: p.version,
    arch: p.arch ?? '',
    sourceName: p.sourceName,
    sourceVersion: p.sourceVersion,
    vendor: null,
  }));
}

async function runBackend(root, backend, archive, cluster, share, profileDir) {
  const dir = join(tmpdir(), `pl-sync-latency-${backend}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const ecoDir = join(dir, 'bucket', 'Debian');
  mkdirSync(ecoDir, { recursive: true });
  const bucket = await serveBucket(join(dir, 'bucket'));
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('PATCHLOOP_')) delete env[k];
  Object.assign(env, {
    PATCHLOOP_ADMIN_TOKEN: ADMIN_TOKEN,
    PATCHLOOP_ENROLL_SECRET: ENROLL_SECRET,
    PATCHLOOP_FEED_URL_OSV: bucket.url,
    PATCHLOOP_OSV_ECOSYSTEMS: 'Debian',
    PATCHLOOP_FEED_SYNC_INTERVAL: '0',
    PATCHLOOP_LOG_LEVEL: 'warn',
  });
  // --profile DIR: the server writes a V8 CPU profile of its main thread there (bench/cpuprofile-top.js reads it).
  const args = [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    join(root, 'packages/cli/bin/patchloop.js'),
    'server',
    '--port',
    '0',
  ];
  let postmaster = null;
  if (backend === 'postgres') {
    env.PATCHLOOP_DATABASE_URL = await createDatabase(cluster.url, `sync_latency_${Date.now()}`);
    postmaster = findPostmaster(new URL(cluster.url).port);
  } else args.push('--data-dir', join(dir, 'data'));
  // No sync on a schedule: the syncs below are the ones measured.
  const server = await spawnServer(args, {
    env,
    ready: (out) => /listening on (http:\/\/\S+)/.exec(out)?.[1],
  });
  const url = server.value;
  const watch = new Watch(server.pid, postmaster);
  const result = { backend };
  try {
    await sleep(3000);
    const packages = debianHost();
    const agent = new Agent({
      server: url,
      enrollSecret: ENROLL_SECRET,
      tags: ['bench'],
      runner: localRunner({ root: '/' }),
      stateDir: join(dir, 'agent'),
      collect: async () => ({
        machineId: 'b'.repeat(32),
        facts: {
          hostname: 'bench-bookworm',
          os: {
            id: 'debian',
            versionId: '12',
            codename: 'bookworm',
            prettyName: 'Debian GNU/Linux 12 (bookworm)',
          },
          arch: 'x86_64',
          kernel: { running: null, newestInstalled: null },
          reboot: { required: false, reasons: [], packages: [] },
        },
        manager: 'dpkg',
        packages,
        updates: [],
        warnings: [],
      }),
    });
    const full = await agent.checkinOnce();
    if (full.sent !== 'full') throw new Error(`first check-in sent ${full.sent}`);
    result.packages = packages.length;

    // Idle: 5 s of probes with no sync, for comparison.
    watch.reset();
    let p = probes(url, agent);
    await sleep(5000);
    result.idle = { ...(await p.stop()), ...watch.window() };
    log(`${backend} idle: ${JSON.stringify(result.idle.health)}`);

    try {
      linkSync(archive.path, join(ecoDir, 'all.zip'));
    } catch {
      copyFileSync(archive.path, join(ecoDir, 'all.zip'));
    }
    baselineCsv(ecoDir, archive.path);
    watch.reset();
    p = probes(url, agent);
    const full1 = await syncOnce(url);
    result.full = {
      ...(await p.stop()),
      ...watch.window(),
      seconds: full1.seconds,
      syncSeconds: full1.syncSeconds,
      osv: pick(full1.osv),
    };
    result.full.asked = { ...bucket.asked };
    for (const k of Object.keys(bucket.asked)) bucket.asked[k] = 0;
    log(`${backend} full: ${JSON.stringify({ ...result.full, serverRssSeries: undefined })}`);

    result.changed = changeOnePercent(ecoDir, archive.path, share);
    watch.reset();
    p = probes(url, agent);
    const inc = await syncOnce(url);
    result.incremental = {
      ...(await p.stop()),
      ...watch.window(),
      seconds: inc.seconds,
      syncSeconds: inc.syncSeconds,
      osv: pick(inc.osv),
    };
    result.incremental.asked = { ...bucket.asked };
    log(`${backend} 1 %: ${JSON.stringify({ ...result.incremental, serverRssSeries: undefined })}`);
    result.serverAlive = server.child.exitCode === null;
  } finally {
    watch.stop();
    bucket.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

const pick = (s) => ({
  records: s.records,
  lastStatus: s.lastStatus,
  lastError: s.lastError,
  lastErrorCode: s.lastErrorCode,
});

export async function runSyncLatencyBench(root, opts = {}) {
  const backends = (opts.backend ?? 'both') === 'both' ? ['pglite', 'postgres'] : [opts.backend];
  const archive = await buildOsvArchive({ ecosystem: 'Debian', records: Number(opts.records ?? 40000) });
  log(`archive: ${archive.records} records, ${(archive.bytes / 1e6).toFixed(1)} MB`);
  const cluster = backends.includes('postgres') ? await startPgCluster() : null;
  const rows = [];
  const loadAvg = [loadavg()[0]];
  try {
    for (const b of backends) rows.push(await runBackend(root, b, archive, cluster, 0.01, opts.profile));
  } finally {
    cluster?.stop();
  }
  loadAvg.push(loadavg()[0]);
  return { archive, rows, loadAvg };
}

const errorsLine = (rows) => {
  const bad = rows.flatMap((r) =>
    [
      ['idle', r.idle],
      ['full sync', r.full],
      ['1 % changed', r.incremental],
    ]
      .filter(([, w]) => w.errorCount > 0)
      .map(([name, w]) => `${r.backend} ${name}: ${w.errorCount} (${[...new Set(w.errors)].join('; ')})`),
  );
  return bad.length === 0
    ? 'No probe failed.'
    : `Probes that failed (not counted in the latencies): ${bad.join('; ')}.`;
};

export function syncLatencyMarkdown({ archive, rows, loadAvg }) {
  const m = describeMachine();
  const f = (x) => (x === null || x === undefined ? '–' : x.toFixed(1));
  const lat = (s) => `${f(s.p50)} / ${f(s.p99)} / ${f(s.max)} (${s.count})`;
  const yes = (ok) => (ok ? 'met' : '**not met**');
  const phase = (r, name, w) =>
    `| ${r.backend} | ${name} | ${w.seconds === undefined ? '–' : `${w.syncSeconds.toFixed(1)} / ${w.seconds.toFixed(1)}`} | ${lat(w.health)} | ${lat(w.checkin)} | ${w.serverRssStartMiB} → ${w.serverRssPeakMiB} | ${w.children ? w.childPeakMiB : '–'} | ${w.pgPssPeakMiB ?? '–'} | ${w.errorCount} |`;
  const pg = rows.find((r) => r.backend === 'postgres');
  const aims = rows
    .map((r) => {
      const share = r.incremental.syncSeconds / r.full.syncSeconds;
      return `- ${r.backend}: \`/healthz\` p99 during the full sync ${f(r.full.health.p99)} ms (aim < ${SYNC_AIMS.healthP99Ms} ms: ${yes(r.full.health.p99 < SYNC_AIMS.healthP99Ms)}); the sync with 1 % changed took ${(share * 100).toFixed(1)} % of the full sync's time (${r.incremental.syncSeconds.toFixed(1)} s of ${r.full.syncSeconds.toFixed(1)} s; the hosts' re-assessment after it is not counted) (aim < ${SYNC_AIMS.incrementalShare * 100} %: ${yes(share < SYNC_AIMS.incrementalShare)})${r.backend === 'postgres' ? `; sync child peak RSS ${r.full.childPeakMiB} MiB (aim ≤ ${SYNC_AIMS.childRssMiB} MiB: ${yes(r.full.childPeakMiB <= SYNC_AIMS.childRssMiB)})` : ''}.`;
    })
    .join('\n');
  const series = rows
    .map(
      (r) =>
        `- ${r.backend}, full sync: ${r.full.serverRssSeries.map(([t, v]) => `${t} s ${v}`).join(', ')} MiB`,
    )
    .join('\n');
  return `${HEADING}

\`node bench/sync-latency.js\` on ${new Date().toISOString().slice(0, 10)}: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}.
The 1-minute load average was ${loadAvg.map((l) => l.toFixed(1)).join(' at the start, ')} at the end (2 cores: anything above the run's own load is other work on the machine).
\`patchloop server\` runs as its own process (on PGlite, and on a throwaway PostgreSQL cluster) and syncs
online (\`POST /api/v1/feeds/sync\` with \`{"sources":["osv"]}\`, in the server's child process) from a copy of
OSV's bucket that this process serves on 127.0.0.1 (\`PATCHLOOP_FEED_URL_OSV\`, \`PATCHLOOP_OSV_ECOSYSTEMS=Debian\`):
\`Debian/all.zip\` (${archive.records} records, ${(archive.bytes / 1e6).toFixed(1)} MB, built by \`@patchloop/feeds/testing\`)
and \`Debian/modified_id.csv\`. The sync ends when \`GET /api/v1/feeds\` (polled every 100 ms) shows nothing
running. Meanwhile this process sends \`GET /healthz\` every 50 ms (each on its own, not waiting for the
previous one) and one host enrolled through the real \`Agent\` class (the Debian 12 build host,
${rows[0]?.packages ?? '?'} packages) checks in every 500 ms (\`checkinOnce\`, a heartbeat: the server already
holds its inventory). "idle" is 5 s of the same probes before the sync. "1 %" is a second sync after
${rows[0]?.changed ?? '?'} records (1 %) were changed as OSV publishes a change: newer lines at the top of
\`modified_id.csv\` and each record at \`Debian/<ID>.json\`. Server RSS is VmRSS sampled every 100 ms
(start → peak; on PGlite the database lives in the server process, on its own thread); the sync child's is
its VmHWM; PostgreSQL is the sum of the cluster's processes' PSS at its peak.

| backend | phase | sync s / with re-assessment | \`/healthz\` ms p50 / p99 / max (n) | check-in ms p50 / p99 / max (n) | server RSS MiB | sync child peak MiB | PostgreSQL PSS MiB | errors |
| --- | --- | ---: | --- | --- | --- | ---: | ---: | ---: |
${rows.flatMap((r) => [phase(r, 'idle', r.idle), phase(r, 'full sync', r.full), phase(r, '1 % changed', r.incremental)]).join('\n')}

${errorsLine(rows)}

Records stored after each sync: ${rows.map((r) => `${r.backend} ${r.full.osv.records} (${r.full.osv.lastStatus}), then ${r.incremental.osv.records} (${r.incremental.osv.lastStatus})`).join('; ')}.
Server RSS during the full sync (every 5 s):
${series}

Aims (#14):
${aims}
${pg ? '' : '- PostgreSQL was not measured in this run.\n'}
Requests the bucket answered (zip / csv / json): ${rows.map((r) => `${r.backend} full ${r.full.asked.zip} / ${r.full.asked.csv} / ${r.full.asked.json}, 1 % ${r.incremental.asked.zip} / ${r.incremental.asked.csv} / ${r.incremental.asked.json}`).join('; ')}.
`;
}

/** For bench/run.js: its own section, appended to the BENCHMARKS.md just written. */
export async function recordSyncLatency(root) {
  writeSection(root, syncLatencyMarkdown(await runSyncLatencyBench(root)), HEADING);
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      records: { type: 'string' },
      backend: { type: 'string' },
      profile: { type: 'string' },
      'no-write': { type: 'boolean' },
    },
  });
  await standalone({
    run: () => runSyncLatencyBench(benchRoot, values),
    markdown: syncLatencyMarkdown,
    heading: HEADING,
    write: !values['no-write'],
    raw: 'pl-sync-latency.json',
  });
}
