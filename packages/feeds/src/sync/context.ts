/** What every part of a sync shares: its options, reports, context and download steps. */
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import {
  isPatchloopError,
  redactUrl,
  redactUrls,
  PatchloopError,
  releasesFor,
  type AdvisoryTarget,
  type FeedRecordError,
  type FeedSink,
  type FeedSource,
  type NamedCves,
} from '@patchloop/core';
import { importFeed, type ImportSummary, type ProgressFn } from '../import/import.js';
import type { EndpointConfig } from './endpoints.js';
import { download, type DownloadOptions } from './http.js';
import type { NvdOptions } from './nvd.js';

export interface SyncOptions {
  readonly sink: FeedSink;
  /** Read DIR/<source>/… instead of downloading (air-gapped sites). */
  readonly mirror?: string | undefined;
  /** Download these URLs instead of the official ones (each one endpoint). */
  readonly urls?: readonly string[] | undefined;
  readonly endpointConfig?: Partial<EndpointConfig>;
  readonly download?: Partial<DownloadOptions>;
  /** Largest file (or archive entry) accepted, decompressed. */
  readonly maxFileBytes?: number;
  readonly onProgress?: ProgressFn;
  /** Where downloads are written while a sync runs (default: the system's temporary directory). */
  readonly workDir?: string;
  /** How many OSV records are fetched at once in an incremental sync. */
  readonly concurrency?: number;
  /** Records per store chunk (importFeed's `chunk`; default 2,000). */
  readonly chunk?: number;
  /**
   * Which CVE records the cve source stores: 'all' (default) or 'named',
   * only the CVEs that stored advisories name (a far smaller store).
   */
  readonly cveScope?: CveScope;
  /** NVD API 2.0 for NVD's own CVSS (cve source): used when an API key is given. */
  readonly nvd?: Partial<NvdOptions> & { readonly apiKey: string };
  /**
   * Keep only these ecosystems' releases (importFeed's `releases`); null or
   * absent: keep all. What each endpoint was last applied with is kept with
   * its sync state: a release it did not cover makes the next sync fetch
   * and apply the whole data again (OSV: the baseline archive, not
   * increments).
   */
  readonly releases?: readonly AdvisoryTarget[] | null | undefined;
}

export type CveScope = 'all' | 'named';
export const CVE_SCOPES: readonly CveScope[] = ['all', 'named'];

export interface DownloadReport {
  /** The URL, without credentials. */
  readonly url: string;
  readonly result: 'downloaded' | 'not-modified' | 'same-content';
  readonly bytes: number;
  /** Bytes a retry did not fetch again (Range). */
  readonly resumedBytes?: number;
}

/** What became of one endpoint. */
export interface EndpointReport {
  readonly endpoint: string;
  readonly result: 'applied' | 'unchanged' | 'failed';
  /** How it was fetched: 'baseline', 'incremental' (OSV), 'fallback' (KEV). */
  readonly via?: string;
  readonly code?: string;
  readonly reason?: string;
}

export interface SyncSummary extends ImportSummary {
  readonly downloads: readonly DownloadReport[];
  readonly endpoints: readonly EndpointReport[];
}

export interface Outcome {
  readonly report: EndpointReport;
  readonly summaries: ImportSummary[];
  /** Problems that did not fail the endpoint (a fallback used, a record not fetched). */
  readonly notes: FeedRecordError[];
}

export interface Ctx {
  readonly source: FeedSource;
  readonly sink: FeedSink;
  readonly dl: DownloadOptions;
  readonly cfg: EndpointConfig;
  readonly tmp: string;
  readonly maxFileBytes: number | undefined;
  readonly chunk: number | undefined;
  readonly onProgress: ProgressFn | undefined;
  readonly concurrency: number;
  readonly downloads: DownloadReport[];
  /** The `named` CVE scope: the CVEs stored advisories name (none: every record is kept). */
  readonly named: NamedCves | null;
  readonly keep: ((id: string) => boolean) | undefined;
  readonly releases: readonly AdvisoryTarget[] | null;
}

export const shown = (url: string) => redactUrl(url);

export type Fetched =
  | { readonly status: 'not-modified' }
  | {
      readonly status: 'ok';
      readonly path: string;
      readonly same: boolean;
      readonly save: () => Promise<void>;
    };

/**
 * Downloads one URL into `<tmp>/<name>`, conditionally on the validators
 * saved for it; `save` stores the new ones (call it once the data is applied).
 */
