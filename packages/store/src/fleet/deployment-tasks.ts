/**
 * A deployment's tasks at fleet scale: read by status and counted in SQL (the orchestrator's
 * tick), the queued ones of a ring read for dispatch with their hosts, moved in one statement
 * per batch, paged by (ring, hostname, id) for the view.
 */
import type { RingTally } from '@patchloop/core';
import type { Queryable } from '../db.js';
import {
  HANDED_OUT,
  LOG_CAP,
  TASK_COLUMNS,
  d,
  taskSummary,
  type TaskPackage,
  type TaskSummary,
} from './deployment-rows.js';

/** What a manual deployment needs of a host: whether it can run one. */
export interface DeployTarget {
  readonly id: number;
  readonly hostname: string;
  readonly retired: boolean;
  readonly transport: 'agent' | 'ssh' | 'import';
  readonly packageManager: string | null;
  readonly updatesKnown: boolean;
}

/** The hosts of `ids` that exist, in one query (a manual deployment to 10,000 hosts reads them once). */
export async function deployTargets(
  q: Queryable,
  ids: readonly number[],
): Promise<Map<number, DeployTarget>> {
  const r = await q.query<{
    id: number | string;
    hostname: string;
    retired: boolean;
    transport: DeployTarget['transport'];
    package_manager: string | null;
    updates_known: boolean;
  }>(
    `SELECT id, hostname, retired_at IS NOT NULL AS retired, transport, package_manager,
       updates IS NOT NULL AS updates_known
     FROM host WHERE id = ANY($1::bigint[])`,
    [[...ids]],
  );
  return new Map(
    r.rows.map((x) => [
      Number(x.id),
      {
        id: Number(x.id),
        hostname: x.hostname,
        retired: x.retired,
        transport: x.transport,
        packageManager: x.package_manager,
        updatesKnown: x.updates_known,
      },
    ]),
  );
}

/** Where a page of a deployment's tasks starts: after this (ring, hostname, id). */
export interface TaskCursor {
  readonly ring: string;
  readonly hostname: string;
  readonly id: string;
}

/**
 * One page of a deployment's tasks without logs, by (ring, hostname, id) after `after`
 * (index deployment_task_view), optionally of one status; `limit + 1` rows are read to
 * tell whether another page follows.
 */
export async function taskPage(
  q: Queryable,
  deploymentId: number,
  f: { limit: number; after?: TaskCursor | null | undefined; status?: string | undefined },
): Promise<{ items: TaskSummary[]; next: TaskCursor | null }> {
  const params: unknown[] = [deploymentId, f.limit + 1];
  let where = 't.deployment_id = $1';
  if (f.after) {
    params.push(f.after.ring, f.after.hostname, f.after.id);
    where += ` AND (t.ring, t.hostname, t.id) > ($${params.length - 2}, $${params.length - 1}, $${params.length})`;
  }
  if (f.status !== undefined) {
    params.push(f.status);
    where += ` AND t.status = $${params.length}`;
  }
  const r = await q.query(
    `SELECT ${TASK_COLUMNS} FROM deployment_task t WHERE ${where} ORDER BY t.ring, t.hostname, t.id LIMIT $2`,
    params,
  );
  const items = r.rows.slice(0, f.limit).map(taskSummary);
  const last = items[items.length - 1];
  return {
    items,
    next: r.rows.length > f.limit && last ? { ring: last.ring, hostname: last.hostname, id: last.id } : null,
  };
}

/** How many tasks of a deployment have this status (index deployment_task_tick). */
export async function countTasksWithStatus(
  q: Queryable,
  deploymentId: number,
  status: string,
): Promise<number> {
  const r = await q.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM deployment_task WHERE deployment_id = $1 AND status = $2',
    [deploymentId, status],
  );
  return r.rows[0]?.n ?? 0;
}

