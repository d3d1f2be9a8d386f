/** CVE: cvelistV5 release assets, and NVD API 2.0 for NVD's own CVSS. */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isPatchloopError, PatchloopError, type FeedSink, type NamedCves } from '@patchloop/core';
import type { ImportSummary } from '../import/import.js';
import {
  apply,
  failed,
  fetchTo,
  shown,
  unchanged,
  type Ctx,
  type CveScope,
  type Outcome,
} from './context.js';
import { cveAssets, planCveAssets, type CveMark } from './cve-releases.js';
import { syncNvd, type NvdOptions } from './nvd.js';
import { extractZipEntry, listZipEntries } from './zip-entry.js';

export async function syncCve(ctx: Ctx, listUrl: string): Promise<Outcome[]> {
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

export async function syncNvdApi(ctx: Ctx, nvd: NvdOptions): Promise<Outcome> {
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
export async function cveScope(
  sink: FeedSink,
  scope: CveScope,
): Promise<{ named: NamedCves | null; keep: ((id: string) => boolean) | undefined }> {
  if (scope === 'all') return { named: null, keep: undefined };
  const named = await sink.namedCves();
  const ids = new Set(named.ids);
  return { named, keep: (id) => ids.has(id) };
}
