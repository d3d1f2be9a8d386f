/**
 * Idle agents cost (almost) nothing: real `patchloop server` and `patchloop
 * agent` processes, with a counting HTTP proxy between them. Each idle agent
 * holds one long poll for jobs open at a time (≈ 25 s each), the server's CPU
 * stays near zero and its info log quiet for routine polls and heartbeats, and
 * a server asked to stop releases the parked polls and exits within seconds.
 * (The bug this guards against: polls answered at once, ~400 a second per
 * agent, the idle server at 60–86 % of a core and ~600 log lines a second.)
 */
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  csvPackages,
  debianBusterRoot,
  start,
  startServer,
  tempDir,
  waitFor,
  type Proc,
} from './fleet-lab.js';

const ADMIN = 'e2e-admin-token-0123456789';
const SECRET = 'e2e-enroll-secret-0123456789';
const AGENTS = 3;
const WINDOW_MS = 30_000;

/** Forwards every request to `target`, counting them by path and timing the answered job polls. */
function countingProxy(
  target: string,
): Promise<{ server: Server; url: string; counts: Map<string, number>; pollMs: number[] }> {
  const counts = new Map<string, number>();
  const pollMs: number[] = [];
  const to = new URL(target);
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const t0 = Date.now();
    if (path === '/api/v1/agent/jobs/poll') res.once('finish', () => pollMs.push(Date.now() - t0));
    const out = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}`, counts, pollMs });
    }),
  );
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), i.e. 11 and 12 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe('idle agents', () => {
  let server: Proc & { url: string };
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  const agents: Proc[] = [];
  const pkgs = csvPackages('debian-buster.csv').slice(0, 50);

  beforeAll(async () => {
    server = await startServer(['--data-dir', tempDir('idle')], {
      PATCHLOOP_ADMIN_TOKEN: ADMIN,
      PATCHLOOP_ENROLL_SECRET: SECRET,
      PATCHLOOP_FEED_SYNC_INTERVAL: '0',
      PATCHLOOP_LOG_LEVEL: 'info',
    });
    proxy = await countingProxy(server.url);
    for (let i = 0; i < AGENTS; i++) {
      const h = debianBusterRoot(`idle-${i}`, `${String(i).padStart(2, '0')}${'ab'.repeat(15)}`, pkgs);
      const args = ['agent', '--server', proxy.url, '--enroll-secret', SECRET, '--root', h.root];
      agents.push(
        start([...args, '--state-dir', join(tempDir('idle-state'), h.hostname), '--interval', '10m'], {}),
      );
    }
    const api = client(server.url, ADMIN);
    await waitFor('every agent to check in', async () => {
      const r = await api<{ total: number }>('/api/v1/hosts');
      return r.total === AGENTS;
    });
    // Let each agent start its first long poll.
    await waitFor(
      'every agent to poll',
      async () => (proxy.counts.get('/api/v1/agent/jobs/poll') ?? 0) >= AGENTS,
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await server?.stop();
    proxy?.server.close();
  });

  it(
    'hold one long poll each, keep the server idle and its log quiet',
    async () => {
      const polls0 = proxy.counts.get('/api/v1/agent/jobs/poll') ?? 0;
      const answered0 = proxy.pollMs.length;
      const cpu0 = cpuSeconds(server.child.pid!);
      const log0 = server.output().split('\n').length;
      await new Promise((r) => setTimeout(r, WINDOW_MS));
      const polls = (proxy.counts.get('/api/v1/agent/jobs/poll') ?? 0) - polls0;
      const cpu = cpuSeconds(server.child.pid!) - cpu0;
      const logLines = server.output().split('\n').length - log0;
      const perAgentPerMinute = (polls / AGENTS) * (60_000 / WINDOW_MS);
      console.log(
        `idle agents: ${polls} polls in ${WINDOW_MS / 1000} s from ${AGENTS} agents ` +
          `(${perAgentPerMinute.toFixed(1)} per agent per minute), server CPU ${cpu.toFixed(2)} s, ${logLines} log lines`,
      );
      // The server holds an idle poll for the time the agent asked (25 s), never answers at once.
      const answered = proxy.pollMs.slice(answered0);
      expect(answered.length).toBeGreaterThan(0);
      for (const ms of answered) expect(ms).toBeGreaterThan(20_000);
      // A 25 s long poll: at most two new polls per agent in 30 s (one may have started just before).
      expect(polls).toBeLessThanOrEqual(2 * AGENTS);
      expect(perAgentPerMinute).toBeLessThanOrEqual(4);
      // Idle: well under 10 % of one core (the tight loop took 60–86 %).
      expect(cpu).toBeLessThan(0.1 * (WINDOW_MS / 1000));
      expect(logLines).toBeLessThanOrEqual(2);
    },
    WINDOW_MS + 30_000,
  );

  it('a server asked to stop releases parked polls and exits within seconds', async () => {
    const t0 = Date.now();
    const code = await server.stop('SIGTERM');
    const took = Date.now() - t0;
    expect(code).toBe(0);
    // A parked poll would otherwise keep the server up for its remaining ~25 s.
    expect(took).toBeLessThan(10_000);
  });
});
