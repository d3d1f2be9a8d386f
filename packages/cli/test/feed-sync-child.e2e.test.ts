/**
 * A Debian-sized OSV sync never takes the server down: real `patchloop
 * server` processes (PGlite and PostgreSQL) sync a real-size archive from a
 * feed mirror in their child process while `/healthz` and an agent's
 * check-ins keep answering (latency printed, asserted loosely: the strict aim
 * is the benchmark's); then a sync child killed with SIGKILL is reported in
 * GET /api/v1/feeds, queued again for later, and the previous data stays.
 *
 * PATCHLOOP_E2E_SYNC_RECORDS sets the archive's size (default 40000).
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalInventory } from '@patchloop/core';
import { buildOsvArchive } from '@patchloop/feeds/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { client, startServer, tempDir, waitFor, type Proc } from './fleet-lab.js';

const ADMIN = 'e2e-admin-token-0123456789';
const SECRET = 'e2e-enroll-secret-0123456789';
const RECORDS = Number(process.env.PATCHLOOP_E2E_SYNC_RECORDS ?? 40_000);

interface OsvStatus {
  records: number;
  lastStatus: string | null;
  lastError: string | null;
  lastErrorCode: string | null;
  lastImport: string | null;
  running: { phase: string; records: number; bytes: number } | null;
}

const procs: Proc[] = [];
afterAll(async () => {
  for (const p of procs) await p.stop();
});

/** Direct children of `pid` (pgrep exits 1 when there are none). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number);
  } catch {
    return [];
  }
}

/** The feed sync child among `pid`'s descendants (its entry is feed-sync-child.js), or null. */
function syncChildOf(pid: number): number | null {
  for (const k of childrenOf(pid)) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${k}/cmdline`, 'utf8');
    } catch {
      continue; // already gone
    }
    if (cmd.includes('feed-sync-child')) return k;
    const deeper = syncChildOf(k);
    if (deeper !== null) return deeper;
  }
  return null;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)] ?? 0;

async function timed(fn: () => Promise<Response>): Promise<number> {
  const t0 = performance.now();
  const r = await fn();
  await r.arrayBuffer();
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return performance.now() - t0;
}

describe.each(['pglite', 'postgres'] as const)(
  'a Debian-sized feed sync in patchloop server (%s)',
  (backend) => {
    it('keeps /healthz and check-ins answering; a killed sync child is reported and retried', async () => {
      const archive = await buildOsvArchive({ ecosystem: 'Debian', records: RECORDS });
      const dir = tempDir('pl-sync-child-');
      const mirror = join(dir, 'mirror');
      mkdirSync(join(mirror, 'osv', 'Debian'), { recursive: true });
      copyFileSync(archive.path, join(mirror, 'osv', 'Debian', 'all.zip'));
      const env: Record<string, string> = {
        PATCHLOOP_ADMIN_TOKEN: ADMIN,
        PATCHLOOP_ENROLL_SECRET: SECRET,
        PATCHLOOP_FEED_MIRROR: mirror,
        PATCHLOOP_FEED_SYNC_INTERVAL: '0',
        PATCHLOOP_LOG_LEVEL: 'warn',
      };
      if (backend === 'postgres') {
        const { createDatabase } = await import('@patchloop/test-support/pg');
        env.PATCHLOOP_DATABASE_URL = await createDatabase(inject('pgUrl'), `e2e_child_${Date.now()}`);
      }
      // A feed mirror is imported at every start: the sync begins at once.
      const server = await startServer(backend === 'pglite' ? ['--data-dir', join(dir, 'data')] : [], env);
      procs.push(server);
      const api = client(server.url, ADMIN);
      const osv = async () =>
        (await api<{ items: (OsvStatus & { source: string })[] }>('/api/v1/feeds')).items.find(
          (i) => i.source === 'osv',
        ) as OsvStatus;

      // An agent: enrolled, one full check-in, then heartbeats during the sync.
      const machineId = randomUUID();
      const enrolled = await fetch(`${server.url}/api/v1/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ secret: SECRET, machineId, hostname: 'sync-e2e', tags: [] }),
      });
      const { credential } = (await enrolled.json()) as { credential: string };
      const packages = [
        {
          name: 'openssl',
          version: '3.0.11-1~deb12u2',
          arch: 'amd64',
          sourceName: 'openssl',
          sourceVersion: '3.0.11-1~deb12u2',
          vendor: null,
        },
      ];
      const hash = createHash('sha256')
        .update(canonicalInventory('dpkg', packages, null))
        .digest('hex');
      const head = {
        agentVersion: '0.1.0',
        machineId,
        facts: {
          hostname: 'sync-e2e',
          os: {
            id: 'debian',
            versionId: '12',
            codename: 'bookworm',
            prettyName: 'Debian GNU/Linux 12 (bookworm)',
          },
          arch: 'amd64',
          kernel: { running: '6.1.0-18-amd64', newestInstalled: '6.1.0-18-amd64' },
          reboot: { required: false, reasons: [], packages: [] },
        },
      };
      const checkin = (inventory: object) =>
        fetch(`${server.url}/api/v1/agent/checkin`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
          body: JSON.stringify({ ...head, inventory }),
        });
      const full = await checkin({ kind: 'full', hash, manager: 'dpkg', packages, updates: null });
      expect(full.status).toBe(200);

      const health: number[] = [];
      const checkins: number[] = [];
      let sawRunning: OsvStatus['running'] = null;
      const t0 = Date.now();
      await waitFor(
        'the first sync to end',
        async () => {
          health.push(await timed(() => fetch(`${server.url}/healthz`)));
          checkins.push(await timed(() => checkin({ kind: 'same', hash })));
          const s = await osv();
          if (s.running) sawRunning = s.running;
          return s.lastStatus !== null && !s.running ? s : null;
        },
        900_000,
      );
      const first = await osv();
      const line = (name: string, xs: number[]) =>
        `${name} p50 ${pct(xs, 0.5).toFixed(1)} ms, p99 ${pct(xs, 0.99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (${xs.length})`;
      console.log(
        `${backend}: ${RECORDS} records, ${(archive.bytes / 2 ** 20).toFixed(1)} MiB zip, sync ended after ${((Date.now() - t0) / 1000).toFixed(0)} s ` +
          `as ${first.lastStatus} (${first.records} records${first.lastErrorCode ? `, ${first.lastErrorCode}: ${first.lastError}` : ''})\n` +
          `  during it: ${line('/healthz', health)}; ${line('check-in', checkins)}`,
      );
      expect(sawRunning).not.toBeNull();
      // PostgreSQL: the server's thread never waits on the import. PGlite runs the database in the
      // server's thread: a staged session holds it at most for finish's move (measured p99 1.7 s, max
      // 2.9 s for a first import of 40,000 records); the held transaction it replaced stalled the
      // server for 22-52 s. The 100 ms aim is the benchmark's (bench/sync-latency.js).
      const limit = backend === 'postgres' ? 1000 : 8000;
      expect(pct(health, 0.99)).toBeLessThan(limit);
      expect(pct(checkins, 0.99)).toBeLessThan(limit);
      // Imported (every record but the ones reported as skipped), or reported: never a dead server.
      if (first.lastStatus === 'ok' || first.lastStatus === 'partial') {
        const skipped = Number(/^(\d+) record\(s\) skipped/.exec(first.lastError ?? '')?.[1] ?? 0);
        expect(first.records + skipped).toBe(RECORDS);
      } else expect(first.lastErrorCode).toBe('PL_FEED_SYNC_CRASHED');
      expect(server.child.exitCode).toBeNull();

      // A second sync, its child killed mid-way.
      const before = first.records;
      await api('/api/v1/feeds/sync', { method: 'POST', body: '{}' });
      const childPid = await waitFor(
        'the sync child',
        async () => {
          const s = await osv();
          if (!s.running) return null;
          // On PostgreSQL the sync runs in the server's worker process (`patchloop worker`): a grandchild.
          return syncChildOf(server.child.pid ?? 0);
        },
        120_000,
      );
      process.kill(childPid, 'SIGKILL');
      const killed = await waitFor(
        'the killed sync to be reported',
        async () => {
          const s = await osv();
          return s.lastError?.includes('SIGKILL') && !s.running ? s : null;
        },
        120_000,
      );
      expect(killed).toMatchObject({
        records: before,
        lastStatus: 'failed',
        lastErrorCode: 'PL_FEED_SYNC_CRASHED',
      });
      // Retried later, with backoff: the job is queued again once the worker has the child's outcome.
      await waitFor(
        'the failed sync job to be queued again',
        async () => ((await api<{ jobs: Record<string, number> }>('/api/v1/feeds')).jobs.queued ?? 0) >= 1,
        60_000,
      );
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(server.child.exitCode).toBeNull();
    }, 1_200_000);
  },
);
