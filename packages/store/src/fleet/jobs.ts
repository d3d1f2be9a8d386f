/**
 * A job queue in PostgreSQL, shared by every server replica: jobs are
 * claimed with FOR UPDATE SKIP LOCKED (no job runs twice at once), retried
 * with exponential backoff, and reclaimed when a worker dies (its lease
 * expires). A singleton key keeps one queued job per key (e.g. "assess-host:42"), so a
 * burst of check-ins queues one assessment; a change arriving while that job
 * runs queues the next run.
 * Scheduled tasks claim their time slot once across replicas.
 */
import type { Queryable } from '../db.js';

export interface Job {
  readonly id: number;
  readonly kind: string;
  readonly payload: Record<string, unknown>;
  readonly attempts: number;
  readonly maxAttempts: number;
}

export interface EnqueueOptions {
  readonly runAt?: Date | undefined;
  readonly singletonKey?: string | undefined;
  readonly maxAttempts?: number | undefined;
}

/** Queues a job; returns its id, or null when a job with the same singleton key is already queued. */
export async function enqueueJob(
  q: Queryable,
  kind: string,
  payload: Record<string, unknown>,
  now: Date,
  opts: EnqueueOptions = {},
): Promise<number | null> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO job (kind, payload, status, run_at, max_attempts, singleton_key, created_at)
     VALUES ($1, $2::jsonb, 'queued', $3, $4, $5, $6)
     ON CONFLICT (singleton_key) WHERE singleton_key IS NOT NULL AND status = 'queued'
     DO NOTHING RETURNING id`,
    [kind, JSON.stringify(payload), opts.runAt ?? now, opts.maxAttempts ?? 3, opts.singletonKey ?? null, now],
  );
  return r.rows[0] ? Number(r.rows[0].id) : null;
}

/**
 * Queues many jobs of one kind in a few statements (chunks of 5,000 rows);
 * a job whose singleton key is already queued is skipped. Returns how many
 * were queued.
 */
export async function enqueueJobs(
  q: Queryable,
  kind: string,
  jobs: readonly { payload: Record<string, unknown>; singletonKey: string | null }[],
  now: Date,
  opts: { maxAttempts?: number } = {},
): Promise<number> {
  let queued = 0;
  for (let i = 0; i < jobs.length; i += 5000) {
    const part = jobs.slice(i, i + 5000);
    const r = await q.query(
      `INSERT INTO job (kind, payload, status, run_at, max_attempts, singleton_key, created_at)
       SELECT $1, t.payload::jsonb, 'queued', $2, $3, t.k, $2
       FROM unnest($4::text[], $5::text[]) WITH ORDINALITY AS t(payload, k, n) ORDER BY t.n
       ON CONFLICT (singleton_key) WHERE singleton_key IS NOT NULL AND status = 'queued' DO NOTHING`,
      [
        kind,
        now,
        opts.maxAttempts ?? 3,
        part.map((j) => JSON.stringify(j.payload)),
        part.map((j) => j.singletonKey),
      ],
    );
    queued += r.affectedRows;
  }
  return queued;
}

/**
 * Jobs left 'running' by workers that are gone, queued again at once (not
 * after their lease). Only for the embedded store, which one process holds
 * (store-lock.ts): a running job there whose worker is not one of this
 * process's `live` workers was claimed by a process that died. (On
 * PostgreSQL other replicas' workers are alive: their leases decide.)
 */
export async function requeueOrphanedJobs(q: Queryable, live: readonly string[], now: Date): Promise<number> {
  const r = await q.query(
    `UPDATE job SET status = 'queued', locked_by = NULL, locked_until = NULL, run_at = $2
     WHERE status = 'running' AND NOT (locked_by = ANY($1::text[]))`,
    [[...live], now],
  );
  return r.affectedRows;
}

/**
 * claimJobs' statement ($1 worker, $2 lease end, $3 now, $4 limit, $5 the kind or
 * kinds when `kinds` is 'one' or 'many'): two index-ordered walks, each stopping at `limit` rows it could
 * lock — jobs whose lease ran out (job_running), and due queued jobs (job_ready,
 * or job_ready_kind for one kind) — so no claim sorts the backlog, however many
 * assessments are queued. The kind filter is written only when given, and one
 * kind as an equality, so the planner walks job_ready_kind in order. Exported for the plan test (job-queue.test.ts).
 */
export function claimStatement(kinds: 'all' | 'one' | 'many'): string {
  const kind = { all: '', one: 'AND kind = $5::text', many: 'AND kind = ANY($5::text[])' }[kinds];
  return `WITH expired AS (
       SELECT id, run_at FROM job WHERE status = 'running' AND locked_until < $3 ${kind}
       ORDER BY locked_until LIMIT $4 FOR UPDATE SKIP LOCKED
     ), ready AS (
       SELECT id, run_at FROM job WHERE status = 'queued' AND run_at <= $3 ${kind}
       ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED
     )
     UPDATE job SET status = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1
     WHERE id IN (
       SELECT id FROM (SELECT id, run_at FROM expired UNION ALL SELECT id, run_at FROM ready) c
       ORDER BY run_at, id LIMIT $4)
     RETURNING id, kind, payload, attempts, max_attempts`;
}

/** How claimStatement filters `kinds`, and the parameter it takes for them. */
export const kindsOf = (kinds: readonly string[] | undefined) =>
  kinds === undefined ? 'all' : kinds.length === 1 ? 'one' : 'many';
export const kindParam = (kinds: readonly string[] | undefined): unknown[] =>
  kinds === undefined ? [] : kinds.length === 1 ? [kinds[0]] : [[...kinds]];

/**
 * Claims up to `limit` due jobs for `worker`, leased until now + leaseMs.
 * Jobs whose lease ran out (their worker died) are claimable again.
 */
export async function claimJobs(
  q: Queryable,
  worker: string,
  now: Date,
  opts: { limit?: number; leaseMs?: number; kinds?: readonly string[] } = {},
): Promise<Job[]> {
  const lease = new Date(now.getTime() + (opts.leaseMs ?? 5 * 60_000));
  const r = await q.query<{
    id: number;
    kind: string;
    payload: Record<string, unknown>;
    attempts: number;
    max_attempts: number;
  }>(claimStatement(kindsOf(opts.kinds)), [worker, lease, now, opts.limit ?? 1, ...kindParam(opts.kinds)]);
  return r.rows.map((row) => ({
    id: Number(row.id),
    kind: row.kind,
    payload: row.payload,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
  }));
}

/**
 * A running job's progress (a range job's last host done), saved in its
 * payload so that a retry resumes there; extends its lease. False when the
 * worker lost the job.
 */
export async function recordJobProgress(
  q: Queryable,
  id: number,
  worker: string,
  progress: Record<string, unknown>,
  lockedUntil: Date,
): Promise<boolean> {
  const r = await q.query(
    `UPDATE job SET payload = payload || $3::jsonb, locked_until = $4
     WHERE id = $1 AND locked_by = $2 AND status = 'running'`,
    [id, worker, JSON.stringify(progress), lockedUntil],
  );
  return r.affectedRows === 1;
}

/** Marks a claimed job done; false when the worker had lost its lease to another. */
export async function completeJob(q: Queryable, id: number, worker: string, now: Date): Promise<boolean> {
  const r = await q.query(
    `UPDATE job SET status = 'done', finished_at = $3, locked_until = NULL
     WHERE id = $1 AND locked_by = $2 AND status = 'running'`,
    [id, worker, now],
  );
  return r.affectedRows === 1;
}

/** A failed attempt: retried after a backoff (30 s × 2^attempt) until max attempts, then failed. */
export async function failJob(
  q: Queryable,
  job: Job,
  worker: string,
  error: string,
  now: Date,
): Promise<'retry' | 'failed'> {
  const final = job.attempts >= job.maxAttempts;
  const retryAt = new Date(now.getTime() + 30_000 * 2 ** (job.attempts - 1));
  await q.query(
    // A retry whose key already has a queued run is superseded by it (one queued job per key).
    `UPDATE job SET status = s.status, run_at = $4, last_error = $5, locked_until = NULL,
       finished_at = CASE WHEN s.status = 'failed' THEN $6::timestamptz ELSE NULL END
     FROM (SELECT CASE WHEN $3 = 'queued' AND EXISTS (
             SELECT 1 FROM job q JOIN job me ON me.id = $1
             WHERE q.singleton_key = me.singleton_key AND q.status = 'queued' AND q.id <> $1)
           THEN 'failed' ELSE $3 END AS status) s
     WHERE job.id = $1 AND job.locked_by = $2 AND job.status = 'running'`,
    [job.id, worker, final ? 'failed' : 'queued', retryAt, error.slice(0, 2000), now],
  );
  return final ? 'failed' : 'retry';
}

export async function jobCounts(q: Queryable): Promise<Record<string, number>> {
  const r = await q.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM job GROUP BY status',
  );
  return Object.fromEntries(r.rows.map((row) => [row.status, row.n]));
}

/**
 * Deletes finished jobs: done jobs of the `shortLived` kinds (assessments,
 * minute tasks: thousands an hour on a large fleet) finished before
 * `doneBefore`, and every other finished job (failed ones, feed syncs)
 * finished before `before`. Served by job_finished.
 */
export async function pruneJobs(
  q: Queryable,
  before: Date,
  short: { doneBefore: Date; kinds: readonly string[] } | null = null,
): Promise<number> {
  const r = await q.query(
    `DELETE FROM job WHERE status IN ('done', 'failed')
       AND (finished_at < $1 OR (status = 'done' AND finished_at < $2 AND kind = ANY($3::text[])))`,
    [before, short?.doneBefore ?? before, [...(short?.kinds ?? [])]],
  );
  return r.affectedRows;
}

/** Claims a scheduled task's time slot; true for exactly one replica. */
export async function claimScheduleSlot(
  q: Queryable,
  name: string,
  slot: Date,
  worker: string,
  now: Date,
): Promise<boolean> {
  const r = await q.query(
    `INSERT INTO schedule_slot (name, slot, claimed_by, claimed_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [name, slot, worker, now],
  );
  return r.affectedRows === 1;
}

/** Deletes schedule slots older than `before` (one per task per interval accumulates otherwise). */
export async function pruneScheduleSlots(q: Queryable, before: Date): Promise<number> {
  const r = await q.query('DELETE FROM schedule_slot WHERE slot < $1', [before]);
  return r.affectedRows;
}
