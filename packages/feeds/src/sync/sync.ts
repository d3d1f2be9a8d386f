/**
 * `feeds sync`: download each endpoint of a source (one OSV ecosystem, one
 * Alpine branch's file, one endoflife product, …) into a temporary file, and
 * apply it through the same reading path as `feeds import` (`importFeed`),
 * which verifies it before anything changes. Failures are isolated per
 * endpoint: what succeeded is applied, what failed keeps its previous data
 * and is reported with its reason (in the summary and, through
 * `recordFailure`, in the source's status). HTTP validators of an endpoint
 * are saved only after its data is applied, so a failed endpoint is
 * downloaded again next time.
 */
import {
  copyFileSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
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
import type { NOTHING } from '../import/import.js';
import { importFeed, type ImportSummary, type ProgressFn } from '../import/import.js';
import { cveAssets, planCveAssets, type CveMark } from './cve-releases.js';
import {
  alpineBranchesFromIndex,
  alpineEndpoints,
  DEFAULT_ENDPOINT_CONFIG,
  KNOWN_ALPINE_BRANCHES,
  officialEndpoints,
  trim,
  type Endpoint,
  type EndpointConfig,
} from './endpoints.js';
import { contentLength, DEFAULT_DOWNLOAD, download, type DownloadOptions } from './http.js';
import { DEFAULT_NVD, syncNvd, type NvdOptions } from './nvd.js';
import { scanModifiedIds } from './osv-delta.js';
import { extractZipEntry, listZipEntries } from './zip-entry.js';

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

interface Outcome {
  readonly report: EndpointReport;
  readonly summaries: ImportSummary[];
  /** Problems that did not fail the endpoint (a fallback used, a record not fetched). */
  readonly notes: FeedRecordError[];
}

interface Ctx {
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

const shown = (url: string) => redactUrl(url);

type Fetched =
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
async function fetchTo(ctx: Ctx, url: string, name: string, conditional = true): Promise<Fetched> {
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
async function apply(ctx: Ctx, label: string, path: string): Promise<ImportSummary> {
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

const unchanged = (endpoint: string, via?: string): Outcome => ({
  report: { endpoint, result: 'unchanged', ...(via ? { via } : {}) },
  summaries: [],
  notes: [],
});

const note = (
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
function refusedOrUnreachable(e: unknown): boolean {
  if (!isPatchloopError(e) || e.code !== 'PL_FEED_DOWNLOAD_FAILED') return false;
  const status = e.details.status;
  return status === undefined || status === 403;
}

// ---- kept releases: what each endpoint's data was last applied with ----

/** Every release (null), or the sorted releases of one ecosystem: what an endpoint's data covers. */
type Covered = readonly string[] | null;

const ALL = '*';
const encodeCovered = (c: Covered) => (c === null ? ALL : JSON.stringify(c));
/** Data applied before releases were kept (no mark) covers every release. */
function decodeCovered(s: string | null | undefined): Covered {
  if (s === null || s === undefined || s === ALL) return null;
  try {
    const v: unknown = JSON.parse(s);
    return Array.isArray(v) ? v.map(String) : null;
  } catch {
    return null;
  }
}
const covers = (had: Covered, want: Covered) =>
  had === null || (want !== null && want.every((r) => had.includes(r)));

/** The releases of `ecosystem` this sync keeps (null: all). */
const wanted = (ctx: Ctx, ecosystem: string): Covered =>
  ctx.releases === null ? null : releasesFor(ctx.releases, ecosystem);

/** The ecosystem whose releases a per-file advisory source publishes. */
const SOURCE_ECOSYSTEM: Partial<Record<FeedSource, string>> = {
  'debian-dsa': 'Debian',
  'debian-dla': 'Debian',
  'alpine-secdb': 'Alpine',
};

/** Where the releases an endpoint was applied with are kept, beside its validators. */
const coveredKey = (url: string) => `${shown(url)}#releases`;

async function saveCovered(ctx: Ctx, url: string, covered: Covered): Promise<void> {
  await ctx.sink.saveDownloadState(ctx.source, coveredKey(url), {
    etag: encodeCovered(covered),
    lastModified: null,
    sha256: null,
    bytes: 0,
  });
}

/** One file, one endpoint: download, apply, save its validators. */
async function syncFile(ctx: Ctx, ep: Endpoint): Promise<Outcome> {
  const eco = SOURCE_ECOSYSTEM[ctx.source];
  const want = eco === undefined ? null : wanted(ctx, eco);
  if (want !== null && want.length === 0) return unchanged(ep.label, 'no kept release');
  // Applied before without a release now kept: fetch and apply it whole again.
  const fresh =
    eco !== undefined &&
    !covers(decodeCovered((await ctx.sink.downloadState(ctx.source, coveredKey(ep.url)))?.etag), want);
  let url = ep.url;
  const notes: FeedRecordError[] = [];
  let got: Fetched;
  try {
    got = await fetchTo(ctx, url, ep.mirrorPath, !fresh);
  } catch (e) {
    if (ep.fallback === undefined || !refusedOrUnreachable(e)) throw e;
    notes.push(
      note(
        ep.label,
        '(download)',
        'PL_FEED_DOWNLOAD_FAILED',
        `${(e as Error).message}; used ${shown(ep.fallback)}`,
      ),
    );
    url = ep.fallback;
    got = await fetchTo(ctx, url, ep.mirrorPath, !fresh);
  }
  const via = url === ep.url ? undefined : fresh ? 'baseline' : 'fallback';
  if (got.status === 'not-modified') return { ...unchanged(ep.label, via), notes };
  if (got.same && !fresh) {
    await got.save();
    return { ...unchanged(ep.label, via), notes };
  }
  const s = await apply(ctx, ep.label, got.path);
  await got.save();
  if (eco !== undefined) await saveCovered(ctx, ep.url, want);
  return {
    report: { endpoint: ep.label, result: 'applied', ...(via ? { via } : {}) },
    summaries: [s],
    notes,
  };
}

// ---- OSV: baseline archive, then modified_id.csv increments ----

function checkEcosystem(eco: string): void {
  if (eco.includes(':')) {
    throw new PatchloopError(
      'PL_FEED_ECOSYSTEM_INVALID',
      `OSV ecosystem ${JSON.stringify(eco)}: per-release folders (names with ':') stopped updating in October 2024; configure ${JSON.stringify(eco.slice(0, eco.indexOf(':')))} instead`,
      { ecosystem: eco },
    );
  }
}

/** Where Ubuntu's (or another ecosystem's) full archive comes from. */
async function baselineArchive(ctx: Ctx, eco: string): Promise<{ url: string; name: string }> {
  const zip = {
    url: `${trim(ctx.cfg.bases.osv)}/${encodeURIComponent(eco)}/all.zip`,
    name: `${eco}/all.zip`,
  };
  if (eco !== 'Ubuntu' || ctx.cfg.ubuntuArchive === 'osv') return zip;
  const canonical = { url: ctx.cfg.bases.canonicalOsv, name: 'osv-all.tar.xz' };
  if (ctx.cfg.ubuntuArchive === 'canonical') return canonical;
  const [a, b] = await Promise.all([contentLength(zip.url, ctx.dl), contentLength(canonical.url, ctx.dl)]);
  return a !== null && b !== null && b < a ? canonical : zip;
}

/** Downloads records (8 at a time) into `<dir>/<ID>.json`; returns the failures. */
async function fetchRecords(
  ctx: Ctx,
  base: string,
  ids: readonly string[],
  dir: string,
): Promise<FeedRecordError[]> {
  mkdirSync(dir, { recursive: true });
  const failures: FeedRecordError[] = [];
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++] as string;
      const url = `${base}/${encodeURIComponent(id)}.json`;
      try {
        await download(url, join(dir, `${id.replace(/[/\\]/g, '_')}.json`), {
          ...ctx.dl,
          attempts: Math.min(ctx.dl.attempts, 3),
        });
      } catch (e) {
        failures.push(note(shown(url), id, 'PL_FEED_DOWNLOAD_FAILED', (e as Error).message));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, ctx.concurrency) }, worker));
  return failures;
}

async function syncOsvEcosystem(ctx: Ctx, eco: string): Promise<Outcome> {
  checkEcosystem(eco);
  const want = wanted(ctx, eco);
  if (want !== null && want.length === 0) return unchanged(eco, 'no kept release');
  const base = `${trim(ctx.cfg.bases.osv)}/${encodeURIComponent(eco)}`;
  const csvUrl = `${base}/modified_id.csv`;
  // The newest change applied is kept as the lastModified of a marker entry
  // beside the download validators ('#applied' is never fetched), the
  // releases it was applied with as its etag.
  const markKey = `${shown(csvUrl)}#applied`;
  const applied = await ctx.sink.downloadState(ctx.source, markKey);
  const notes: FeedRecordError[] = [];
  let since = applied?.lastModified ?? null;
  // A release the data was not applied with (a new host's): the whole archive, not increments.
  const fresh = since !== null && !covers(decodeCovered(applied?.etag), want);
  if (fresh) {
    since = null;
    notes.push(
      note(
        eco,
        'modified_id.csv',
        'PL_FEED_RECORD_TOO_LARGE',
        `releases ${(want ?? ['all']).join(', ')} were not all kept by the last sync: downloading the whole archive`,
      ),
    );
  }
  let csv: Fetched | null = null;
  try {
    csv = await fetchTo(ctx, csvUrl, `${eco}/modified_id.csv`, since !== null);
  } catch (e) {
    if (!isPatchloopError(e)) throw e;
    notes.push(
      note(
        eco,
        'modified_id.csv',
        e.code as FeedRecordError['code'],
        `${e.message}; syncing the whole archive`,
      ),
    );
  }
  if (csv?.status === 'not-modified') return unchanged(eco, 'incremental');
  const scan = csv ? await scanModifiedIds(csv.path, since, ctx.cfg.osvIncrementalMax) : null;
  const mark = async () => {
    if (csv?.status !== 'ok' || !scan?.newest) return;
    await ctx.sink.saveDownloadState(ctx.source, markKey, {
      etag: encodeCovered(want),
      lastModified: scan.newest,
      sha256: null,
      bytes: 0,
    });
    await csv.save();
  };
  if (scan?.ids) {
    if (scan.ids.length === 0) {
      await mark();
      return unchanged(eco, 'incremental');
    }
    const dir = join(ctx.tmp, `${eco}-changes`, eco);
    const failures = await fetchRecords(ctx, base, scan.ids, dir);
    const fetched = readdirSync(dir).length;
    if (fetched === 0)
      throw new PatchloopError(
        'PL_FEED_DOWNLOAD_FAILED',
        `${eco}: no changed record could be fetched (${failures[0]?.reason ?? ''})`,
      );
    const s = await apply(ctx, eco, dirname(dir));
    // With records missing, the mark stays: the next sync asks for them again.
    if (failures.length === 0) await mark();
    return {
      report: { endpoint: eco, result: 'applied', via: 'incremental' },
      summaries: [s],
      notes: [...notes, ...failures],
    };
  }
  if (scan && since !== null) {
    notes.push(
      note(
        eco,
        'modified_id.csv',
        'PL_FEED_RECORD_TOO_LARGE',
        `more than ${ctx.cfg.osvIncrementalMax} changes since the last sync: downloading the whole archive`,
      ),
    );
  }
  const archive = await baselineArchive(ctx, eco);
  const got = await fetchTo(ctx, archive.url, archive.name, !fresh);
  if (got.status === 'not-modified' || (got.same && !fresh)) {
    if (got.status === 'ok') await got.save();
    await mark();
    return { ...unchanged(eco, 'baseline'), notes };
  }
  const s = await apply(ctx, eco, got.path);
  await got.save();
  await mark();
  return { report: { endpoint: eco, result: 'applied', via: 'baseline' }, summaries: [s], notes };
}

// ---- Alpine: branches from the secdb index page ----

async function alpinePlan(ctx: Ctx): Promise<{ endpoints: Endpoint[]; failure: Outcome | null }> {
  const cfg = ctx.cfg;
  if (cfg.alpineBranches !== 'discover') {
    return { endpoints: alpineEndpoints(cfg.bases.alpineSecdb, cfg.alpineBranches), failure: null };
  }
  const index = `${trim(cfg.bases.alpineSecdb)}/`;
  try {
    const got = await fetchTo(ctx, index, 'index.html', false);
    const html = got.status === 'ok' ? readFileSync(got.path, 'utf8') : '';
    const branches = alpineBranchesFromIndex(html, cfg.alpineOldestBranch);
    if (branches.length === 0) {
      throw new PatchloopError(
        'PL_FEED_DOWNLOAD_INVALID',
        `${shown(index)}: the index page links to no branch`,
      );
    }
    return { endpoints: alpineEndpoints(cfg.bases.alpineSecdb, branches), failure: null };
  } catch (e) {
    if (!isPatchloopError(e)) throw e;
    // Without the index, the known branches are still worth syncing.
    return {
      endpoints: alpineEndpoints(cfg.bases.alpineSecdb, KNOWN_ALPINE_BRANCHES),
      failure: failed('index', e),
    };
  }
}

// ---- CVE: cvelistV5 release assets ----

async function syncCve(ctx: Ctx, listUrl: string): Promise<Outcome[]> {
  const markKey = `${shown(listUrl)}#applied`;
  const prior = await ctx.sink.downloadState(ctx.source, markKey);
  const mark: CveMark | null = prior?.etag
    ? { date: prior.etag.slice(0, 10), at: prior.etag.slice(11) }
    : null;
  const got = await fetchTo(ctx, listUrl, 'releases.json', false);
  if (got.status !== 'ok') return [unchanged('cvelistV5 releases')];
  let listing: unknown;
  try {
    listing = JSON.parse(readFileSync(got.path, 'utf8'));
  } catch (e) {
    throw new PatchloopError(
      'PL_FEED_DOWNLOAD_INVALID',
      `${shown(listUrl)}: not JSON (${(e as Error).message})`,
    );
  }
  const assets = cveAssets(listing);
  // With the `named` scope, a CVE named only after its record went by in a
  // delta is missing: when more named CVEs are missing than after the last
  // baseline, take the newest baseline again (at most once a day).
  const namedKey = `${shown(listUrl)}#named-baseline`;
  const lastNamed = ctx.named ? await ctx.sink.downloadState(ctx.source, namedKey) : null;
  const newest = assets.filter((a) => a.kind === 'baseline').reduce((d, a) => (a.date > d ? a.date : d), '');
  const rebaseline =
    ctx.named !== null &&
    ctx.named.missing > Number(lastNamed?.lastModified ?? 0) &&
    newest !== (lastNamed?.etag ?? null);
  const plan = planCveAssets(assets, rebaseline ? null : mark);
  if (plan.length === 0) return [unchanged('cvelistV5 releases')];
  const out: Outcome[] = [];
  for (const asset of plan) {
    try {
      const file = await fetchTo(ctx, asset.url, asset.name, false);
      if (file.status !== 'ok') continue;
      let path = file.path;
      if (asset.kind === 'baseline') {
        // A zip holding one zip of every record: unpack the inner one to disk.
        const inner = (await listZipEntries(path)).find((e) => /\.zip$/i.test(e.name));
        if (inner) {
          path = join(ctx.tmp, 'cve-baseline', basename(inner.name));
          mkdirSync(dirname(path), { recursive: true });
          await extractZipEntry(file.path, inner, path);
        }
      }
      const s = await apply(ctx, asset.name, path);
      await ctx.sink.saveDownloadState(ctx.source, markKey, {
        etag: `${asset.date}_${asset.at}`,
        lastModified: null,
        sha256: null,
        bytes: 0,
      });
      if (ctx.named && asset.kind === 'baseline') {
        // What is still missing after a baseline is not in cvelistV5 at all.
        await ctx.sink.saveDownloadState(ctx.source, namedKey, {
          etag: asset.date,
          lastModified: String((await ctx.sink.namedCves()).missing),
          sha256: null,
          bytes: 0,
        });
      }
      out.push({
        report: { endpoint: asset.name, result: 'applied', via: asset.kind },
        summaries: [s],
        notes: [],
      });
      rmSync(path, { force: true });
      rmSync(file.path, { force: true });
    } catch (e) {
      if (!isPatchloopError(e)) throw e;
      // Later deltas build on this one: stop here, the next sync starts from it.
      out.push(failed(asset.name, e));
      break;
    }
  }
  return out;
}

// ---- CVE: NVD API 2.0, NVD's own CVSS ----

async function syncNvdApi(ctx: Ctx, nvd: NvdOptions): Promise<Outcome> {
  const label = 'NVD API';
  const r = await syncNvd({
    sink: ctx.sink,
    source: ctx.source,
    base: ctx.cfg.bases.nvd,
    dl: ctx.dl,
    tmp: ctx.tmp,
    options: nvd,
    keep: ctx.keep,
    onProgress: ctx.onProgress,
  });
  const c = r.counts;
  const imported = c.added + c.modified + c.removed;
  const skipped = r.errors.filter((e) => e.warning !== true).length;
  const summary: ImportSummary = {
    source: ctx.source,
    origin: shown(ctx.cfg.bases.nvd),
    status: skipped > 0 ? 'partial' : imported > 0 ? 'ok' : 'unchanged',
    imported,
    ...c,
    filtered: 0,
    skipped,
    warnings: r.errors.length - skipped,
    errors: r.errors,
    exitCode: skipped > 0 ? 3 : 0,
  };
  return {
    report: { endpoint: label, result: imported > 0 ? 'applied' : 'unchanged', via: r.via },
    summaries: [summary],
    notes: [],
  };
}

/** The `named` CVE scope's set of ids, as a filter. */
async function cveScope(
  sink: FeedSink,
  scope: CveScope,
): Promise<{ named: NamedCves | null; keep: ((id: string) => boolean) | undefined }> {
  if (scope === 'all') return { named: null, keep: undefined };
  const named = await sink.namedCves();
  const ids = new Set(named.ids);
  return { named, keep: (id) => ids.has(id) };
}

// ---- the sync ----

function failed(endpoint: string, e: PatchloopError): Outcome {
  const reason = redactUrls(e.message);
  return {
    report: { endpoint, result: 'failed', code: e.code, reason },
    summaries: [],
    notes: [],
  };
}

/** Runs one endpoint; a Patchloop error fails that endpoint only. */
async function isolate(endpoint: string, run: () => Promise<Outcome | Outcome[]>): Promise<Outcome[]> {
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

function combine(
  source: FeedSource,
  origin: string,
  outcomes: Outcome[],
  downloads: DownloadReport[],
): SyncSummary {
  const summaries = outcomes.flatMap((o) => o.summaries);
  const failures = outcomes.filter((o) => o.report.result === 'failed');
  const failureErrors: FeedRecordError[] = failures.map((o) => ({
    file: o.report.endpoint,
    record: '(endpoint)',
    code: o.report.code as FeedRecordError['code'],
    reason: o.report.reason ?? '',
  }));
  const errors = [
    ...failureErrors,
    ...outcomes.flatMap((o) => o.notes),
    ...summaries.flatMap((s) => s.errors),
  ];
  const sum = (k: keyof typeof NOTHING | 'skipped' | 'warnings') => summaries.reduce((n, s) => n + s[k], 0);
  const applied = outcomes.some((o) => o.report.result === 'applied');
  const skipped = sum('skipped');
  const status =
    failures.length > 0 && !applied
      ? 'failed'
      : failures.length > 0 || skipped > 0
        ? 'partial'
        : applied
          ? 'ok'
          : 'unchanged';
  return {
    source,
    origin,
    status,
    imported: sum('imported'),
    added: sum('added'),
    modified: sum('modified'),
    unchanged: sum('unchanged'),
    removed: sum('removed'),
    changeEvents: sum('changeEvents'),
    filtered: sum('filtered'),
    skipped,
    warnings: errors.length - skipped - failureErrors.length,
    errors,
    exitCode: status === 'failed' ? 1 : status === 'partial' ? 3 : 0,
    downloads,
    endpoints: outcomes.map((o) => o.report),
  };
}

async function syncMirror(
  source: FeedSource,
  options: SyncOptions,
  tmp: string,
  keep: ((id: string) => boolean) | undefined,
): Promise<Outcome[]> {
  const dir = join(options.mirror as string, source);
  const run = (label: string, path: string) =>
    isolate(label, async () => {
      const s = await importFeed(source, path, options.sink, {
        onProgress: options.onProgress,
        maxFileBytes: options.maxFileBytes,
        ...(options.chunk ? { chunk: options.chunk } : {}),
        ...(keep ? { keep } : {}),
        releases: options.releases,
      });
      if (s.exitCode === 1) {
        const why = s.errors[0];
        throw new PatchloopError(
          why?.code ?? 'PL_FEED_NOTHING_USABLE',
          `${label}: ${why?.reason ?? 'nothing usable'}`,
        );
      }
      return { report: { endpoint: label, result: 'applied' }, summaries: [s], notes: [] };
    });
  if (source !== 'osv') return run(dir, dir);
  // OSV: each ecosystem on its own (all.zip, then any newer <ID>.json beside
  // it), and Canonical's osv-all.tar.xz when present.
  try {
    statSync(dir);
  } catch {
    return run(dir, dir);
  }
  const out: Outcome[] = [];
  const tarXz = join(dir, 'osv-all.tar.xz');
  const has = (p: string) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (has(tarXz)) out.push(...(await run('osv-all.tar.xz', tarXz)));
  // Records or archives directly in osv/ (an older mirror layout) are one more endpoint.
  const top = readdirSync(dir).filter((f) => /\.(json|zip)$/i.test(f) && has(join(dir, f)));
  if (top.length > 0) out.push(...(await run('osv', looseCopy(dir, top, join(tmp, '_top')))));
  const ecosystems = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  for (const e of ecosystems) {
    const ecoDir = join(dir, e.name);
    if (e.name.includes(':')) {
      out.push(...(await isolate(e.name, async () => (checkEcosystem(e.name), unchanged(e.name)))));
      continue;
    }
    const zip = join(ecoDir, 'all.zip');
    if (has(zip)) out.push(...(await run(e.name, zip)));
    const loose = readdirSync(ecoDir).filter((f) => /\.json$/i.test(f));
    if (loose.length > 0 || !has(zip)) {
      // The loose records are newer than all.zip: apply them after it, on their own.
      out.push(
        ...(await (has(zip)
          ? run(`${e.name} records`, looseCopy(ecoDir, loose, join(tmp, e.name)))
          : run(e.name, ecoDir))),
      );
    }
  }
  // An empty folder: the import path reports that nothing usable was there.
  return out.length > 0 ? out : run(dir, dir);
}

/** A directory holding only the loose records of an ecosystem folder (hard links, or copies). */
function looseCopy(ecoDir: string, files: string[], dest: string): string {
  mkdirSync(dest, { recursive: true });
  for (const f of files) {
    try {
      linkSync(join(ecoDir, f), join(dest, f));
    } catch {
      copyFileSync(join(ecoDir, f), join(dest, f));
    }
  }
  return dest;
}

export async function syncFeed(source: FeedSource, options: SyncOptions): Promise<SyncSummary> {
  const { sink } = options;
  const startedAt = new Date();
  const cfg: EndpointConfig = { ...DEFAULT_ENDPOINT_CONFIG, ...options.endpointConfig };
  const downloads: DownloadReport[] = [];
  let outcomes: Outcome[];
  let origin: string;
  const tmp = mkdtempSync(join(options.workDir ?? tmpdir(), 'patchloop-sync-'));
  try {
    const scope =
      source === 'cve' ? await cveScope(sink, options.cveScope ?? 'all') : { named: null, keep: undefined };
    if (options.mirror !== undefined) {
      origin = join(options.mirror, source);
      outcomes = await syncMirror(source, options, tmp, scope.keep);
    } else {
      const ctx: Ctx = {
        source,
        sink,
        dl: { ...DEFAULT_DOWNLOAD, ...options.download },
        cfg,
        tmp,
        maxFileBytes: options.maxFileBytes,
        chunk: options.chunk,
        onProgress: options.onProgress,
        concurrency: options.concurrency ?? 8,
        downloads,
        ...scope,
        releases: options.releases ?? null,
      };
      outcomes = [];
      if (options.urls) {
        const eps = options.urls.map((url, i) => {
          let name: string = source;
          try {
            name = basename(new URL(url).pathname) || source;
          } catch {
            // Not a URL: the download reports it.
          }
          return { url, mirrorPath: `${i}/${name}`, label: shown(url) };
        });
        origin = eps.map((e) => e.label).join(' ');
        for (const ep of eps) outcomes.push(...(await isolate(ep.label, () => syncFile(ctx, ep))));
      } else if (source === 'osv') {
        origin = trim(cfg.bases.osv);
        for (const eco of cfg.osvEcosystems) {
          outcomes.push(...(await isolate(eco, () => syncOsvEcosystem(ctx, eco))));
        }
      } else if (source === 'cve') {
        origin = shown(cfg.bases.cveReleases);
        outcomes.push(...(await isolate('cvelistV5 releases', () => syncCve(ctx, cfg.bases.cveReleases))));
        // NVD's own scores, on their own: a failure here leaves what cvelistV5 brought applied.
        const nvd = options.nvd;
        if (nvd?.apiKey) {
          origin += ` ${shown(cfg.bases.nvd)}`;
          outcomes.push(...(await isolate('NVD API', () => syncNvdApi(ctx, { ...DEFAULT_NVD, ...nvd }))));
        }
      } else {
        let eps = officialEndpoints(source, cfg);
        if (source === 'alpine-secdb') {
          const plan = await alpinePlan(ctx);
          eps = plan.endpoints;
          if (plan.failure) outcomes.push(plan.failure);
        }
        origin = eps.map((e) => shown(e.url)).join(' ');
        for (const ep of eps) outcomes.push(...(await isolate(ep.label, () => syncFile(ctx, ep))));
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const result = combine(source, origin, outcomes, downloads);
  const failures = result.endpoints.filter((e) => e.result === 'failed');
  const run = { source, origin, startedAt, errors: result.errors.filter((e) => e.record === '(endpoint)') };
  if (failures.length > 0) {
    // The source's status names what failed, even when the rest was applied.
    const first = failures[0] as EndpointReport;
    const applied = result.endpoints.some((e) => e.result === 'applied');
    const message =
      `${failures.length} of ${result.endpoints.length} endpoint(s) failed` +
      `${applied ? ' (the others were applied)' : ''}; first: ${first.endpoint}: ${first.reason}`;
    await sink.recordFailure(run, { code: first.code ?? 'PL_FEED_DOWNLOAD_FAILED', message });
  } else if (result.status === 'unchanged') {
    await sink.recordUnchanged(run);
  }
  return result;
}
