/**
 * Feed syncs run in a child process (jobs/feed-child.ts): real child
 * processes on the real store (PGlite: the parent writes what the child
 * parsed; PostgreSQL: the child connects itself). A child that runs out of
 * its heap cap or is killed is reported on the source and retried later,
 * and the server keeps answering.
 */
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncSettingsFromEnv } from '@patchloop/feeds';
import { buildOsvArchive } from '@patchloop/feeds/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeOrphanScratch } from '../src/jobs/feed-child.js';
import { BACKEND_NAMES, fixturePath, startHarness, type Harness } from './harness.js';

/** A mirror whose osv/ holds `copies` × the fixture USN records, each copy with its own ids. */
function osvMirror(copies: number): { dir: string; records: number } {
  const dir = mkdtempSync(join(tmpdir(), 'pl-child-mirror-'));
  const osv = join(dir, 'osv');
  mkdirSync(osv);
  const src = fixturePath('osv-ubuntu', 'usn');
  const texts = readdirSync(src)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readFileSync(join(src, f), 'utf8'));
  let records = 0;
  for (let k = 0; k < copies; k++) {
    const lines = texts.map((t) => {
      const r = JSON.parse(t) as { id: string };
      r.id = r.id.replace(/^USN-(\d+)/, `USN-${k + 1}0$1`);
      return JSON.stringify(r);
    });
    // One JSON array file per copy keeps the directory small.
    writeFileSync(join(osv, `copy-${k}.json`), `[${lines.join(',')}]`);
    records += lines.length;
  }
  return { dir, records };
}

interface FeedItem {
  source: string;
  records: number;
  lastStatus: string | null;
  lastError: string | null;
  lastErrorCode: string | null;
  running?: { phase: string; records: number; bytes: number; started: string } | null;
}

const feeds = async (h: Harness) =>
  (await h.app.inject({ method: 'GET', url: '/api/v1/feeds', headers: h.auth('auditor') })).json() as {
    items: FeedItem[];
  };
const osvOf = async (h: Harness) => (await feeds(h)).items.find((i) => i.source === 'osv') as FeedItem;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let mirror: { dir: string; records: number };
beforeAll(() => {
  mirror = osvMirror(60);
});
afterAll(() => rmSync(mirror.dir, { recursive: true, force: true }));

