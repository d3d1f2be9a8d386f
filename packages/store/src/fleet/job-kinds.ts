/**
 * The kinds of job the server runs, their payloads and their singleton keys,
 * named once: every producer queues through queueJob (or its helpers), the
 * worker has one handler per kind (JOB_KINDS).
 */
import type { FeedSource } from '@patchloop/core';
import type { Queryable } from '../db.js';
import { hostIdRanges, lastImportId } from './affected-hosts.js';
import { enqueueJob, enqueueJobs, type EnqueueOptions, type Job } from './jobs.js';

export interface JobPayloads {
  /** Re-assess one host (its facts, inventory, tags or criticality changed; a task finished). */
  'assess-host': { readonly hostId: number };
  /**
   * Re-assess the hosts with ids in [fromId, toId] (a full rescan is cut into such ranges);
   * `after`: the last host done, saved as the job goes, so a retry resumes there.
   */
  'assess-hosts': { readonly fromId: number; readonly toId: number; readonly after?: number };
  /** Re-assess the hosts the import runs with ids in [fromImportId, toImportId] can change. */
  'assess-import': { readonly fromImportId: number; readonly toImportId: number };
  /** Re-assess every host: queues assess-hosts ranges (kept for jobs queued by older releases). */
  'assess-all': Record<string, never>;
  /** Sync feeds: all sources, or those named by a request. */
  'feed-sync': {
    readonly reason?: string;
    readonly requestedBy?: string;
    readonly sources?: readonly FeedSource[];
  };
  /** Policies with schedule.autoDeploy: one deployment per window opening. */
  'auto-deploy': Record<string, never>;
  /** Expire exceptions, forget week-old jobs and schedule slots. */
  'expire-exceptions': Record<string, never>;
}

export type JobKind = keyof JobPayloads;

/** The one queued job per key a kind keeps (a burst of changes queues one run). */
const SINGLETON: { readonly [K in JobKind]: (payload: JobPayloads[K]) => string } = {
  'assess-host': (p) => `assess-host:${p.hostId}`,
  'assess-hosts': (p) => `assess-hosts:${p.fromId}-${p.toId}`,
  'assess-import': (p) => `assess-import:${p.fromImportId}-${p.toImportId}`,
  'assess-all': () => 'assess-all',
  'feed-sync': () => 'feed-sync',
  'auto-deploy': () => 'auto-deploy',
  'expire-exceptions': () => 'expire-exceptions',
};

export const JOB_KINDS = Object.keys(SINGLETON) as readonly JobKind[];

export function isJobKind(kind: string): kind is JobKind {
  return Object.hasOwn(SINGLETON, kind);
}

/** Queues a job of a known kind under its singleton key; null when one is already queued. */
export function queueJob<K extends JobKind>(
  q: Queryable,
  kind: K,
  payload: JobPayloads[K],
  now: Date,
  opts: Omit<EnqueueOptions, 'singletonKey'> = {},
): Promise<number | null> {
  return enqueueJob(q, kind, { ...payload }, now, { ...opts, singletonKey: SINGLETON[kind](payload) });
}

/** Queues a re-assessment of a host. */
export const queueAssessHost = (q: Queryable, hostId: number, now: Date) =>
  queueJob(q, 'assess-host', { hostId }, now);

/** Queues a re-assessment of each host (one job per host, singleton keys respected); how many were queued. */
export function queueAssessHosts(q: Queryable, hostIds: Iterable<number>, now: Date): Promise<number> {
  const jobs = [...new Set(hostIds)]
    .sort((a, b) => a - b)
    .map((hostId) => ({ payload: { hostId }, singletonKey: SINGLETON['assess-host']({ hostId }) }));
  return enqueueJobs(q, 'assess-host', jobs, now);
}

/** Hosts per assess-hosts range job. */
export const ASSESS_RANGE = 1000;

/**
 * Queues a re-assessment of the whole fleet (risk settings, engine change):
 * range jobs of ASSESS_RANGE hosts, which replicas share and which fail and
 * retry one range at a time. Returns how many ranges were queued.
 */
export async function queueAssessAll(q: Queryable, now: Date, size = ASSESS_RANGE): Promise<number> {
  const jobs = (await hostIdRanges(q, size)).map((r) => ({
    payload: { ...r },
    singletonKey: SINGLETON['assess-hosts'](r),
  }));
  return enqueueJobs(q, 'assess-hosts', jobs, now);
}

/**
 * After feed imports: queues the re-assessment of the hosts that the import
 * runs after `before` (lastImportId() read before the import) can change.
 * Null when no run came after it.
 */
export async function queueAssessImport(q: Queryable, before: number, now: Date): Promise<number | null> {
  const last = await lastImportId(q);
  if (last <= before) return null;
  return queueJob(q, 'assess-import', { fromImportId: before + 1, toImportId: last }, now);
}

/** Job kinds whose done runs are forgotten after an hour (thousands an hour on a large fleet). */
export const SHORT_LIVED_JOBS: readonly JobKind[] = [
  'assess-host',
  'assess-hosts',
  'assess-import',
  'assess-all',
  'auto-deploy',
  'expire-exceptions',
];

/** The host an assess-host job names. */
export const assessHostId = (job: Job): number => Number(job.payload.hostId);

/** The host range of an assess-hosts job, and the last host it finished (0: none yet). */
export const assessRange = (job: Job) => ({
  fromId: Number(job.payload.fromId),
  toId: Number(job.payload.toId),
  after: Number(job.payload.after ?? 0),
});

/** The import runs an assess-import job names. */
export const assessImportRuns = (job: Job) => ({
  from: Number(job.payload.fromImportId),
  to: Number(job.payload.toImportId),
});

/** The sources a feed-sync job names (a request's), or undefined for all (the schedule's). */
export const feedSyncSources = (job: Job): FeedSource[] | undefined =>
  Array.isArray(job.payload.sources) ? (job.payload.sources as FeedSource[]) : undefined;
