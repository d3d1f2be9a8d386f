/**
 * The feed-sync job: every source from the mirror directory (air-gapped
 * sites, tests) or from the official URLs. A source that fails keeps its
 * previous data; the others go on. When anything changed, every host is
 * re-assessed (cheaply: unchanged package versions hit the tuple cache).
 */
import { FEED_SOURCES, type FeedSource } from '@patchloop/core';
import { appendAudit, createFeedStore, enqueueJob, removeScanIndex, writeScanIndex } from '@patchloop/store';
import type { ServerContext } from '../context.js';

export interface FeedSyncResult {
  readonly source: FeedSource;
  readonly exitCode: number;
  readonly imported: number;
  readonly error: string | null;
}

export async function runFeedSync(
  ctx: ServerContext,
  sources: readonly FeedSource[] = FEED_SOURCES,
): Promise<FeedSyncResult[]> {
  const { syncFeed } = await import('@patchloop/feeds');
  const sink = createFeedStore(ctx.db);
  const results: FeedSyncResult[] = [];
  if (ctx.dataDir) removeScanIndex(ctx.dataDir);
  try {
    for (const source of sources) {
      try {
        const s = await syncFeed(source, { sink, mirror: ctx.config.feedMirror });
        results.push({ source, exitCode: s.exitCode, imported: s.imported, error: null });
      } catch (e) {
        ctx.log?.warn({ source, err: (e as Error).message }, 'feed sync failed; previous data stays active');
        results.push({ source, exitCode: 1, imported: 0, error: (e as Error).message });
      }
    }
  } finally {
    if (ctx.dataDir) await writeScanIndex(ctx.db, ctx.dataDir);
  }
  const now = ctx.now();
  const changed = results.filter((r) => r.imported > 0);
  await appendAudit(ctx.db, {
    actor: 'system',
    action: 'feed.sync',
    target: `feeds:${ctx.config.feedMirror ? 'mirror' : 'online'}`,
    after: results.map((r) => ({
      source: r.source,
      exitCode: r.exitCode,
      imported: r.imported,
      error: r.error,
    })),
    at: now,
  });
  if (changed.length > 0) {
    await enqueueJob(ctx.db, 'assess-all', {}, now, { singletonKey: 'assess-all' });
    ctx.wakeJobs();
  }
  return results;
}
