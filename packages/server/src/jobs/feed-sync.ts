/**
 * The feed-sync job: every source from the mirror directory (air-gapped
 * sites, tests) or from the official URLs, in a child process (feed-child.ts)
 * so that the server keeps answering. A source that fails keeps its previous
 * data; the others go on. A child that dies fails the job, which the worker
 * retries with backoff. When anything changed, the hosts the changes
 * concern are re-assessed (an assess-import job over the sync's import runs).
 */
import { FEED_SOURCES, type AdvisoryTarget, type FeedSource } from '@patchloop/core';
import {
  appendAudit,
  lastImportId,
  queueAssessImport,
  feedReleaseTargets,
  getSetting,
  putSetting,
  removeScanIndex,
  storableText,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';
import { refreshScanIndex } from '../services/feed-upload.js';
import { crashError, runInChild } from './feed-child.js';

export interface FeedSyncResult {
  readonly source: FeedSource;
  readonly exitCode: number;
  readonly imported: number;
  readonly error: string | null;
}

/** The releases (ecosystem:release) the last feed sync kept: a host on another one starts a sync. */
const SYNCED_RELEASES = 'feed.releases.synced';

const releaseKeys = (targets: readonly AdvisoryTarget[]) =>
  targets.flatMap((t) => t.releases.map((r) => `${t.ecosystem}:${r}`));

/**
 * With PATCHLOOP_FEED_RELEASES=fleet: whether the fleet runs a release the
 * last sync did not keep (a new host's), so that a sync should start now
 * rather than at the next scheduled one. That sync takes the whole data of
 * the endpoints concerned (their sync state says what they kept).
 */
export async function fleetNeedsSync(ctx: ServerContext): Promise<boolean> {
  if (!ctx.config.feedReleases?.fleet) return false;
  const targets = await feedReleaseTargets(ctx.db, ctx.config.feedReleases);
  const synced = new Set((await getSetting<string[]>(ctx.db, SYNCED_RELEASES)) ?? []);
  return releaseKeys(targets ?? []).some((k) => !synced.has(k));
}

export async function runFeedSync(
  ctx: ServerContext,
  sources: readonly FeedSource[] = FEED_SOURCES,
  opts: { signal?: AbortSignal } = {},
): Promise<FeedSyncResult[]> {
  const results: FeedSyncResult[] = [];
  if (ctx.dataDir) removeScanIndex(ctx.dataDir);
  let crashed;
  const releases = await feedReleaseTargets(ctx.db, ctx.config.feedReleases);
  // The import runs of this sync are those after this one.
  const before = await lastImportId(ctx.db);
  try {
    const out = await runInChild(
      ctx,
      {
        kind: 'sync',
        sources,
        mirror: ctx.config.feedMirror,
        releases,
        settings: ctx.config.feedSync,
        cve: { scope: ctx.config.cveScope, nvdApiKey: ctx.config.nvdApiKey },
      },
      opts,
    );
    crashed = out.crashed;
    for (const r of out.results) {
      if (r.error !== null)
        ctx.log?.warn({ source: r.source, err: r.error }, 'feed sync failed; previous data stays active');
      results.push({ source: r.source, exitCode: r.exitCode, imported: r.imported, error: r.error });
    }
    if (crashed?.source)
      results.push({ source: crashed.source, exitCode: 1, imported: 0, error: crashed.message });
  } finally {
    await refreshScanIndex(ctx);
  }
  const now = ctx.now();
  if (releases !== null && !crashed) await putSetting(ctx.db, SYNCED_RELEASES, releaseKeys(releases), now);
  const changed = results.filter((r) => r.imported > 0);
  await appendAudit(ctx.db, {
    actor: 'system',
    action: 'feed.sync',
    target: `feeds:${ctx.config.feedMirror ? 'mirror' : 'online'}`,
    after: results.map((r) => ({
      source: r.source,
      exitCode: r.exitCode,
      imported: r.imported,
      // A reason may quote a corrupt entry's bytes: as the feed state keeps it.
      error: r.error === null ? null : storableText(r.error),
    })),
    at: now,
  });
  if (changed.length > 0 && (await queueAssessImport(ctx.db, before, now)) !== null) ctx.wakeJobs();
  // The job fails and is retried later with backoff (the sources done so far are kept).
  if (crashed) throw crashError(crashed);
  return results;
}
