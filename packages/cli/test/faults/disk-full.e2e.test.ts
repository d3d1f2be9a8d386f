/**
 * The embedded store's data directory running out of disk space (#15, the
 * standing suite): a real `patchloop server --data-dir` on a small tmpfs of
 * its own, real agents (the `Agent` class) whose inventory changes at every
 * check-in. The file system is filled to the last byte; meanwhile the server
 * must stay up and refuse what it cannot store with 507 PL_STORE_DISK_FULL
 * naming the data directory (check-ins, a feed upload), never a bare 500.
 * Once the filler is removed it serves again by itself (no restart), holds
 * every inventory it acknowledged, and a restart on the same directory opens
 * the store intact. Needs root (mount); skipped, with the reason, otherwise.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { client, fixtures, type Proc, startServer, tempDir, waitFor } from '../fleet-lab.js';
import { probeAgent, probePackage } from './probe-agent.js';

const ADMIN = 'disk-admin-token-0123456789';
const SECRET = 'disk-enroll-secret-0123456789';
const AGENTS = 3;
/** A fresh store takes about 40 MB (24 MB tables, one 16 MB WAL segment): room for it and a KEV import. */
const TMPFS_MB = 112;

const dir = tempDir('disk');
const mnt = join(dir, 'mnt');
const dataDir = join(mnt, 'data');
const filler = join(mnt, 'filler');

