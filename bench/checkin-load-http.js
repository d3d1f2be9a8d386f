// HTTP side of the check-in load benchmark: the server as a real process,
// closed-loop helpers for setup (enrollment, full uploads) and the open-loop
// generator that offers check-ins at a fixed rate and measures latency from
// each request's scheduled time (so a slow server cannot hide its backlog:
// no coordinated omission).
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ADMIN_TOKEN = 'bench-admin-token-0123456789';
export const ENROLL_SECRET = 'bench-enroll-secret-0123456789';

/**
 * A server process: `node args…` with `env`, its stderr kept (the last 20 kB)
 * for errors. Resolves once `ready(stdout so far)` gives a value (within
 * `timeoutMs`) to { pid, value, stop, stderr, child }; `stop()` sends
 * SIGTERM, then SIGKILL after 20 s. A process that exits first or never gets
 * ready is stopped and the promise rejects with its stderr.
 */
/** A job signing key file: a server on PostgreSQL refuses to start without one. */
function signingKeyFile() {
  const file = join(mkdtempSync(join(tmpdir(), 'pl-bench-key-')), 'job-signing.key');
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return file;
}

export function spawnServer(args, { env: given = process.env, ready, timeoutMs = 60_000 }) {
  const env =
    given.PATCHLOOP_DATABASE_URL && !given.PATCHLOOP_JOB_SIGNING_KEY_FILE
      ? { ...given, PATCHLOOP_JOB_SIGNING_KEY_FILE: signingKeyFile() }
      : given;
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-20_000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const done = await Promise.race([exited, sleep(20_000, undefined, { ref: false }).then(() => null)]);
    if (!done) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const started = new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`server did not start in ${timeoutMs / 1000} s:\n${stderr}`)),
      timeoutMs,
    );
    child.stdout.on('data', (d) => {
      out += d;
      const value = ready(out);
      if (value !== null && value !== undefined) {
        clearTimeout(timer);
        resolve(value);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${stderr}`));
    });
  });
  return started.then(
    (value) => ({ pid: child.pid, value, stop, stderr: () => stderr, child }),
    async (e) => {
      await stop();
      throw e;
    },
  );
}

/** `patchloop server --port 0` on PostgreSQL, as a user starts it. Resolves once it listens. */
export async function startServer(root, databaseUrl, { cpuProfDir, env: extra = {} } = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('PATCHLOOP_')) delete env[k];
  Object.assign(env, {
    PATCHLOOP_DATABASE_URL: databaseUrl,
    PATCHLOOP_ADMIN_TOKEN: ADMIN_TOKEN,
    PATCHLOOP_ENROLL_SECRET: ENROLL_SECRET,
    PATCHLOOP_FEED_SYNC_INTERVAL: '0',
    PATCHLOOP_LOG_LEVEL: 'warn',
    ...extra,
  });
  // (--cpu-prof is not allowed in NODE_OPTIONS: it goes on the command line.)
  const node = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const s = await spawnServer(
    [...node, join(root, 'packages/cli/bin/patchloop.js'), 'server', '--port', '0'],
    {
      env,
      ready: (out) => /listening on (http:\/\/\S+)/.exec(out)?.[1],
    },
  );
  return { pid: s.pid, url: s.value, stop: s.stop, stderr: s.stderr, child: s.child };
}

/** Runs fn over items with at most `concurrency` at once (closed loop). */
export async function each(items, concurrency, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export async function post(pool, path, body, credential) {
  const headers = { 'content-type': 'application/json' };
  if (credential) headers.authorization = `Bearer ${credential}`;
  const res = await pool.request({ path, method: 'POST', headers, body });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function latencyStats(values, n) {
  const s = values.subarray(0, n).sort();
  return {
    count: n,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: n ? s[n - 1] : null,
  };
}

/**
 * Offers `rate` check-ins per second for `seconds` (open loop: request i is
 * due at t0 + i / rate whatever happened to the earlier ones). `next(i)`
 * gives { kind, body, credential, agent }; `check(req, status, text)` says
 * whether a response is right. Requests that would exceed `maxInflight`
 * outstanding are not sent and counted as skipped (the server fell behind).
 */
export async function openLoop(pool, { rate, seconds, next, check, maxInflight = 4096 }) {
  const total = Math.round(rate * seconds);
  const lat = { same: new Float64Array(total), diff: new Float64Array(total) };
  const n = { same: 0, diff: 0 };
  const codes = {};
  const wrong = {};
  let skipped = 0;
  let inflight = 0;
  let peakInflight = 0;
  let finished = 0;
  let ok = 0;
  let lastDone = 0;
  let resolveAll;
  const allDone = new Promise((r) => {
    resolveAll = r;
  });
  const t0 = performance.now();
  const done = () => {
    inflight--;
    finished++;
    lastDone = performance.now();
    if (finished === total) resolveAll();
  };
  const fire = (i) => {
    const due = t0 + (i * 1000) / rate;
    const req = next(i);
    if (inflight >= maxInflight) {
      skipped++;
      inflight++;
      done();
      return;
    }
    inflight++;
    if (inflight > peakInflight) peakInflight = inflight;
    pool
      .request({
        path: '/api/v1/agent/checkin',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${req.credential}` },
        body: req.body,
      })
      .then(async (res) => {
        const text = await res.body.text();
        const now = performance.now();
        codes[res.statusCode] = (codes[res.statusCode] ?? 0) + 1;
        lat[req.kind][n[req.kind]++] = now - due;
        const verdict = check(req, res.statusCode, text);
        if (verdict === true) ok++;
        else wrong[verdict] = (wrong[verdict] ?? 0) + 1;
      })
      .catch((e) => {
        const k = e.code ?? e.name ?? 'error';
        codes[k] = (codes[k] ?? 0) + 1;
      })
      .finally(done);
  };
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
    while (sent < due) fire(sent++);
    if (sent < total) await sleep(1);
  }
  const sentAt = performance.now();
  const drained = await Promise.race([
    allDone.then(() => true),
    sleep(60_000, undefined, { ref: false }).then(() => false),
  ]);
  const elapsed = ((drained ? lastDone : performance.now()) - t0) / 1000;
  return {
    offeredRate: rate,
    requests: total,
    ok,
    skipped,
    undrained: drained ? 0 : total - finished,
    codes,
    wrong,
    peakInflight,
    scheduleSeconds: (sentAt - t0) / 1000,
    elapsedSeconds: elapsed,
    achievedRate: ok / elapsed,
    latency: latencyStats(
      new Float64Array([...lat.same.subarray(0, n.same), ...lat.diff.subarray(0, n.diff)]),
      n.same + n.diff,
    ),
    heartbeatLatency: latencyStats(lat.same, n.same),
    diffLatency: latencyStats(lat.diff, n.diff),
  };
}
