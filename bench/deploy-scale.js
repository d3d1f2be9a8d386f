// A deployment at fleet scale (issue #17): a throwaway PostgreSQL cluster, `patchloop server` as
// its own process, N hosts enrolled over HTTP with a minimal inventory (one package with an
// update), then N simulated agents parked in the real job long poll. One deployment to every host
// (POST /api/v1/deployments by hand: hosts × package) is created; each agent takes its job and
// reports installing, then succeeded with the target version, over the real agent protocol.
// Measures the create+plan time (the POST), the dispatch rate (jobs received per second from the
// POST's answer to the last job), the time until the deployment completes, the deployment view's
// latency (first page, and pages by cursor) while agents report and once done, and the server's
// peak RSS.
//
//   node bench/deploy-scale.js [--hosts N] [--root DIR] [--no-write]
//
// `--root DIR` runs another checkout's server (its build) with this harness: how the "before"
// figures of BENCHMARKS.md were measured against main. `npm run bench` runs it through
// recordDeployScale().
import { setTimeout as sleep } from 'node:timers/promises';
import { resolve } from 'node:path';
import { Agent, Pool } from 'undici';
import { startPgCluster } from '@patchloop/test-support/pg';
import { canonicalInventory } from '@patchloop/core';
import { createHash } from 'node:crypto';
import { describeMachine } from './machine.js';
import { benchRoot, isMain, standalone, writeSection } from './standalone.js';
import { ADMIN_TOKEN, ENROLL_SECRET, each, latencyStats, post, startServer } from './checkin-load-http.js';
import { findPostmaster, Sampler } from './checkin-load-proc.js';

const HEADING = '## A deployment to 10,000 hosts';
export const DEPLOY_AIM = { tasksPerSecond: 500, viewP95Ms: 300 };
const PKG = { name: 'bench-tool', from: '1.0-1', to: '1.0-2' };

const T0 = performance.now();
const log = (s) => console.log(`deploy-scale [${((performance.now() - T0) / 1000).toFixed(1)} s]: ${s}`);

