/**
 * `feeds sync`: download each source from where it is published (or read it
 * from a mirror directory), verify what came before anything is swapped in,
 * and apply it in one transaction. A failed or unusable download changes no
 * data: the previous good data stays active, and the HTTP validators of what
 * was not applied are not saved, so the next sync downloads it again.
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import {
  isPatchloopError,
  redactUrl,
  redactUrls,
  PatchloopError,
  type FeedRecordError,
  type FeedSink,
  type FeedSource,
} from '@patchloop/core';
import { DEFAULT_MAX_FILE_BYTES, expandBuffer, type FeedFile } from '../import/files.js';
import { applyFiles, importFeed, NOTHING, type ImportSummary, type ProgressFn } from '../import/import.js';
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
  /** Largest file (or archive entry) accepted, decompressed. */
  readonly maxFileBytes?: number;
  readonly onProgress?: ProgressFn;
  /** Most CVE records one sync fetches from the delta log (the rest wait for the next sync). */
  readonly maxCveRecords?: number;
}

export interface DownloadReport {
  /** The URL, without credentials. */
  readonly url: string;
  readonly result: 'downloaded' | 'not-modified' | 'same-content';
  readonly bytes: number;
}

export interface SyncSummary extends ImportSummary {
  readonly downloads: readonly DownloadReport[];
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function summary(
  source: FeedSource,
  origin: string,
  status: 'failed' | 'unchanged',
  errors: FeedRecordError[],
  downloads: DownloadReport[],
): SyncSummary {
  return {
    source,
    origin,
    status,
    ...NOTHING,
    skipped: 0,
    warnings: 0,
    errors,
    exitCode: status === 'failed' ? 1 : 0,
    downloads,
  };
}

interface Fetched {
  readonly endpoint: Endpoint;
  readonly body: Buffer;
  readonly etag: string | null;
  readonly lastModified: string | null;
  /** Whether everything this download led to was fetched (a CVE delta log's records). */
  complete: boolean;
}

export async function syncFeed(source: FeedSource, options: SyncOptions): Promise<SyncSummary> {
  const { sink } = options;
  const startedAt = new Date();
  if (options.mirror !== undefined) {
    const dir = join(options.mirror, source);
    try {
      return {
        ...(await importFeed(source, dir, sink, {
          onProgress: options.onProgress,
          maxFileBytes: options.maxFileBytes,
        })),
        downloads: [],
      };
    } catch (e) {
      if (!isPatchloopError(e)) throw e;
      await sink.recordFailure(
        { source, origin: dir, startedAt, errors: [] },
        { code: e.code, message: e.message },
      );
      const err = {
        file: dir,
        record: '(mirror)',
        code: e.code as FeedRecordError['code'],
        reason: e.message,
      };
      return summary(source, dir, 'failed', [err], []);
    }
  }
  const endpoints: Endpoint[] = options.urls
    ? options.urls.map((url) => ({ url, mirrorPath: basename(new URL(url).pathname) || source }))
    : officialEndpoints(source, options.endpointConfig);
  // URLs are shown and stored without credentials; the real one is only used to download.
  const shown = (url: string) => redactUrl(url);
  const origin = endpoints.map((e) => shown(e.url)).join(' ');
  const dl: DownloadOptions = { ...DEFAULT_DOWNLOAD, ...options.download };
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const downloads: DownloadReport[] = [];
  const fetched: Fetched[] = [];
  const files: FeedFile[] = [];
  const errors: FeedRecordError[] = [];
  try {
    for (const endpoint of endpoints) {
      const prior = await sink.downloadState(source, shown(endpoint.url));
      const r = await download(endpoint.url, { ...dl, etag: prior?.etag, lastModified: prior?.lastModified });
      if (r.status === 'not-modified') {
        downloads.push({ url: shown(endpoint.url), result: 'not-modified', bytes: 0 });
        continue;
      }
      const same = prior?.sha256 === sha256(r.body);
      downloads.push({
        url: shown(endpoint.url),
        result: same ? 'same-content' : 'downloaded',
        bytes: r.body.length,
      });
      const f: Fetched = {
        endpoint,
        body: r.body,
        etag: r.etag,
        lastModified: r.lastModified,
        complete: true,
      };
      fetched.push(f);
      if (same) continue;
      // Verify each download on its own: a file that yields nothing usable
      // (truncated, an error page, a corrupt archive) fails the whole sync.
      const fileErrors: FeedRecordError[] = [];
      let got = expandBuffer(
        endpoint.mirrorPath,
        r.body,
        { accept: IMPORTERS[source].accept, maxFileBytes },
        fileErrors,
      );
      if (source === 'cve') {
        const cve = await fetchCveRecords(got, dl, options.maxCveRecords ?? 20_000, fileErrors);
        got = cve.files;
        f.complete = cve.complete;
      }
      const check = IMPORTERS[source].parse(got);
      if (check.records === 0) {
        const why = [...fileErrors, ...check.errors][0];
        throw new PatchloopError(
          'PL_FEED_DOWNLOAD_INVALID',
          `${shown(endpoint.url)}: nothing usable in the download${why ? ` (${why.code}: ${why.reason})` : ''}`,
        );
      }
      files.push(...got);
      errors.push(...fileErrors);
    }
  } catch (e) {
    if (!isPatchloopError(e)) throw e;
    const message = redactUrls(e.message);
    await sink.recordFailure({ source, origin, startedAt, errors: [] }, { code: e.code, message });
    const err = {
      file: origin,
      record: '(download)',
      code: e.code as FeedRecordError['code'],
      reason: message,
    };
    return summary(source, origin, 'failed', [err], downloads);
  }
  const saveStates = async () => {
    for (const f of fetched.filter((x) => x.complete)) {
      await sink.saveDownloadState(source, shown(f.endpoint.url), {
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
    return summary(source, origin, 'unchanged', [], downloads);
  }
  const result = await applyFiles(source, origin, files, errors, sink, options.onProgress);
  // Validators are saved only once the data is applied.
  if (result.exitCode !== 1) await saveStates();
  return { ...result, downloads };
}

/**
 * The CVE delta log names records; fetch each (8 at a time) into one JSON
 * Lines file. `complete` is false when a record could not be fetched or the
 * log named more than `max`: then the log's validators are not saved and the
 * next sync tries again.
 */
async function fetchCveRecords(
  logFiles: FeedFile[],
  dl: DownloadOptions,
  max: number,
  errors: FeedRecordError[],
): Promise<{ files: FeedFile[]; complete: boolean }> {
  const all = logFiles.flatMap((f) => cveRecordLinks(f.text, f.name, errors));
  const links = all.slice(0, max);
  let complete = links.length === all.length;
  if (!complete) {
    errors.push({
      file: 'deltaLog.json',
      record: '(log)',
      code: 'PL_FEED_RECORD_TOO_LARGE',
      reason: `the delta log names ${all.length} records; fetched the first ${max}, the rest on the next sync`,
      warning: true,
    });
  }
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
        complete = false;
        errors.push({
          file: redactUrl(link.url),
          record: link.cveId,
          code: 'PL_FEED_DOWNLOAD_FAILED',
          reason: redactUrls((e as Error).message),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const text = lines.filter((l) => l !== undefined).join('\n');
  return { files: text === '' ? [] : [{ name: 'deltaLog.jsonl', text }], complete };
}
