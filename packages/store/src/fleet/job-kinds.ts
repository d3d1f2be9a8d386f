/**
 * The kinds of job the server runs, their payloads and their singleton keys,
 * named once: every producer queues through queueJob (or its helpers), the
 * worker has one handler per kind (JOB_KINDS).
 */
import type { FeedSource } from '@patchloop/core';
import type { Queryable } from '../db.js';
import { enqueueJob, type EnqueueOptions, type Job } from './jobs.js';

export interface JobPayloads {
  /** Re-assess one host (its facts, inventory, tags or criticality changed; a task finished). */
  'assess-host': { readonly hostId: number };
  /** Re-assess every host (new feed data, new risk settings). */
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

/** Queues a re-assessment of the fleet. */
export const queueAssessAll = (q: Queryable, now: Date) => queueJob(q, 'assess-all', {}, now);

/** The host an assess-host job names. */
export const assessHostId = (job: Job): number => Number(job.payload.hostId);

/** The sources a feed-sync job names (a request's), or undefined for all (the schedule's). */
export const feedSyncSources = (job: Job): FeedSource[] | undefined =>
  Array.isArray(job.payload.sources) ? (job.payload.sources as FeedSource[]) : undefined;
