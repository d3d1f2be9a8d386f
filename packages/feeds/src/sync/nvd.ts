/**
 * NVD API 2.0 (`/rest/json/cves/2.0`), for NVD's own CVSS metrics, when an
 * API key is configured. The first run pages through every CVE; later runs
 * ask only for what changed since the last successful run
 * (`lastModStartDate`/`lastModEndDate`, windows of at most 120 days, as NVD
 * requires). Pages are fetched one at a time (`resultsPerPage` ≤ 2000,
 * `startIndex`) into a temporary file, parsed and applied, so memory holds
 * one page. Each window is one store session: a failed window changes
 * nothing and the mark stays before it.
 *
 * Rate limits (nvd.nist.gov/developers/start-here): 50 requests in a rolling
 * 30 s window with a key (also written as 100 per 60 s, which 50 per 30 s
 * keeps to); NIST asks for a pause between requests (6 s by default here).
 * Throttling answers 403 (NVD's firewall), 429 or 503: retried with backoff.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  isPatchloopError,
  PatchloopError,
  redactUrl,
  type ApplyResult,
  type FeedApplySession,
  type FeedRecordError,
  type FeedSink,
  type FeedSource,
} from '@patchloop/core';
import { parseNvdPage, type NvdPage } from '../cve/nvd.js';
import type { ProgressFn } from '../import/import.js';
import { download, type DownloadOptions } from './http.js';

export interface NvdOptions {
  /** Sent as the `apiKey` request header (never in the URL, never logged). */
  readonly apiKey: string;
  /** Pause between two page requests; NIST recommends 6 s. */
  readonly pauseMs: number;
  /** At most this many requests in any `windowMs` (NVD with a key: 50 per 30 s). */
  readonly maxRequests: number;
  readonly windowMs: number;
  /** Results per page, at most 2000 (NVD answers 400 above). */
  readonly resultsPerPage: number;
  /** Longest lastMod window NVD accepts, in days. */
  readonly maxWindowDays: number;
  /** Attempts per page in all; 403, 429, 503, other 5xx and network errors are retried. */
  readonly attempts: number;
  /** First backoff delay, doubled each retry (with jitter). */
  readonly backoffMs: number;
  /** The clock (tests). */
  readonly now?: () => Date;
}

export const DEFAULT_NVD: Omit<NvdOptions, 'apiKey'> = {
  pauseMs: 6000,
  maxRequests: 50,
  windowMs: 30_000,
  resultsPerPage: 2000,
  maxWindowDays: 120,
  attempts: 6,
  backoffMs: 6000,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** At most `max` requests in any rolling `windowMs`: `take` waits for a free slot. */
export class RollingLimit {
  private readonly stamps: number[] = [];
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  async take(): Promise<void> {
    for (;;) {
      const now = Date.now();
      while (this.stamps.length > 0 && (this.stamps[0] as number) <= now - this.windowMs) this.stamps.shift();
      if (this.stamps.length < this.max) {
        this.stamps.push(now);
        return;
      }
      await sleep((this.stamps[0] as number) + this.windowMs - now + 1);
    }
  }
}

/** NVD's date form: extended ISO-8601 with an offset. */
export const nvdDate = (d: Date) => d.toISOString().replace(/Z$/, '+00:00');

/** [from, to) cut into windows of at most `days` days; none when `to` is not after `from`. */
export function nvdWindows(from: Date, to: Date, days: number): { start: Date; end: Date }[] {
  const out: { start: Date; end: Date }[] = [];
  const span = days * 86_400_000;
  for (let t = from.getTime(); t < to.getTime(); t += span) {
    out.push({ start: new Date(t), end: new Date(Math.min(t + span, to.getTime())) });
  }
  return out;
}

export interface NvdRun {
  readonly sink: FeedSink;
  readonly source: FeedSource;
  /** The API's URL (FeedBases.nvd). */
  readonly base: string;
  readonly dl: DownloadOptions;
  readonly tmp: string;
  readonly options: NvdOptions;
  /** The CVE scope: records it refuses are not stored. */
  readonly keep: ((id: string) => boolean) | undefined;
  readonly onProgress: ProgressFn | undefined;
}

export interface NvdResult {
  /** 'baseline' (every CVE) or 'incremental' (lastMod windows). */
  readonly via: 'baseline' | 'incremental';
  readonly counts: ApplyResult;
  readonly errors: FeedRecordError[];
  readonly pages: number;
}

/** The key under which the last successful run's time is kept (beside the download validators). */
export const nvdMarkKey = (base: string) => `${redactUrl(base)}#applied`;

/** Pages the API (everything, or the windows since the mark) into the store. */
export async function syncNvd(run: NvdRun): Promise<NvdResult> {
  const o = run.options;
  const now = (o.now ?? (() => new Date()))();
  const markKey = nvdMarkKey(run.base);
  const since = (await run.sink.downloadState(run.source, markKey))?.lastModified ?? null;
  const windows: ({ start: Date; end: Date } | null)[] =
    since === null ? [null] : nvdWindows(new Date(since), now, o.maxWindowDays);
  const limit = new RollingLimit(o.maxRequests, o.windowMs);
  const counts = { added: 0, modified: 0, unchanged: 0, removed: 0, changeEvents: 0 };
  const errors: FeedRecordError[] = [];
  let pages = 0;
  for (const w of windows) {
    const r = await applyWindow(run, w, limit, pages);
    pages += r.pages;
    errors.push(...r.errors);
    for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] += r.counts[k];
    // Applied: the next run starts where this window ends (the whole pass: when it began).
    await run.sink.saveDownloadState(run.source, markKey, {
      etag: null,
      lastModified: nvdDate(w?.end ?? now),
      sha256: null,
      bytes: 0,
    });
  }
  return { via: since === null ? 'baseline' : 'incremental', counts, errors, pages };
}

