/**
 * `feeds sync`: download each source from where it is published (or read it
 * from a mirror directory), verify what came before anything is swapped in,
 * and apply it in one transaction. A failed or unusable download changes no
 * data: the previous good data stays active.
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import {
  isPatchloopError,
  PatchloopError,
  type FeedRecordError,
  type FeedSink,
  type FeedSource,
} from '@patchloop/core';
import { expandBuffer, type FeedFile } from '../import/files.js';
import { applyFiles, importFeed, type ImportSummary, type ProgressFn } from '../import/import.js';
import { IMPORTERS } from '../import/sources.js';
import { cveRecordLinks } from './cve-delta.js';
import { officialEndpoints, type Endpoint, type EndpointConfig } from './endpoints.js';
import { DEFAULT_DOWNLOAD, download, type DownloadOptions } from './http.js';

export interface SyncOptions {
  readonly sink: FeedSink;
  /** Read DIR/<source>/… instead of downloading (air-gapped sites). */
  readonly mirror?: string | undefined;
  /** Download these URLs instead of the official ones. */
  readonly urls?: readonly string[] | undefined;
  readonly endpointConfig?: EndpointConfig;
  readonly download?: Partial<DownloadOptions>;
  readonly onProgress?: ProgressFn;
  /** Most CVE records one sync fetches from the delta log. */
  readonly maxCveRecords?: number;
}

export interface DownloadReport {
  readonly url: string;
  readonly result: 'downloaded' | 'not-modified' | 'same-content';
  readonly bytes: number;
}

export interface SyncSummary extends ImportSummary {
  readonly downloads: readonly DownloadReport[];
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function failed(
  source: FeedSource,
  origin: string,
  e: PatchloopError,
  downloads: DownloadReport[],
): SyncSummary {
  return {
    source,
    origin,
    status: 'failed',
    imported: 0,
    added: 0,
    modified: 0,
    unchanged: 0,
    skipped: 0,
    changeEvents: 0,
    errors: [
      { file: origin, record: '(download)', code: e.code as FeedRecordError['code'], reason: e.message },
    ],
    exitCode: 1,
    downloads,
  };
}

export async function syncFeed(source: FeedSource, options: SyncOptions): Promise<SyncSummary> {
  const { sink } = options;
  if (options.mirror !== undefined) {
    const dir = join(options.mirror, source);
    return { ...(await importFeed(source, dir, sink, { onProgress: options.onProgress })), downloads: [] };
  }
  const endpoints: Endpoint[] = options.urls
    ? options.urls.map((url) => ({ url, mirrorPath: basename(new URL(url).pathname) || source }))
    : officialEndpoints(source, options.endpointConfig);
  const origin = endpoints.map((e) => e.url).join(' ');
  const dl: DownloadOptions = { ...DEFAULT_DOWNLOAD, ...options.download };
  const startedAt = new Date();
  const downloads: DownloadReport[] = [];
  const fetched: { endpoint: Endpoint; body: Buffer; etag: string | null; lastModified: string | null }[] =
    [];
  const files: FeedFile[] = [];
  const errors: FeedRecordError[] = [];
  try {
    for (const endpoint of endpoints) {
      const prior = await sink.downloadState(source, endpoint.url);
      const r = await download(endpoint.url, { ...dl, etag: prior?.etag, lastModified: prior?.lastModified });
      if (r.status === 'not-modified') {
        downloads.push({ url: endpoint.url, result: 'not-modified', bytes: 0 });
        continue;
      }
      const same = prior?.sha256 === sha256(r.body);
      downloads.push({
        url: endpoint.url,
        result: same ? 'same-content' : 'downloaded',
        bytes: r.body.length,
      });
      fetched.push({ endpoint, body: r.body, etag: r.etag, lastModified: r.lastModified });
      if (same) continue;
      // Verify each download on its own: a file that yields nothing usable
      // (truncated, an error page, a corrupt archive) fails the whole sync.
      const fileErrors: FeedRecordError[] = [];
      let got = expandBuffer(
        endpoint.mirrorPath,
        r.body,
        { accept: IMPORTERS[source].accept, maxFileBytes: dl.maxBytes },
        fileErrors,
      );
      if (source === 'cve') got = await fetchCveRecords(got, dl, options.maxCveRecords ?? 20_000, fileErrors);
      const check = IMPORTERS[source].parse(got);
      if (check.records === 0) {
        const why = [...fileErrors, ...check.errors][0];
        throw new PatchloopError(
          'PL_FEED_DOWNLOAD_INVALID',
          `${endpoint.url}: nothing usable in the download${why ? ` (${why.code}: ${why.reason})` : ''}`,
        );
      }
      files.push(...got);
      errors.push(...fileErrors);
    }
  } catch (e) {
    if (!isPatchloopError(e)) throw e;
    await sink.recordFailure({ source, origin, startedAt, errors: [] }, { code: e.code, message: e.message });
    return failed(source, origin, e, downloads);
  }
  const saveStates = async () => {
    for (const f of fetched) {
      await sink.saveDownloadState(source, f.endpoint.url, {
        etag: f.etag,
        lastModified: f.lastModified,
        sha256: sha256(f.body),
        bytes: f.body.length,
      });
    }
  };
  if (files.length === 0) {
    await sink.recordUnchanged({ source, origin, startedAt, errors: [] });
    await saveStates();
    return {
      source,
      origin,
      status: 'unchanged',
      imported: 0,
      added: 0,
      modified: 0,
      unchanged: 0,
      skipped: 0,
      changeEvents: 0,
      errors: [],
      exitCode: 0,
      downloads,
    };
  }
  const summary = await applyFiles(source, origin, files, errors, sink, options.onProgress);
  if (summary.exitCode !== 1) await saveStates();
  return { ...summary, downloads };
}

/** The CVE delta log names records; fetch each into one JSON Lines file. */
async function fetchCveRecords(
  logFiles: FeedFile[],
  dl: DownloadOptions,
  max: number,
  errors: FeedRecordError[],
): Promise<FeedFile[]> {
  const links = logFiles.flatMap((f) => cveRecordLinks(f.text, f.name, errors)).slice(0, max);
  const lines: string[] = new Array(links.length);
  let next = 0;
  const worker = async () => {
    while (next < links.length) {
      const i = next++;
      const link = links[i] as { cveId: string; url: string };
      try {
        const r = await download(link.url, { ...dl, attempts: Math.min(dl.attempts, 3) });
        if (r.status === 'ok') lines[i] = r.body.toString('utf8').replace(/\s*\n\s*/g, ' ');
      } catch (e) {
        errors.push({
          file: link.url,
          record: link.cveId,
          code: 'PL_FEED_SCHEMA_INVALID',
          reason: (e as Error).message,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const text = lines.filter((l) => l !== undefined).join('\n');
  return text === '' ? [] : [{ name: 'deltaLog.jsonl', text }];
}