export async function fetchTo(ctx: Ctx, url: string, name: string, conditional = true): Promise<Fetched> {
  const key = shown(url);
  const prior = conditional ? await ctx.sink.downloadState(ctx.source, key) : null;
  const dest = join(ctx.tmp, name);
  mkdirSync(dirname(dest), { recursive: true });
  const onBytes = ctx.onProgress
    ? (n: number, total: number | null) => ctx.onProgress?.('read', n, total ?? 0)
    : undefined;
  const r = await download(url, dest, {
    ...ctx.dl,
    etag: prior?.etag,
    lastModified: prior?.lastModified,
    ...(onBytes ? { onBytes } : {}),
  });
  if (r.status === 'not-modified') {
    ctx.downloads.push({ url: key, result: 'not-modified', bytes: 0 });
    return r;
  }
  const same = prior?.sha256 === r.sha256;
  ctx.downloads.push({
    url: key,
    result: same ? 'same-content' : 'downloaded',
    bytes: r.bytes,
    ...(r.resumedBytes > 0 ? { resumedBytes: r.resumedBytes } : {}),
  });
  const save = () =>
    ctx.sink.saveDownloadState(ctx.source, key, {
      etag: r.etag,
      lastModified: r.lastModified,
      sha256: r.sha256,
      bytes: r.bytes,
    });
  return { status: 'ok', path: r.path, same, save };
}

/** Applies a downloaded file or directory through the import path; throws when nothing was usable. */
export async function apply(ctx: Ctx, label: string, path: string): Promise<ImportSummary> {
  const s = await importFeed(ctx.source, path, ctx.sink, {
    maxFileBytes: ctx.maxFileBytes,
    ...(ctx.chunk ? { chunk: ctx.chunk } : {}),
    onProgress: ctx.onProgress,
    ...(ctx.keep ? { keep: ctx.keep } : {}),
    releases: ctx.releases,
  });
  if (s.exitCode === 1) {
    const why = s.errors[0];
    throw new PatchloopError(
      'PL_FEED_DOWNLOAD_INVALID',
      `${label}: nothing usable in the download${why ? ` (${why.code}: ${why.reason})` : ''}`,
    );
  }
  return s;
}

export const unchanged = (endpoint: string, via?: string): Outcome => ({
  report: { endpoint, result: 'unchanged', ...(via ? { via } : {}) },
  summaries: [],
  notes: [],
});

export const note = (
  file: string,
  record: string,
  code: FeedRecordError['code'],
  reason: string,
): FeedRecordError => ({
  file,
  record,
  code,
  reason: redactUrls(reason),
  warning: true,
});

/** Whether a failed download may be retried from a fallback: refused (403) or unreachable. */
export function refusedOrUnreachable(e: unknown): boolean {
  if (!isPatchloopError(e) || e.code !== 'PL_FEED_DOWNLOAD_FAILED') return false;
  const status = e.details.status;
  return status === undefined || status === 403;
}

// ---- kept releases: what each endpoint's data was last applied with ----

/** Every release (null), or the sorted releases of one ecosystem: what an endpoint's data covers. */
export type Covered = readonly string[] | null;

const ALL = '*';
export const encodeCovered = (c: Covered) => (c === null ? ALL : JSON.stringify(c));
/** Data applied before releases were kept (no mark) covers every release. */
export function decodeCovered(s: string | null | undefined): Covered {
  if (s === null || s === undefined || s === ALL) return null;
  try {
    const v: unknown = JSON.parse(s);
    return Array.isArray(v) ? v.map(String) : null;
  } catch {
    return null;
  }
}
export const covers = (had: Covered, want: Covered) =>
  had === null || (want !== null && want.every((r) => had.includes(r)));

/** The releases of `ecosystem` this sync keeps (null: all). */
export const wanted = (ctx: Ctx, ecosystem: string): Covered =>
  ctx.releases === null ? null : releasesFor(ctx.releases, ecosystem);

/** The ecosystem whose releases a per-file advisory source publishes. */
export const SOURCE_ECOSYSTEM: Partial<Record<FeedSource, string>> = {
  'debian-dsa': 'Debian',
  'debian-dla': 'Debian',
  'alpine-secdb': 'Alpine',
};

/** Where the releases an endpoint was applied with are kept, beside its validators. */
export const coveredKey = (url: string) => `${shown(url)}#releases`;

export async function saveCovered(ctx: Ctx, url: string, covered: Covered): Promise<void> {
  await ctx.sink.saveDownloadState(ctx.source, coveredKey(url), {
    etag: encodeCovered(covered),
    lastModified: null,
    sha256: null,
    bytes: 0,
  });
}

export function failed(endpoint: string, e: PatchloopError): Outcome {
  const reason = redactUrls(e.message);
  return {
    report: { endpoint, result: 'failed', code: e.code, reason },
    summaries: [],
    notes: [],
  };
}

/** Runs one endpoint; a Patchloop error fails that endpoint only. */
export async function isolate(endpoint: string, run: () => Promise<Outcome | Outcome[]>): Promise<Outcome[]> {
  try {
    const r = await run();
    return Array.isArray(r) ? r : [r];
  } catch (e) {
    // Anything else (a store error on one file's data) fails this endpoint too, not the sync.
    const err = isPatchloopError(e)
      ? e
      : new PatchloopError('PL_FEED_DOWNLOAD_INVALID', `${endpoint}: ${(e as Error).message}`);
    return [failed(endpoint, err)];
  }
}
