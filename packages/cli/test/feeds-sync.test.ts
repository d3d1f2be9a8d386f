/**
 * Feed sync against a real HTTP server on 127.0.0.1 (never the internet),
 * into a real embedded store: conditional requests, retries, verification,
 * the previous good data kept on failure, and mirror directories.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

import { join } from 'node:path';
import { gzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedSink } from '@patchloop/core';
import { syncFeed } from '@patchloop/feeds';
import { type Db } from '@patchloop/store';
import { fixturePath } from '@patchloop/test-support';
import { openSyncTarget, type FeedServer, type SyncTarget } from './feed-server.js';
import { patchloopAsync } from './run.js';

const FAST = { backoffMs: 5, attempts: 3, stallTimeoutMs: 10_000 };
const kevBody = readFileSync(fixturePath('kev', 'known_exploited_vulnerabilities.json'));

let dir: string;
let db: Db;
let sink: FeedSink;
let server: FeedServer;
let target: SyncTarget;
beforeAll(async () => {
  target = await openSyncTarget('pl-sync-');
  ({ dir, db, sink, server } = target);
});
afterAll(() => target.close());

const kevRecords = async () => (await sink.status()).find((s) => s.source === 'kev');

describe('feeds sync over HTTP', () => {
  it('downloads KEV, then sends If-None-Match and takes the 304 as unchanged', async () => {
    server.route('/kev.json', { body: kevBody, validators: true });
    const first = await syncFeed('kev', { sink, urls: [`${server.base}/kev.json`], download: FAST });
    expect(first).toMatchObject({ status: 'ok', imported: 1404, exitCode: 0 });
    expect(first.downloads).toEqual([
      { url: `${server.base}/kev.json`, result: 'downloaded', bytes: kevBody.length },
    ]);

    const second = await syncFeed('kev', { sink, urls: [`${server.base}/kev.json`], download: FAST });
    expect(second).toMatchObject({ status: 'unchanged', imported: 0, exitCode: 0 });
    expect(second.downloads[0]?.result).toBe('not-modified');
    const last = server.requests.filter((r) => r.path === '/kev.json').at(-1);
    expect(last?.headers['if-none-match']).toMatch(/^"[0-9a-f]{40}"$/);
    expect(last?.headers['if-modified-since']).toBe('Sat, 16 Aug 2026 00:00:00 GMT');
    expect(await kevRecords()).toMatchObject({ records: 1404, lastStatus: 'unchanged' });
  });

  it('retries after an HTTP 500 and succeeds', async () => {
    server.route('/flaky/kev.json', { body: kevBody, failFirst: 1 });
    const retries: string[] = [];
    const r = await syncFeed('kev', {
      sink,
      urls: [`${server.base}/flaky/kev.json`],
      download: { ...FAST, onRetry: (_n, why) => retries.push(why) },
    });
    expect(retries).toEqual(['HTTP 500']);
    expect(r).toMatchObject({ status: 'ok', unchanged: 1404, exitCode: 0 });
  });

  it('rejects a truncated download and keeps the previous data', async () => {
    server.route('/truncated/kev.json', { body: kevBody, truncate: true });
    const r = await syncFeed('kev', { sink, urls: [`${server.base}/truncated/kev.json`], download: FAST });
    expect(r).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(r.errors[0]?.code).toBe('PL_FEED_DOWNLOAD_FAILED');
    expect(r.errors[0]?.reason).toMatch(/failed after 3 attempt\(s\)/);
    expect(await kevRecords()).toMatchObject({
      records: 1404,
      lastStatus: 'failed',
      lastErrorCode: 'PL_FEED_DOWNLOAD_FAILED',
    });
  });

  it('rejects a download that is not the feed (an error page) and keeps the previous data', async () => {
    server.route('/html/kev.json', { body: Buffer.from('<html><body>Service unavailable</body></html>') });
    const r = await syncFeed('kev', { sink, urls: [`${server.base}/html/kev.json`], download: FAST });
    expect(r).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(r.errors[0]?.code).toBe('PL_FEED_DOWNLOAD_INVALID');
    expect(await kevRecords()).toMatchObject({ records: 1404, lastErrorCode: 'PL_FEED_DOWNLOAD_INVALID' });
  });

  it('fails on an HTTP 404 without retrying', async () => {
    const before = server.requests.length;
    const r = await syncFeed('kev', { sink, urls: [`${server.base}/missing.json`], download: FAST });
    expect(r.errors[0]).toMatchObject({ code: 'PL_FEED_DOWNLOAD_FAILED' });
    expect(server.requests.length - before).toBe(1);
  });

  it('sees unchanged content from a server without validators', async () => {
    server.route('/plain/kev.json', { body: kevBody });
    await syncFeed('kev', { sink, urls: [`${server.base}/plain/kev.json`], download: FAST });
    const again = await syncFeed('kev', { sink, urls: [`${server.base}/plain/kev.json`], download: FAST });
    expect(again.status).toBe('unchanged');
    expect(again.downloads[0]?.result).toBe('same-content');
  });

  it('honours Retry-After on HTTP 429', async () => {
    server.route('/busy/kev.json', {
      body: kevBody,
      failFirst: 1,
      failStatus: 429,
      failHeaders: { 'retry-after': '0' },
    });
    const delays: number[] = [];
    const r = await syncFeed('kev', {
      sink,
      urls: [`${server.base}/busy/kev.json`],
      download: { ...FAST, backoffMs: 5_000, onRetry: (_n, _why, ms) => delays.push(ms) },
    });
    expect(delays).toEqual([0]);
    expect(r.status).toBe('ok');
  });

  it('stops a download over the size limit without retrying, and keeps the data', async () => {
    server.route('/big/kev.json', { body: kevBody });
    const before = server.requests.length;
    const r = await syncFeed('kev', {
      sink,
      urls: [`${server.base}/big/kev.json`],
      download: { ...FAST, maxBytes: 1000 },
    });
    expect(r).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(r.errors[0]?.code).toBe('PL_FEED_RECORD_TOO_LARGE');
    expect(server.requests.length - before).toBe(1);
    expect(await kevRecords()).toMatchObject({ records: 1404 });
  });

  it('applies the endpoints that worked when another fails, and saves only their validators', async () => {
    const dsa = readFileSync(fixturePath('debian-security-tracker', 'DSA-list.txt'));
    server.route('/two/DSA-list', { body: dsa, validators: true });
    const urls = [`${server.base}/two/DSA-list`, `${server.base}/two/missing-list`];
    const r = await syncFeed('debian-dsa', { sink, urls, download: FAST });
    expect(r).toMatchObject({ status: 'partial', exitCode: 3 });
    expect(r.endpoints.map((e) => e.result)).toEqual(['applied', 'failed']);
    expect(r.errors[0]).toMatchObject({ file: urls[1], code: 'PL_FEED_DOWNLOAD_FAILED' });
    expect(await sink.downloadState('debian-dsa', urls[0] as string)).not.toBeNull();
    expect(await sink.downloadState('debian-dsa', urls[1] as string)).toBeNull();
  });

  it('refuses URLs that are not http or https', async () => {
    const r = await syncFeed('kev', { sink, urls: ['file:///etc/passwd'], download: FAST });
    expect(r.errors[0]).toMatchObject({ code: 'PL_FEED_DOWNLOAD_FAILED' });
    expect(r.errors[0]?.reason).toContain('only http and https URLs');
  });

  it('keeps credentials in a sync URL out of status and stored state', async () => {
    server.route('/private/kev.json', { body: kevBody, validators: true });
    const url = `http://reader:s3cret@127.0.0.1:${new URL(server.base).port}/private/kev.json?token=abc`;
    const r = await syncFeed('kev', { sink, urls: [url], download: FAST });
    expect(r.origin).toBe(
      `http://reader:***@127.0.0.1:${new URL(server.base).port}/private/kev.json?token=***`,
    );
    expect(JSON.stringify(await sink.status())).not.toContain('s3cret');
    const stored = await db.query<{ url: string }>(
      `SELECT url FROM feed_download WHERE url LIKE '%private%'`,
    );
    expect(stored.rows.map((x) => x.url)).toEqual([r.origin]);
    // The credentials went to the server as HTTP Basic authentication.
    const sent = server.requests.filter((q) => q.path === '/private/kev.json').at(-1);
    expect(sent?.headers.authorization).toBe(`Basic ${Buffer.from('reader:s3cret').toString('base64')}`);
  });

  it('syncs gzipped EPSS and an OSV all.zip', async () => {
    const csv = 'cve,epss,percentile\nCVE-2021-44228,0.94358,0.99961\nCVE-2014-0160,0.9,0.99\n';
    server.route('/epss_scores-current.csv.gz', {
      body: Buffer.from(
        gzipSync(Buffer.from(`#model_version:v2025.03.14,score_date:2026-08-16T00:00:00Z\n${csv}`)),
      ),
    });
    const epss = await syncFeed('epss', {
      sink,
      urls: [`${server.base}/epss_scores-current.csv.gz`],
      download: FAST,
    });
    expect(epss).toMatchObject({ status: 'ok', imported: 2 });

    const names = ['ALSA-2022:4587.json', 'ALBA-2022:8256.json'];
    const zip = zipSync(
      Object.fromEntries(names.map((n) => [n, readFileSync(fixturePath('osv-almalinux', 'almalinux9', n))])),
    );
    server.route('/AlmaLinux/all.zip', { body: Buffer.from(zip) });
    const osv = await syncFeed('osv', { sink, urls: [`${server.base}/AlmaLinux/all.zip`], download: FAST });
    expect(osv).toMatchObject({ status: 'ok', imported: 2 });
  });

  it('reports a source missing from the mirror as failed, without stopping', async () => {
    const r = await syncFeed('osv', { sink, mirror: join(dir, 'empty-mirror') });
    expect(r).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(r.errors[0]?.code).toBe('PL_FEED_PATH_INVALID');
  });

  it('reads a mirror directory instead of downloading (air-gapped)', async () => {
    const mirror = join(dir, 'mirror');
    mkdirSync(join(mirror, 'endoflife'), { recursive: true });
    for (const p of ['debian', 'ubuntu']) {
      writeFileSync(
        join(mirror, 'endoflife', `${p}.json`),
        readFileSync(fixturePath('endoflife', 'json', `${p}.json`)),
      );
    }
    const before = server.requests.length;
    const r = await syncFeed('endoflife', { sink, mirror });
    expect(r).toMatchObject({ status: 'ok', exitCode: 0 });
    expect(server.requests.length).toBe(before);
    expect((await sink.status()).find((s) => s.source === 'endoflife')?.records).toBe(2);
  });
});

describe('patchloop feeds sync (binary)', () => {
  it('syncs one source from --url and reports a failed one with exit 1', async () => {
    // Async: the HTTP server runs in this process, so the child must not block it.
    server.route('/cli/kev.json', { body: kevBody, validators: true });
    const dataDir = join(dir, 'cli-data');
    const ok = await patchloopAsync([
      'feeds',
      'sync',
      '--source',
      'kev',
      '--url',
      `${server.base}/cli/kev.json`,
      '--data-dir',
      dataDir,
    ]);
    expect(ok.stdout).toBe('kev: imported 1404, skipped 0, unchanged 0\n');
    expect(ok.status).toBe(0);
    const again = await patchloopAsync([
      'feeds',
      'sync',
      '--source',
      'kev',
      '--url',
      `${server.base}/cli/kev.json`,
      '--data-dir',
      dataDir,
    ]);
    expect(again.stdout).toBe('kev: unchanged since the last sync\n');
    const mirror = join(dir, 'env-mirror');
    mkdirSync(join(mirror, 'kev'), { recursive: true });
    writeFileSync(join(mirror, 'kev', 'known_exploited_vulnerabilities.json'), kevBody);
    const fromEnv = await patchloopAsync(
      ['feeds', 'sync', '--source', 'kev', '--data-dir', join(dir, 'env-data')],
      undefined,
      {
        PATCHLOOP_FEED_MIRROR: mirror,
      },
    );
    expect(fromEnv.stdout).toBe('kev: imported 1404, skipped 0, unchanged 0\n');
    const bad = await patchloopAsync([
      'feeds',
      'sync',
      '--source',
      'kev',
      '--url',
      `${server.base}/nothing-here.json`,
      '--data-dir',
      dataDir,
    ]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('PL_FEED_DOWNLOAD_FAILED');
  });
});
