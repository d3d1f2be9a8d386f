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
 * Claims up to `limit` due jobs for `worker`, leased until now + leaseMs.
 * Jobs whose lease ran out (their worker died) are claimable again.
 */
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

export async function claimJobs(
  q: Queryable,
  worker: string,
  now: Date,
  opts: { limit?: number; leaseMs?: number; kinds?: readonly string[] } = {},
): Promise<Job[]> {
  const lease = new Date(now.getTime() + (opts.leaseMs ?? 5 * 60_000));
  const kinds = opts.kinds ? [...opts.kinds] : null;
  const r = await q.query<{
    id: number;
    kind: string;
    payload: Record<string, unknown>;
    attempts: number;
    max_attempts: number;
  }>(
    `UPDATE job SET status = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1
     WHERE id IN (
       SELECT id FROM job
       WHERE ((status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3))
         AND ($5::text[] IS NULL OR kind = ANY($5::text[]))
       ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
     RETURNING id, kind, payload, attempts, max_attempts`,
    [worker, lease, now, opts.limit ?? 1, kinds],
  );
  return r.rows.map((row) => ({
    id: Number(row.id),
    kind: row.kind,
    payload: row.payload,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
  }));
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

/** Deletes finished jobs older than `before`. */
export async function pruneJobs(q: Queryable, before: Date): Promise<number> {
  const r = await q.query(`DELETE FROM job WHERE status IN ('done', 'failed') AND finished_at < $1`, [
    before,
  ]);
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