function parseArgs(argv) {
  const o = { hosts: 10_000, root: benchRoot, write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--hosts') o.hosts = Number(v());
    else if (a === '--root') o.root = resolve(v());
    else if (a === '--no-write') o.write = false;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const machineId = (i) => `deploy-agent-${String(i).padStart(6, '0')}`;

/** A minimal first check-in: one installed package and its update, so the host can run a deployment. */
function fullBody(i) {
  const packages = [
    { name: PKG.name, version: PKG.from, arch: 'amd64', sourceName: PKG.name, sourceVersion: PKG.from },
  ];
  const updates = [
    {
      name: PKG.name,
      arch: 'amd64',
      installedVersion: PKG.from,
      candidateVersion: PKG.to,
      repository: 'bookworm',
      security: false,
      advisoryIds: [],
      classification: 'bugfix',
    },
  ];
  const hash = createHash('sha256')
    .update(canonicalInventory('dpkg', packages, updates))
    .digest('hex');
  return JSON.stringify({
    agentVersion: '0.1.0',
    machineId: machineId(i),
    facts: {
      hostname: `deploy-${String(i).padStart(6, '0')}`,
      os: {
        id: 'debian',
        versionId: '12',
        codename: 'bookworm',
        prettyName: 'Debian GNU/Linux 12 (bookworm)',
      },
      arch: 'x86_64',
      kernel: { running: '6.1.0-18-amd64', newestInstalled: '6.1.0-18-amd64' },
      reboot: { required: false, reasons: [], packages: [] },
    },
    inventory: { kind: 'full', hash, manager: 'dpkg', packages, updates },
  });
}

async function getJson(pool, path, token = ADMIN_TOKEN) {
  const t = performance.now();
  const res = await pool.request({ path, method: 'GET', headers: { authorization: `Bearer ${token}` } });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode} ${text.slice(0, 500)}`);
  return { ms: performance.now() - t, body: JSON.parse(text), bytes: text.length };
}

export async function runDeployScaleBench(o) {
  const result = { params: { hosts: o.hosts, root: o.root } };
  const cleanups = [];
  try {
    const cluster = await startPgCluster();
    cleanups.push(() => cluster.stop());
    const postmaster = findPostmaster(new URL(cluster.url).port);
    const server = await startServer(o.root, cluster.url);
    cleanups.push(() => server.stop());
    const sampler = new Sampler({ serverPid: server.pid, postmaster });
    cleanups.push(() => sampler.stop());
    // Setup and console calls: a few connections. The long polls: one connection each, like agents.
    const pool = new Pool(server.url, { connections: 32, keepAliveTimeout: 60_000 });
    cleanups.push(() => pool.close());
    const polls = new Agent({
      connections: o.hosts + 16,
      pipelining: 1,
      keepAliveTimeout: 120_000,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    cleanups.push(() => polls.close());
    log(`server ${server.url} (pid ${server.pid}) from ${o.root}`);

    const hosts = Array.from({ length: o.hosts }, (_, i) => ({ i, credential: null }));
    let t = performance.now();
    await each(hosts, 16, async (h) => {
      const r = await post(
        pool,
        '/api/v1/enroll',
        JSON.stringify({
          secret: ENROLL_SECRET,
          machineId: machineId(h.i),
          hostname: `deploy-${h.i}`,
          tags: ['bench'],
        }),
      );
      if (r.status !== 201) throw new Error(`enroll ${h.i}: ${r.status} ${r.text}`);
      h.credential = JSON.parse(r.text).credential;
      const c = await post(pool, '/api/v1/agent/checkin', fullBody(h.i), h.credential);
      if (c.status !== 200) throw new Error(`check-in ${h.i}: ${c.status} ${c.text}`);
    });
    result.setupSeconds = (performance.now() - t) / 1000;
    log(`enrolled and checked in ${o.hosts} hosts in ${result.setupSeconds.toFixed(1)} s`);

    // Host ids, through the API.
    const ids = [];
    for (let offset = 0; ids.length < o.hosts; offset += 1000) {
      const r = await getJson(pool, `/api/v1/hosts?limit=1000&offset=${offset}`);
      ids.push(...r.body.items.map((x) => x.id));
      if (r.body.items.length === 0) break;
    }
    // Let the check-ins' assessments finish first: the deployment is measured on a quiet server.
    t = performance.now();
    for (;;) {
      const f = await getJson(pool, '/api/v1/feeds');
      const busy = (f.body.jobs.queued ?? 0) + (f.body.jobs.running ?? 0);
      if (busy === 0 || performance.now() - t > 600_000) break;
      await sleep(1000);
    }
    log(`assessments drained ${((performance.now() - t) / 1000).toFixed(1)} s after the check-ins`);

    // The agents: each parks in the job long poll until its job comes, then reports it done.
    const received = [];
    let completedReports = 0;
    let failures = 0;
    let stop = false;
    const agent = async (h) => {
      const machine = machineId(h.i);
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${h.credential}` };
      while (!stop) {
        let jobs;
        try {
          const res = await polls.request({
            origin: server.url,
            path: '/api/v1/agent/jobs/poll',
            method: 'POST',
            headers,
            body: JSON.stringify({ machineId: machine, waitSeconds: 25 }),
          });
          const text = await res.body.text();
          if (res.statusCode !== 200) throw new Error(`poll: ${res.statusCode} ${text.slice(0, 200)}`);
          jobs = JSON.parse(text).jobs;
        } catch {
          if (stop) return;
          failures++;
          await sleep(1000);
          continue;
        }
        for (const job of jobs) {
          received.push(performance.now());
          const report = (body) =>
            post(
              pool,
              `/api/v1/agent/jobs/${job.id}/report`,
              JSON.stringify({ machineId: machine, log: '', ...body }),
              h.credential,
            );
          const before = job.packages.map((p) => ({ name: p.name, version: PKG.from }));
          await report({ state: 'installing', before, log: `Unpacking ${PKG.name} (${PKG.to}) ...` });
          const r = await report({
            state: 'succeeded',
            before,
            after: job.packages.map((p) => ({ name: p.name, version: p.version })),
          });
          if (r.status === 200) completedReports++;
          else failures++;
          return;
        }
      }
    };
    const running = hosts.map((h) => agent(h));
    await sleep(3000);
    log(`${o.hosts} agents polling`);

    sampler.mark();
    t = performance.now();
    const c = await post(
      pool,
      '/api/v1/deployments',
      JSON.stringify({ hosts: ids, packages: [{ name: PKG.name, version: PKG.to }], reboot: 'never' }),
      ADMIN_TOKEN,
    );
    const created = performance.now();
    if (c.status !== 201) throw new Error(`create: ${c.status} ${c.text.slice(0, 500)}`);
    const id = JSON.parse(c.text).id;
    result.createSeconds = (created - t) / 1000;
    log(`deployment ${id} created in ${result.createSeconds.toFixed(2)} s`);

    // The console follows it: the first page every 250 ms while it runs.
    const liveViews = [];
    let done = null;
    const deadline = created + 30 * 60_000;
    while (performance.now() < deadline) {
      const v = await getJson(pool, `/api/v1/deployments/${id}`);
      liveViews.push(v.ms);
      if (
        ['completed', 'failed', 'halted'].includes(v.body.status) &&
        completedReports + failures >= ids.length
      ) {
        done = v.body;
        break;
      }
      await sleep(250);
    }
    const finished = performance.now();
    stop = true;
    result.load = sampler.window();
    received.sort((a, b) => a - b);
    result.received = received.length;
    result.completedReports = completedReports;
    result.failures = failures;
    result.status = done?.status ?? 'timed out';
    result.dispatchSeconds = received.length ? (received[received.length - 1] - created) / 1000 : null;
    result.firstJobSeconds = received.length ? (received[0] - created) / 1000 : null;
    result.tasksPerSecond =
      received.length && result.dispatchSeconds > 0 ? received.length / result.dispatchSeconds : null;
    result.completeSeconds = (finished - created) / 1000;
    result.liveView = latencyStats(new Float64Array(liveViews), liveViews.length);
    log(
      `${received.length} jobs received in ${result.dispatchSeconds?.toFixed(1)} s (${result.tasksPerSecond?.toFixed(0)} tasks/s), ${result.status} after ${result.completeSeconds.toFixed(1)} s; view p95 ${result.liveView.p95 ?? result.liveView.p99} ms`,
    );

    // Once done: the first page and pages through the whole deployment by cursor (or the one answer of an older server).
    sampler.mark();
    const quiet = [];
    let bytes = 0;
    for (let k = 0; k < 20; k++) {
      const v = await getJson(pool, `/api/v1/deployments/${id}`);
      quiet.push(v.ms);
      bytes = v.bytes;
    }
    let after = null;
    let pages = 0;
    const paged = [];
    do {
      const v = await getJson(
        pool,
        `/api/v1/deployments/${id}?limit=200${after ? `&after=${encodeURIComponent(after)}` : ''}`,
      );
      paged.push(v.ms);
      after = v.body.hostsNext ?? null;
      pages++;
    } while (after !== null && pages < 100);
    result.quietView = { ...latencyStats(new Float64Array(quiet), quiet.length), bytes };
    result.pagedView = { pages, ...latencyStats(new Float64Array(paged), paged.length) };
    result.quiet = sampler.window();
    log(
      `view when done: p50 ${result.quietView.p50.toFixed(0)} ms, ${bytes} bytes; ${pages} pages p95 ${result.pagedView.p90.toFixed(0)}+ ms`,
    );
    await Promise.race([Promise.all(running), sleep(30_000)]);
  } catch (e) {
    log(`failed: ${e.stack ?? e}`);
    throw e;
  } finally {
    for (const c of cleanups.reverse())
      await Promise.resolve()
        .then(c)
        .catch(() => {});
  }
  return result;
}

