/**
 * Jobs in worker processes (PostgreSQL): `patchloop server` runs its jobs in
 * a supervised `patchloop worker` child, so assessments never hold the
 * server's event loop. A real server process on a throwaway database and a
 * real Agent: the worker assesses the host; a killed worker is started again
 * and goes on; a killed server leaves no worker behind; a stopped server's
 * worker stops with it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, localRunner } from '@patchloop/agent';
import { DEBIAN_OS, dpkgCollection } from '@patchloop/test-support/agent-protocol';
import { createDatabase } from '@patchloop/test-support/pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { client, csvPackages, startServer, tempDir, waitFor, wirePackages, type Proc } from './fleet-lab.js';

const ADMIN = 'e2e-admin-token-0123456789';
const SECRET = 'e2e-enroll-secret-0123456789';

/** The `patchloop worker` children of `pid`. */
function workersOf(pid: number): number[] {
  let kids: number[];
  try {
    kids = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
  return kids.filter((k) => {
    try {
      return readFileSync(`/proc/${k}/cmdline`, 'utf8').split('\0').includes('worker');
    } catch {
      return false;
    }
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('jobs in worker processes beside the server (PostgreSQL)', () => {
  const procs: Proc[] = [];
  afterAll(async () => {
    for (const p of procs) await p.stop('SIGKILL');
  });

  /** A server on a database of its own with one worker process. */
  async function serverWithWorker(name: string) {
    const databaseUrl = await createDatabase(inject('pgUrl'), `${name}_${process.pid}_${Date.now()}`);
    const server = await startServer([], {
      PATCHLOOP_DATABASE_URL: databaseUrl,
      PATCHLOOP_ADMIN_TOKEN: ADMIN,
      PATCHLOOP_ENROLL_SECRET: SECRET,
      PATCHLOOP_FEED_SYNC_INTERVAL: '0',
      PATCHLOOP_LOG_LEVEL: 'warn',
      PATCHLOOP_WORKERS: '1',
    });
    procs.push(server);
    expect(server.output()).toContain('1 worker process(es) beside the server');
    const [worker] = await waitFor('the worker process', async () => {
      const w = workersOf(server.child.pid ?? 0);
      return w.length === 1 ? w : null;
    });
    return { server, worker: worker as number };
  }

  /** A real agent's check-in as host `n`, and the host's assessment (by the worker) awaited. */
  function checkInTo(server: Proc & { url: string }) {
    const api = client(server.url, ADMIN);
    const dir = tempDir('workers');
    return async (n: number) => {
      const agent = new Agent({
        server: server.url,
        enrollSecret: SECRET,
        // Collects through `collect`, runs no jobs: the runner is never asked.
        runner: localRunner({ root: dir }),
        stateDir: join(dir, `agent-${n}`),
        runJobs: false,
        collect: async () =>
          dpkgCollection({
            machineId: `e2e-worker-machine-000${n}`,
            hostname: `worker-e2e-${n}`,
            os: DEBIAN_OS.buster,
            packages: wirePackages(csvPackages('debian-buster.csv')),
          }),
      });
      await agent.checkinOnce();
      return waitFor(`host ${n} to be assessed`, async () => {
        const hosts = await api<{ items: { id: number; hostname: string }[] }>('/api/v1/hosts?limit=10');
        const id = hosts.items.find((h) => h.hostname === `worker-e2e-${n}`)?.id;
        if (id === undefined) return null;
        const host = await api<{ assessedAt: string | null }>(`/api/v1/hosts/${id}`);
        return typeof host.assessedAt === 'string' ? host : null;
      });
    };
  }

  it('assesses in the worker, restarts a killed worker, and leaves none behind a killed server', async () => {
    const { server, worker: first } = await serverWithWorker('workers');
    const serverPid = server.child.pid ?? 0;
    const checkIn = checkInTo(server);
    await checkIn(1);

    // A worker that dies is started again; the jobs go on.
    process.kill(first, 'SIGKILL');
    const [second] = await waitFor('a new worker process', async () => {
      const w = workersOf(serverPid);
      return w.length === 1 && w[0] !== first ? w : null;
    });
    expect(server.output()).toContain('job worker process exited');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await checkIn(2);

    // The server killed outright: its worker notices the closed channel and stops.
    await server.stop('SIGKILL');
    await waitFor('the worker to stop with its server', async () => !alive(second as number), 20_000);
  }, 180_000);

  it('stops with its server on SIGTERM, by itself rather than killed', async () => {
    const { server, worker } = await serverWithWorker('workers_stop');
    // A worker that has run a job (started, connected, its signal handlers in place).
    await checkInTo(server)(1);
    // Before, the worker's open IPC channel kept it alive after it stopped: the server waited 15 s,
    // then killed it.
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(server.output()).not.toContain('did not stop');
    expect(alive(worker)).toBe(false);
  }, 60_000);
});
