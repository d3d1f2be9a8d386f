/** OSV: a baseline archive per ecosystem, then modified_id.csv increments. */
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isPatchloopError, PatchloopError, type FeedRecordError } from '@patchloop/core';
import {
  apply,
  covers,
  decodeCovered,
  encodeCovered,
  fetchTo,
  note,
  shown,
  unchanged,
  wanted,
  type Ctx,
  type Fetched,
  type Outcome,
} from './context.js';
import { trim } from './endpoints.js';
import { contentLength, download } from './http.js';
import { scanModifiedIds } from './osv-delta.js';

export function checkEcosystem(eco: string): void {
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

export async function syncOsvEcosystem(ctx: Ctx, eco: string): Promise<Outcome> {
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
