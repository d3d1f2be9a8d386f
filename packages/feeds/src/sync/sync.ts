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
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isPatchloopError, PatchloopError, type FeedRecordError, type FeedSource } from '@patchloop/core';
import type { NOTHING } from '../import/import.js';
import {
  apply,
  coveredKey,
  covers,
  decodeCovered,
  failed,
  fetchTo,
  isolate,
  note,
  refusedOrUnreachable,
  saveCovered,
  shown,
  SOURCE_ECOSYSTEM,
  unchanged,
  wanted,
  type Ctx,
  type DownloadReport,
  type EndpointReport,
  type Fetched,
  type Outcome,
  type SyncOptions,
  type SyncSummary,
} from './context.js';
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
import { DEFAULT_DOWNLOAD } from './http.js';
import { DEFAULT_NVD } from './nvd.js';
import { cveScope, syncCve, syncNvdApi } from './sync-cve.js';
import { syncMirror } from './sync-mirror.js';
import { syncOsvEcosystem } from './sync-osv.js';

export {
  CVE_SCOPES,
  type CveScope,
  type DownloadReport,
  type EndpointReport,
  type SyncOptions,
  type SyncSummary,
} from './context.js';

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

// ---- the sync ----

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