/** A deployment's tasks counted per ring and status: core's RingTally and its ring (one aggregate, no task rows). */
export interface RingTallyRow extends RingTally {
  readonly ring: string;
}

/** Final states counted as failures (core's FAILED_TASK_STATES). */
const FAILED = `('failed', 'rolled-back', 'timed-out')`;

export async function ringTallies(
  q: Queryable,
  deploymentId: number,
  resumedAt: Date | null,
): Promise<RingTallyRow[]> {
  const r = await q.query<{
    ring: string;
    total: number;
    succeeded: number;
    failed: number;
    skipped: number;
    in_flight: number;
    queued: number;
    last_finished_at: Date | string | null;
    budget_failed: number;
  }>(
    `SELECT ring, count(*)::int AS total,
       count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
       count(*) FILTER (WHERE status IN ${FAILED})::int AS failed,
       count(*) FILTER (WHERE status = 'skipped')::int AS skipped,
       count(*) FILTER (WHERE status IN ${HANDED_OUT})::int AS in_flight,
       count(*) FILTER (WHERE status = 'queued')::int AS queued,
       max(finished_at) AS last_finished_at,
       count(*) FILTER (WHERE status IN ${FAILED}
         AND ($2::timestamptz IS NULL OR finished_at IS NULL OR finished_at > $2::timestamptz))::int AS budget_failed
     FROM deployment_task WHERE deployment_id = $1 GROUP BY ring ORDER BY ring`,
    [deploymentId, resumedAt],
  );
  return r.rows.map((x) => ({
    ring: x.ring,
    total: x.total,
    succeeded: x.succeeded,
    failed: x.failed,
    skipped: x.skipped,
    inFlight: x.in_flight,
    queued: x.queued,
    lastFinishedAt: d(x.last_finished_at),
    budgetFailed: x.budget_failed,
  }));
}

/** A task that may be due to time out: what core's timeOutReason needs of it. */
export interface TimeOutCandidate {
  readonly id: string;
  readonly ring: string;
  readonly status: string;
  readonly deadline: Date;
  readonly dispatchedAt: Date | null;
  readonly timeoutSeconds: number;
}

/**
 * Tasks of a deployment due to time out at `now`: queued past their deadline, or in flight
 * longer than their timeout + `graceSeconds` (by status through deployment_task_tick).
 */
export async function timeOutCandidates(
  q: Queryable,
  deploymentId: number,
  now: Date,
  graceSeconds: number,
): Promise<TimeOutCandidate[]> {
  const r = await q.query<{
    id: string;
    ring: string;
    status: string;
    deadline: Date | string;
    dispatched_at: Date | string | null;
    timeout_seconds: number;
  }>(
    `SELECT id, ring, status, deadline, dispatched_at, timeout_seconds FROM deployment_task
     WHERE deployment_id = $1 AND (
       (status = 'queued' AND deadline <= $2)
       OR (status IN ${HANDED_OUT}
         AND dispatched_at + make_interval(secs => timeout_seconds + $3::int) <= $2))
     ORDER BY id`,
    [deploymentId, now, graceSeconds],
  );
  return r.rows.map((x) => ({
    id: x.id,
    ring: x.ring,
    status: x.status,
    deadline: new Date(x.deadline),
    dispatchedAt: d(x.dispatched_at),
    timeoutSeconds: Number(x.timeout_seconds),
  }));
}

/** A queued task about to be dispatched, with what decides whether its host can run it. */
export interface DispatchCandidate {
  readonly id: string;
  readonly hostId: number;
  readonly packages: TaskPackage[];
  readonly deadline: Date;
  readonly timeoutSeconds: number;
  /** null: the host no longer exists. */
  readonly host: {
    readonly transport: string;
    readonly packageManager: string | null;
    readonly updatesKnown: boolean;
    readonly machineId: string | null;
  } | null;
}

/**
 * The first `limit` queued tasks of a ring (by id) not past their deadline, with their hosts'
 * deployability: one indexed read for a whole dispatch.
 */