const ms = (x) => (x === null || x === undefined ? '—' : `${x.toFixed(0)} ms`);

export function deployScaleMarkdown(r, before = null) {
  const m = describeMachine();
  const row = (name, f, aim = '') => `| ${name} | ${f(r)} | ${before ? f(before) : '—'} | ${aim} |`;
  return `${HEADING}

\`node bench/deploy-scale.js\` on ${new Date().toISOString().slice(0, 10)}: a throwaway PostgreSQL cluster,
\`patchloop server\` as its own process, ${r.params.hosts} hosts enrolled over HTTP with a one-package
inventory and its update, ${r.params.hosts} simulated agents parked in the real job long poll (one
connection each); one manual deployment to every host, each agent reports \`installing\` then
\`succeeded\` with the target version. Machine: ${m.cpu}, ${m.cores} cores (shared with other work
while measured), ${m.memoryGiB} GiB, Node ${m.node}. "Before" is the same harness against the server
of the previous release (\`--root\` of a checkout of it), in the same session.

| step | now | before | aim |
| --- | ---: | ---: | --- |
${row('create + plan (the POST)', (x) => `${x.createSeconds.toFixed(2)} s`)}
${row('first job received after the POST', (x) => (x.firstJobSeconds === null ? '—' : `${x.firstJobSeconds.toFixed(2)} s`))}
${row('dispatch: jobs received per second (POST answered → last job)', (x) => (x.tasksPerSecond === null ? '—' : `${x.tasksPerSecond.toFixed(0)} tasks/s`), `≥ ${DEPLOY_AIM.tasksPerSecond}`)}
${row('deployment completed (every report in)', (x) => `${x.completeSeconds.toFixed(1)} s (${x.status}, ${x.completedReports} reports, ${x.failures} failures)`)}
${row('view while it runs (first page, every 250 ms): p50 / p99', (x) => `${ms(x.liveView.p50)} / ${ms(x.liveView.p99)} (${x.liveView.count} calls)`, `p95 ≤ ${DEPLOY_AIM.viewP95Ms} ms`)}
${row('view when done (20 calls): p50 / p90 / max; body', (x) => `${ms(x.quietView.p50)} / ${ms(x.quietView.p90)} / ${ms(x.quietView.max)}; ${(x.quietView.bytes / 1024).toFixed(0)} KiB`, `p95 ≤ ${DEPLOY_AIM.viewP95Ms} ms`)}
${row('every page by cursor (200 hosts): pages, p50 / p90', (x) => `${x.pagedView.pages}, ${ms(x.pagedView.p50)} / ${ms(x.pagedView.p90)}`)}
${row('server peak RSS while it runs / when done', (x) => `${x.load.serverRssMiB.toFixed(0)} / ${x.quiet.serverRssMiB.toFixed(0)} MiB`)}
${row('server CPU while it runs (of one core)', (x) => `${x.load.serverCpuPct.toFixed(0)} %`)}
`;
}

/** `npm run bench`: its section of BENCHMARKS.md (no "before" column). */
export async function recordDeployScale() {
  const r = await runDeployScaleBench({ hosts: 10_000, root: benchRoot });
  writeSection(benchRoot, deployScaleMarkdown(r), HEADING);
}

if (isMain(import.meta.url)) {
  const o = parseArgs(process.argv.slice(2));
  await standalone({
    run: () => runDeployScaleBench(o),
    markdown: (r) => deployScaleMarkdown(r),
    heading: HEADING,
    write: o.write,
    raw: `deploy-scale-${o.root === benchRoot ? 'here' : 'other'}.json`,
    log,
  });
}
