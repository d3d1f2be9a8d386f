/**
 * The job worker every server replica runs: claims due jobs (SKIP LOCKED,
 * so replicas never run one job twice at once), runs them, retries failures
 * with backoff; and the scheduler, which claims each feed-sync slot once
 * across replicas. A feed sync runs in a child process for minutes: it is
 * claimed with a lease as long as its time limit and awaited on the side,
 * so assessments and deployments go on meanwhile.
 */
import { randomUUID } from 'node:crypto';
import {
  appendAudit,
  assessImportRuns,
  assessRange,
  hostIdsInRange,
  importsNotAssessed,
  markImportsAssessed,
  queueAssessAll,
  queueAssessHosts,
  recordJobProgress,
  SHORT_LIVED_JOBS,
  claimJobs,
  requeueOrphanedJobs,
  expireExceptions,
  pruneJobs,
  pruneScheduleSlots,
  claimScheduleSlot,
  completeJob,
  assessHostId,
  failJob,
  feedSyncSources,
  isJobKind,
  JOB_KINDS,
  queueJob,
  type Job,
  type JobKind,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';
import { Assessor } from '../services/assess.js';
import { hostsAffectedByImports } from './assess-import.js';
import { cleanAbandonedImports, removeOrphanScratch } from './feed-child.js';
import { fleetNeedsSync, runFeedSync } from './feed-sync.js';
import { orchestrate } from '../services/orchestrate.js';
import { autoDeploy } from '../services/auto-deploy.js';

/** The job kind run on the side (in a child process, for minutes). */
const BACKGROUND: JobKind = 'feed-sync';

/** Hosts an assess-hosts job assesses between two saves of its progress (and lease extensions). */
const RANGE_STEP = 50;
const LEASE_MS = 5 * 60_000;

/** A range job left where it was when the worker stopped: its saved progress lets the next run resume. */
class Stopped extends Error {}

export interface Worker {
  /** Runs due jobs until none is left (tests and the CLI use it to wait for quiet). */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/** The workers of this process that have not stopped (their running jobs are not orphans). */
const LIVE_WORKERS = new Set<string>();

export function startWorker(ctx: ServerContext, opts: { pollMs?: number; autoStart?: boolean } = {}): Worker {
  const id = `worker-${randomUUID()}`;
  LIVE_WORKERS.add(id);
  const assessor = new Assessor(ctx);
  const pollMs = opts.pollMs ?? 1000;
  let stopped = false;
  let running: Promise<number> | null = null;
  let timer: NodeJS.Timeout | null = null;
  /** The feed sync running in a child process now, if any. */
  let background: Promise<void> | null = null;
  const stopping = new AbortController();

  const handlers: Record<JobKind, (job: Job) => Promise<void>> = {
    'assess-host': async (job) => {
      await assessor.assess(assessHostId(job));
    },
    // A full rescan, cut into ranges: each resumes after its last saved host when retried.
    'assess-hosts': async (job) => {
      const { fromId, toId } = assessRange(job);
      let { after } = assessRange(job);
      for (;;) {
        const ids = await hostIdsInRange(ctx.db, fromId, toId, after, RANGE_STEP);
        if (ids.length === 0) return;
        for (const hostId of ids) await assessor.assess(hostId);
        after = ids[ids.length - 1] as number;
        const now = ctx.now();
        if (!(await recordJobProgress(ctx.db, job.id, id, { after }, new Date(now.getTime() + LEASE_MS))))
          throw new Error(`assess-hosts ${fromId}-${toId}: the job was taken over by another worker`);
        if (stopped) throw new Stopped();
      }
    },
    // After feed imports: only the hosts whose findings the imported changes can change.
    'assess-import': async (job) => {
      const { from, to } = assessImportRuns(job);
      const hosts = await hostsAffectedByImports(ctx, from, to);
      const queued = await queueAssessHosts(ctx.db, hosts, ctx.now());
      await markImportsAssessed(ctx.db, to, ctx.now());
      ctx.log?.info(
        { imports: `${from}-${to}`, hosts: hosts.size, queued },
        'hosts queued for re-assessment',
      );
    },
    'assess-all': async () => {
      await queueAssessAll(ctx.db, ctx.now());
    },
    'feed-sync': async (job) => {
      // A request may name the sources to sync now (validated by the route); the schedule syncs all.
      await runFeedSync(ctx, feedSyncSources(job), { signal: stopping.signal });
    },
    // Policies with schedule.autoDeploy: one deployment per window opening, by whichever replica claims it.
    'auto-deploy': async () => {
      await autoDeploy(ctx, id);
    },
    // Every minute: expire exceptions (audited); forget week-old jobs and schedule slots, and
    // assessments and minute tasks done an hour ago (the job table stays near the work in flight).
    'expire-exceptions': async () => {
      const now = ctx.now();
      const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
      const hourAgo = new Date(now.getTime() - 3_600_000);
      await pruneJobs(ctx.db, weekAgo, { doneBefore: hourAgo, kinds: SHORT_LIVED_JOBS });
      await pruneScheduleSlots(ctx.db, weekAgo);
      await ctx.db.transaction(async (tx) => {
        for (const e of await expireExceptions(tx, now)) {
          await appendAudit(tx, {
            actor: 'system',
            action: 'exception.expire',
            target: `exception:${e.id}`,
            before: { status: 'approved' },
            after: { status: 'expired', expiresAt: e.expiresAt.toISOString() },
            at: now,
          });
        }
      });
    },
  };

  async function runJob(job: Job): Promise<void> {
    try {
      if (!isJobKind(job.kind)) throw new Error(`unknown job kind ${job.kind}`);
      await handlers[job.kind](job);
      await completeJob(ctx.db, job.id, id, ctx.now());
    } catch (e) {
      // Stopped with the server: its lease runs out (or the next start requeues it), it runs again.
      if (stopped && (job.kind === BACKGROUND || e instanceof Stopped)) return;
      const outcome = await failJob(ctx.db, job, id, (e as Error).message, ctx.now());
      ctx.log?.warn({ job: job.id, kind: job.kind, err: (e as Error).message, outcome }, 'job failed');
    }
  }

  /** Starts a due feed sync on the side (one at a time per worker); true when one started. */
  async function startBackground(): Promise<boolean> {
    if (background || stopped) return false;
    const leaseMs = ctx.config.syncTimeoutMs + 60_000;
    const [job] = await claimJobs(ctx.db, id, ctx.now(), { limit: 1, kinds: [BACKGROUND], leaseMs });
    if (!job) return false;
    background = runJob(job).finally(() => {
      background = null;
      ctx.wakeJobs();
    });
    return true;
  }

  /** Monotonic time of the last orchestrator pass (deployments must not wait for a drained queue). */
  let orchestratedAt = 0;
  async function orchestrateNow(): Promise<void> {
    orchestratedAt = performance.now();
    await orchestrate(ctx).catch((e: unknown) =>
      ctx.log?.error({ err: (e as Error).message }, 'orchestrator error'),
    );
  }

  async function runOnce(): Promise<number> {
    let done = (await startBackground()) ? 1 : 0;
    while (!stopped) {
      const jobs = await claimJobs(ctx.db, id, ctx.now(), { limit: 1, kinds: FOREGROUND });
      const job = jobs[0];
      if (!job) break;
      await runJob(job);
      done++;
      // A wave of agent reports queues one assessment per host: rings still move every poll interval.
      if (performance.now() - orchestratedAt >= pollMs) await orchestrateNow();
    }
    return done;
  }

  const FOREGROUND = JOB_KINDS.filter((k) => k !== BACKGROUND);

  /** Set once the staged rows of imports that died before this start are gone. */
  let cleaned = false;
  /** After a crash on the embedded store: the dead process's running jobs (and their singleton keys) now. */
  async function requeueOrphans(): Promise<void> {
    if (ctx.db.kind !== 'pglite') return;
    const n = await requeueOrphanedJobs(ctx.db, [...LIVE_WORKERS], ctx.now());
    if (n > 0) ctx.log?.warn({ jobs: n }, 'queued again the jobs a stopped process left running');
  }

  /** Import runs whose hosts no assess-import job covered (killed before queueing it, CLI imports): now. */
  async function catchUpImports(): Promise<void> {
    const runs = await importsNotAssessed(ctx.db, ctx.now());
    if (runs === null) return;
    await queueJob(ctx.db, 'assess-import', { fromImportId: runs.from, toImportId: runs.to }, ctx.now());
    ctx.log?.info({ imports: `${runs.from}-${runs.to}` }, 'import runs queued for re-assessment at start');
  }

  async function tick(): Promise<number> {
    if (running) return running;
    running = (async () => {
      try {
        if (!cleaned) {
          cleaned = true;
          await cleanAbandonedImports(ctx, 'at start');
          const orphans = removeOrphanScratch();
          if (orphans.length > 0)
            ctx.log?.warn(
              { removed: orphans },
              'removed the scratch directories of feed syncs whose process died',
            );
          await requeueOrphans();
          await catchUpImports();
        }
        await schedule();
        // Deployments move on every tick (dispatch, timeouts, rings, windows), and between jobs.
        await orchestrateNow();
        return await runOnce();
      } finally {
        running = null;
      }
    })();
    return running;
  }

  /** When the fleet's releases were last compared with the last sync's (PATCHLOOP_FEED_RELEASES=fleet). */
  let releasesChecked = 0;
  const RELEASE_CHECK_MS = 60_000;

  /** Each scheduled task's slot is claimed by one replica, which queues its job. */
  async function schedule(): Promise<void> {
    const now = ctx.now();
    if (now.getTime() - releasesChecked >= RELEASE_CHECK_MS) {
      releasesChecked = now.getTime();
      // A host on a release the last sync did not keep: its advisories now, not at the next slot.
      if (await fleetNeedsSync(ctx)) await queueJob(ctx.db, 'feed-sync', { reason: 'new release' }, now);
    }
    const every = ctx.config.feedSyncIntervalMs;
    const tasks: ['expire-exceptions' | 'auto-deploy' | 'feed-sync', number][] = [
      ['expire-exceptions', 60_000],
      ['auto-deploy', 60_000],
    ];
    if (every > 0) tasks.push(['feed-sync', every]);
    for (const [kind, interval] of tasks) {
      const slot = new Date(Math.floor(now.getTime() / interval) * interval);
      if (await claimScheduleSlot(ctx.db, kind, slot, id, now)) {
        await queueJob(ctx.db, kind, {}, now);
      }
    }
  }

  const loop = () => {
    if (stopped) return;
    tick()
      .catch((e: unknown) => ctx.log?.error({ err: (e as Error).message }, 'job worker error'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, pollMs);
      });
  };
  // A worker started with autoStart: false runs jobs only when drained (tests, one-shot commands).
  if (opts.autoStart !== false)
    ctx.wakeJobs = () => {
      if (stopped || running) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(loop, 0);
    };
  if (opts.autoStart !== false) loop();

  return {
    async drain() {
      let total = 0;
      for (;;) {
        if (running) await running;
        const n = await tick();
        total += n;
        if (n === 0 && !background) return total;
        if (background) await background;
      }
    },
    async stop() {
      stopped = true;
      LIVE_WORKERS.delete(id);
      if (timer) clearTimeout(timer);
      stopping.abort();
      if (running) await running.catch(() => 0);
      if (background) await background;
    },
  };
}