/** Mounts the tmpfs; the reason it cannot when it cannot (not root, mount refused). */
function mountTmpfs(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  mkdirSync(mnt, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_MB}m`, 'tmpfs', mnt], {
    encoding: 'utf8',
  });
  if (r.status !== 0) return `mount -t tmpfs failed: ${(r.stderr || r.error?.message || '').trim()}`;
  return null;
}
const skipReason = mountTmpfs();
if (skipReason) console.warn(`disk-full fault test skipped: ${skipReason}`);

const free = () => {
  const s = statfsSync(mnt);
  return s.bavail * s.bsize;
};

/** Fills the file system to its last byte (big blocks, then small ones until ENOSPC). */
function fillDisk(): void {
  for (const [bs, name] of [
    ['1M', filler],
    ['4k', `${filler}-tail`],
  ] as const) {
    // dd ends with "No space left on device" (status 1): that is the point.
    spawnSync('dd', ['if=/dev/zero', `of=${name}`, `bs=${bs}`], { encoding: 'utf8' });
  }
}

/** An agent whose inventory changes at every collection: pl-disk-probe 1.<n> and 150 packages new at round n. */
function diskAgent(url: string, i: number, collected = 0) {
  return probeAgent({
    server: url,
    enrollSecret: SECRET,
    dir,
    index: i,
    machineIdFill: 'e',
    hostname: `disk-${i}`,
    collected,
    changing: (n) => [
      probePackage('pl-disk-probe', `1.${n}`),
      ...Array.from({ length: 150 }, (_, k) => probePackage(`pl-disk-${i}-${n}-${k}`, `2.${n}`)),
    ],
  });
}

describe.skipIf(skipReason !== null)(
  'the embedded store when its data directory runs out of disk space',
  () => {
    const env: Record<string, string> = {
      PATCHLOOP_ADMIN_TOKEN: ADMIN,
      PATCHLOOP_ENROLL_SECRET: SECRET,
      PATCHLOOP_FEED_SYNC_INTERVAL: '0',
      PATCHLOOP_LOG_LEVEL: 'warn',
    };
    let server: (Proc & { url: string }) | null = null;
    let api: ReturnType<typeof client>;
    let agents: ReturnType<typeof diskAgent>[] = [];
    /** Per agent: the probe version of its last acknowledged check-in. */
    const acked: number[] = [];

    afterAll(async () => {
      await server?.stop('SIGKILL');
      const r = spawnSync('umount', [mnt], { encoding: 'utf8' });
      if (r.status !== 0) spawnSync('umount', ['-l', mnt]);
      rmSync(dir, { recursive: true, force: true });
    });

    const upload = (source: string, file: string, name: string) =>
      fetch(`${server!.url}/api/v1/feeds/${source}/import?name=${name}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/octet-stream' },
        body: readFileSync(join(fixtures, file)),
      });
    const uploadKev = () => upload('kev', 'kev/known_exploited_vulnerabilities.json', 'kev.json');
    const kevRecords = async () =>
      (await api<{ items: { source: string; records: number }[] }>('/api/v1/feeds')).items.find(
        (f) => f.source === 'kev',
      )?.records ?? 0;

    /** One check-in per agent; returns the failures' messages. */
    async function round(): Promise<string[]> {
      const failures: string[] = [];
      for (const [i, a] of agents.entries()) {
        try {
          await a.agent.checkinOnce();
          acked[i] = a.collected();
        } catch (e) {
          const { status, code, message } = e as { status?: number; code?: string; message: string };
          failures.push(`${status} ${code}: ${message}`);
        }
      }
      return failures;
    }

    /** Each host holds the inventory of its last acknowledged check-in (or a later one). */
    async function expectAcknowledgedStored() {
      const hosts = await api<{ items: { id: number; hostname: string }[] }>(
        '/api/v1/hosts?q=disk-&limit=50',
      );
      expect(hosts.items.map((h) => h.hostname).sort()).toEqual(agents.map((_, i) => `disk-${i}`));
      for (const h of hosts.items) {
        const i = Number(h.hostname.slice('disk-'.length));
        const pkgs = await api<{ items: { name: string; version: string }[] }>(
          `/api/v1/hosts/${h.id}/packages`,
        );
        const probe = Number(pkgs.items.find((p) => p.name === 'pl-disk-probe')?.version.slice(2));
        expect([h.hostname, probe >= acked[i]!, probe <= agents[i]!.collected()]).toEqual([
          h.hostname,
          true,
          true,
        ]);
        // The whole inventory of that check-in, not part of it.
        expect(pkgs.items.filter((p) => p.name.startsWith(`pl-disk-${i}-${probe}-`)).length).toBe(150);
      }
    }

    it('acknowledges check-ins while there is room', async () => {
      server = await startServer(['--data-dir', dataDir], env);
      api = client(server.url, ADMIN);
      agents = Array.from({ length: AGENTS }, (_, i) => diskAgent(server!.url, i));
      expect(await round()).toEqual([]);
      expect(await round()).toEqual([]);
      expect(acked).toEqual(agents.map(() => 2));
    }, 60_000);

    it('on a full disk: stays up and refuses what it cannot store with 507 PL_STORE_DISK_FULL', async () => {
      fillDisk();
      expect(free()).toBe(0);

      // Some check-ins may still fit (WAL already allocated, pages in memory): those are acknowledged
      // and must be kept. Changed inventories go on until the store has to grow, and is refused.
      const failures: string[] = [];
      for (let r = 0; r < 20 && failures.length < 2 * AGENTS; r++) failures.push(...(await round()));
      expect(failures.length).toBeGreaterThan(0);
      for (const f of failures) {
        expect(f).toMatch(/PL_STORE_DISK_FULL/);
        expect(f).toContain(dataDir);
      }

      const feed = await uploadKev();
      const body = (await feed.json()) as { error: { code: string; message: string } };
      expect([feed.status, body.error?.code]).toEqual([507, 'PL_STORE_DISK_FULL']);
      expect(body.error.message).toContain(dataDir);
      expect(feed.headers.get('retry-after')).toBe('5');

      expect(server!.child.exitCode).toBeNull();
      expect((await fetch(`${server!.url}/healthz`)).status).toBe(200);
      // Reads still work on a full disk.
      expect((await api<{ items: unknown[] }>('/api/v1/hosts?q=disk-')).items.length).toBe(AGENTS);
    }, 90_000);

    it('serves again by itself once space is freed, with everything it acknowledged', async () => {
      rmSync(filler);
      rmSync(`${filler}-tail`);
      expect(free()).toBeGreaterThan(20 * 1024 * 1024);
      await waitFor('every agent to check in again', async () => (await round()).length === 0, 30_000);
      expect(server!.child.exitCode).toBeNull();
      await expectAcknowledgedStored();

      const feed = await uploadKev();
      const result = (await feed.json()) as { status: string; imported: number };
      expect([feed.status, result.status]).toEqual([200, 'ok']);
      expect(result.imported).toBeGreaterThan(1000);
    }, 60_000);

    it('opens intact after a restart on the same directory, with all acknowledged data', async () => {
      const kev = await kevRecords();
      expect(kev).toBeGreaterThan(1000);
      expect(await server!.stop('SIGTERM')).toBe(0);
      server = await startServer(['--data-dir', dataDir], env);
      api = client(server.url, ADMIN);
      await waitFor(
        'the restarted server to be ready',
        async () => (await fetch(`${server!.url}/readyz`)).ok,
      );
      // The same agents (state directories, credentials) at the restarted server's address.
      agents = agents.map((a, i) => diskAgent(server!.url, i, a.collected()));
      await expectAcknowledgedStored();
      expect(await kevRecords()).toBe(kev);
      expect(await round()).toEqual([]);
      await expectAcknowledgedStored();
    }, 60_000);
  },
);