describe.each(BACKEND_NAMES)('feed sync in a child process (%s)', (backend) => {
  it('imports every record; meanwhile the API answers and shows the running sync', async () => {
    const h = await startHarness(backend, { config: { feedMirror: mirror.dir } });
    try {
      await h.app.inject({ method: 'POST', url: '/api/v1/feeds/sync', headers: h.auth('operator') });
      const drained = h.worker.drain();
      let done = false;
      void drained.finally(() => (done = true));
      const seen: NonNullable<FeedItem['running']>[] = [];
      const latencies: number[] = [];
      while (!done) {
        const t0 = performance.now();
        const r = await h.app.inject({ method: 'GET', url: '/healthz' });
        latencies.push(performance.now() - t0);
        expect(r.statusCode).toBe(200);
        const running = (await osvOf(h)).running;
        if (running) seen.push(running);
        await sleep(20);
      }
      await drained;
      latencies.sort((a, b) => a - b);
      const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? 0;
      console.log(
        `${backend}: /healthz during the sync: ${latencies.length} calls, p99 ${p99.toFixed(1)} ms`,
      );
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.some((s) => s.bytes > 0)).toBe(true);
      const osv = await osvOf(h);
      expect(osv).toMatchObject({ records: mirror.records, lastStatus: 'ok', running: null });
      const jobs = await h.db.query<{ status: string }>("SELECT status FROM job WHERE kind = 'feed-sync'");
      expect(jobs.rows).toEqual([{ status: 'done' }]);
    } finally {
      await h.close();
    }
  });

  it('syncs only the sources asked for, online, from the publisher the settings name', async () => {
    // A copy of OSV's bucket on 127.0.0.1 (PATCHLOOP_FEED_URL_OSV), Debian only (PATCHLOOP_OSV_ECOSYSTEMS).
    const bucket = mkdtempSync(join(tmpdir(), 'pl-osv-bucket-'));
    const archive = await buildOsvArchive({ ecosystem: 'Debian', records: 300, dir: bucket });
    mkdirSync(join(bucket, 'Debian'));
    writeFileSync(join(bucket, 'Debian', 'all.zip'), readFileSync(archive.path));
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(req.url ?? '');
      const file = join(bucket, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      if (!file.startsWith(bucket) || !existsSync(file) || !file.endsWith('.zip')) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/zip' });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const h = await startHarness(backend, {
      config: {
        feedMirror: undefined,
        feedSync: syncSettingsFromEnv({ PATCHLOOP_FEED_URL_OSV: base, PATCHLOOP_OSV_ECOSYSTEMS: 'Debian' }),
      },
    });
    try {
      const bad = await h.app.inject({
        method: 'POST',
        url: '/api/v1/feeds/sync',
        headers: h.auth('operator'),
        payload: { sources: ['osv', 'nvd-typo'] },
      });
      expect(bad.statusCode).toBe(400);
      const ok = await h.app.inject({
        method: 'POST',
        url: '/api/v1/feeds/sync',
        headers: h.auth('operator'),
        payload: { sources: ['osv'] },
      });
      expect(ok.statusCode).toBe(202);
      await h.worker.drain();
      const items = (await feeds(h)).items;
      expect(items.find((i) => i.source === 'osv')).toMatchObject({ records: 300, lastStatus: 'ok' });
      // Nothing else was synced (no request left this machine).
      expect(items.filter((i) => i.source !== 'osv').every((i) => i.lastStatus === null)).toBe(true);
      expect(asked).toContain('/Debian/all.zip');
      expect(asked.every((u) => u.startsWith('/Debian/'))).toBe(true);
    } finally {
      await h.close();
      server.close();
      rmSync(bucket, { recursive: true, force: true });
    }
  });

  it('a child over its heap cap is reported (PL_FEED_SYNC_CRASHED), retried later, the server stays up', async () => {
    // One file of ~40 MB: a JSON array is parsed whole, far beyond a 24 MiB heap.
    const big = osvMirror(0);
    const one = readFileSync(join(mirror.dir, 'osv', 'copy-0.json'), 'utf8').slice(1, -1);
    writeFileSync(
      join(big.dir, 'osv', 'big.json'),
      `[${Array.from({ length: 40e6 / one.length }, () => one).join(',')}]`,
    );
    const h = await startHarness(backend, { config: { feedMirror: big.dir, syncMaxHeapMb: 24 } });
    try {
      await h.app.inject({ method: 'POST', url: '/api/v1/feeds/sync', headers: h.auth('operator') });
      const before = Date.now();
      await h.worker.drain();
      const osv = await osvOf(h);
      expect(osv).toMatchObject({ records: 0, lastStatus: 'failed', lastErrorCode: 'PL_FEED_SYNC_CRASHED' });
      expect(osv.lastError).toContain('out of memory');
      expect(osv.running).toBeNull();
      // Retried with backoff, not at once.
      const jobs = await h.db.query<{ status: string; run_at: Date; last_error: string }>(
        "SELECT status, run_at, last_error FROM job WHERE kind = 'feed-sync'",
      );
      expect(jobs.rows).toHaveLength(1);
      expect(jobs.rows[0]?.status).toBe('queued');
      expect(new Date(jobs.rows[0]!.run_at).getTime()).toBeGreaterThanOrEqual(before + 25_000);
      expect(jobs.rows[0]?.last_error).toContain('PATCHLOOP_SYNC_MAX_HEAP_MB');
      expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await h.close();
      rmSync(big.dir, { recursive: true, force: true });
    }
  });

  it('a child killed mid-way (SIGKILL) is reported, the previous data stays active', async () => {
    const h = await startHarness(backend, { config: { feedMirror: mirror.dir } });
    try {
      // A first, complete sync: the data the failed one must leave alone.
      await h.app.inject({ method: 'POST', url: '/api/v1/feeds/sync', headers: h.auth('operator') });
      await h.worker.drain();
      expect((await osvOf(h)).records).toBe(mirror.records);
      await h.db.query("DELETE FROM job WHERE kind = 'feed-sync'");
      await h.app.inject({ method: 'POST', url: '/api/v1/feeds/sync', headers: h.auth('operator') });
      const drained = h.worker.drain();
      let pid = 0;
      for (let i = 0; i < 500 && !pid; i++) {
        pid = h.ctx.feedRuns.get('osv')?.pid ?? 0;
        if (!pid) await sleep(10);
      }
      expect(pid).toBeGreaterThan(0);
      // The child's temporary files are in its own scratch directory, gone once it died.
      const scratch = () =>
        readdirSync(tmpdir()).filter((f) => f.startsWith(`patchloop-feed-child-${process.pid}-`));
      expect(scratch()).toHaveLength(1);
      process.kill(pid, 'SIGKILL');
      await drained;
      expect(scratch()).toEqual([]);
      const osv = await osvOf(h);
      expect(osv).toMatchObject({
        records: mirror.records,
        lastStatus: 'failed',
        lastErrorCode: 'PL_FEED_SYNC_CRASHED',
        running: null,
      });
      expect(osv.lastError).toContain('SIGKILL');
      const jobs = await h.db.query<{ status: string }>("SELECT status FROM job WHERE kind = 'feed-sync'");
      expect(jobs.rows).toEqual([{ status: 'queued' }]);
      expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await h.close();
    }
  });
});

describe('scratch directories of feed sync children', () => {
  it('are removed at start when the process that made them is gone, kept while it lives', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-scratch-'));
    try {
      const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
      for (const name of [
        `patchloop-feed-child-${dead}-aaaaaa`,
        `patchloop-feed-child-${process.pid}-bbbbbb`,
        'patchloop-sync-cccccc',
      ]) {
        mkdirSync(join(dir, name, 'osv'), { recursive: true });
        writeFileSync(join(dir, name, 'osv', 'all.zip'), 'partial download');
      }
      expect(removeOrphanScratch(dir)).toEqual([`patchloop-feed-child-${dead}-aaaaaa`]);
      expect(readdirSync(dir).sort()).toEqual([
        `patchloop-feed-child-${process.pid}-bbbbbb`,
        'patchloop-sync-cccccc',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