/** One window (or every CVE: null), one store session. */
async function applyWindow(
  run: NvdRun,
  w: { start: Date; end: Date } | null,
  limit: RollingLimit,
  before: number,
): Promise<{ counts: ApplyResult; errors: FeedRecordError[]; pages: number }> {
  const errors: FeedRecordError[] = [];
  const origin = `${redactUrl(run.base)}${w ? ` ${nvdDate(w.start)}..${nvdDate(w.end)}` : ''}`;
  let session: FeedApplySession | null = null;
  let pages = 0;
  let stored = 0;
  try {
    for (let start = 0, total = 1; start < total;) {
      if (before + pages > 0 && run.options.pauseMs > 0) await sleep(run.options.pauseMs);
      const url = new URL(run.base);
      url.searchParams.set('resultsPerPage', String(Math.min(2000, run.options.resultsPerPage)));
      url.searchParams.set('startIndex', String(start));
      if (w) {
        url.searchParams.set('lastModStartDate', nvdDate(w.start));
        url.searchParams.set('lastModEndDate', nvdDate(w.end));
      }
      const page = await fetchPage(run, url.toString(), limit);
      pages++;
      errors.push(...page.errors);
      const records = run.keep ? page.records.filter((r) => run.keep?.(r.id)) : page.records;
      if (records.length > 0) {
        session ??= await run.sink.begin({ source: run.source, origin, startedAt: new Date() });
        await session.applyChunk({ kind: 'cve', from: 'nvd', records });
        stored += records.length;
        run.onProgress?.('store', stored, page.totalResults);
      }
      if (page.count === 0) break;
      start += page.count;
      total = page.totalResults;
    }
  } catch (e) {
    await (session as FeedApplySession | null)?.abort();
    throw e;
  }
  const none = { added: 0, modified: 0, unchanged: 0, removed: 0, changeEvents: 0 };
  return {
    counts: session === null ? none : await (session as FeedApplySession).finish(errors),
    errors,
    pages,
  };
}

/** Whether a failed request is worth another try: throttled (403, 429), unavailable (5xx) or unreachable. */
function retryable(e: unknown): boolean {
  if (!isPatchloopError(e) || e.code !== 'PL_FEED_DOWNLOAD_FAILED') return false;
  const status = e.details.status;
  // download() reports 5xx, 408, 429 and network errors without a status (they are its retryable ones).
  return status === undefined || status === 403;
}

async function fetchPage(run: NvdRun, url: string, limit: RollingLimit): Promise<NvdPage> {
  const o = run.options;
  const dest = join(run.tmp, 'nvd-page.json');
  for (let i = 1; ; i++) {
    await limit.take();
    try {
      // One attempt per call: every request goes through the rate limit.
      await download(url, dest, {
        ...run.dl,
        attempts: 1,
        headers: { ...run.dl.headers, apiKey: o.apiKey, accept: 'application/json' },
      });
      break;
    } catch (e) {
      if (!retryable(e) || i >= o.attempts) throw e;
      const delay = Math.round(o.backoffMs * 2 ** (i - 1) * (0.5 + Math.random()));
      run.dl.onRetry?.(i, (e as Error).message, delay);
      await sleep(delay);
    }
  }
  try {
    return parseNvdPage(readFileSync(dest, 'utf8'), redactUrl(url));
  } catch (e) {
    throw new PatchloopError(
      'PL_FEED_DOWNLOAD_INVALID',
      `${redactUrl(url)}: not an NVD API answer (${(e as Error).message})`,
    );
  } finally {
    rmSync(dest, { force: true });
  }
}
