/**
 * The feeds as the API shows them: each source's last import with the sync
 * or import running now (in a child process), and a sync queued on request.
 */
import type { FeedStatusList } from '@patchloop/contracts';
import type { FeedSource } from '@patchloop/core';
import { createFeedStore, jobCounts, queueJob } from '@patchloop/store';
import type { ServerContext } from '../context.js';

export async function feedStatus(ctx: ServerContext): Promise<FeedStatusList> {
  return {
    items: (await createFeedStore(ctx.db).status()).map((s) => {
      const r = ctx.feedRuns.get(s.source);
      const running = r
        ? { kind: r.kind, phase: r.phase, records: r.records, bytes: r.bytes, started: r.started }
        : null;
      return { ...s, running };
    }),
    jobs: await jobCounts(ctx.db),
  };
}

/** Queues a sync of `sources` (all when absent); `jobId` is null when one is already queued. */
export async function queueFeedSync(
  ctx: ServerContext,
  actor: string,
  sources: readonly FeedSource[] | undefined,
): Promise<{ queued: boolean; jobId: number | null }> {
  const jobId = await queueJob(
    ctx.db,
    'feed-sync',
    { requestedBy: actor, ...(sources ? { sources } : {}) },
    ctx.now(),
  );
  ctx.wakeJobs();
  return { queued: jobId !== null, jobId };
}