export async function queuedForDispatch(
  q: Queryable,
  deploymentId: number,
  ring: string,
  limit: number,
  now: Date,
): Promise<DispatchCandidate[]> {
  const r = await q.query<{
    id: string;
    host_id: number;
    packages: TaskPackage[];
    deadline: Date | string;
    timeout_seconds: number;
    h_id: number | null;
    transport: string | null;
    package_manager: string | null;
    updates_known: boolean | null;
    machine_id: string | null;
  }>(
    `SELECT t.id, t.host_id, t.packages, t.deadline, t.timeout_seconds, h.id AS h_id, h.transport,
       h.package_manager, h.updates IS NOT NULL AS updates_known, h.machine_id
     FROM deployment_task t LEFT JOIN host h ON h.id = t.host_id
     WHERE t.deployment_id = $1 AND t.status = 'queued' AND t.ring = $2 AND t.deadline > $4
     ORDER BY t.id LIMIT $3`,
    [deploymentId, ring, limit, now],
  );
  return r.rows.map((x) => ({
    id: x.id,
    hostId: Number(x.host_id),
    packages: x.packages,
    deadline: new Date(x.deadline),
    timeoutSeconds: Number(x.timeout_seconds),
    host:
      x.h_id === null
        ? null
        : {
            transport: x.transport as string,
            packageManager: x.package_manager,
            updatesKnown: x.updates_known === true,
            machineId: x.machine_id,
          },
  }));
}

/** The next job sequence number of each host (one per host), in one statement. */
export async function nextJobSequences(
  q: Queryable,
  hostIds: readonly number[],
): Promise<Map<number, number>> {
  if (hostIds.length === 0) return new Map();
  const r = await q.query<{ id: number | string; job_sequence: number | string }>(
    'UPDATE host SET job_sequence = job_sequence + 1 WHERE id = ANY($1::bigint[]) RETURNING id, job_sequence',
    [[...new Set(hostIds)]],
  );
  return new Map(r.rows.map((x) => [Number(x.id), Number(x.job_sequence)]));
}

/** Marks tasks dispatched with their signatures, in one statement. */
export async function markDispatched(
  q: Queryable,
  tasks: readonly { id: string; signature: unknown }[],
  now: Date,
): Promise<void> {
  if (tasks.length === 0) return;
  await q.query(
    `UPDATE deployment_task t SET status = 'dispatched', dispatched_at = coalesce(t.dispatched_at, $1),
       signature = u.signature::jsonb, log = right(t.log || $2, ${LOG_CAP})
     FROM unnest($3::text[], $4::text[]) AS u(id, signature) WHERE t.id = u.id`,
    [
      now,
      `${now.toISOString()} dispatched\n`,
      tasks.map((t) => t.id),
      tasks.map((t) => JSON.stringify(t.signature)),
    ],
  );
}

/** Ends tasks (timed out, skipped) with a log line and an error each, in one statement. */
export async function finishTasks(
  q: Queryable,
  tasks: readonly {
    id: string;
    status: string;
    logLine: string;
    errorCode?: string | null;
    errorMessage?: string | null;
  }[],
  now: Date,
): Promise<void> {
  if (tasks.length === 0) return;
  await q.query(
    `UPDATE deployment_task t SET status = u.status, finished_at = coalesce(t.finished_at, $1),
       log = right(t.log || u.line, ${LOG_CAP}),
       error_code = coalesce(u.error_code, t.error_code), error_message = coalesce(u.error_message, t.error_message)
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       AS u(id, status, line, error_code, error_message)
     WHERE t.id = u.id`,
    [
      now,
      tasks.map((t) => t.id),
      tasks.map((t) => t.status),
      tasks.map((t) => t.logLine),
      tasks.map((t) => t.errorCode ?? null),
      tasks.map((t) => t.errorMessage ?? null),
    ],
  );
}
