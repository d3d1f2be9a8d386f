/**
 * Deployments and their per-host tasks. The orchestration rules live in
 * core/deploy; this is storage: create, read, move tasks along, append logs.
 */
import type { Queryable } from '../db.js';
import type { Row as TableRow } from '../row.js';

export interface DeploymentRecord {
  readonly id: number;
  readonly kind: 'install' | 'rollback';
  readonly parentId: number | null;
  readonly policy: string | null;
  readonly policyVersion: number | null;
  readonly status: string;
  readonly rings: unknown[];
  readonly schedule: unknown;
  readonly reboot: 'never' | 'if-required' | 'always';
  readonly preScript: string | null;
  readonly postScript: string | null;
  readonly waiting: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly resumedAt: Date | null;
  readonly updatedAt: Date;
  /** Hosts left out because they cannot run a deployment, with the reason. */
  readonly notDeployable: readonly NotDeployableHost[];
}

export interface NotDeployableHost {
  readonly hostId: number;
  readonly hostname: string;
  readonly reason: string;
}

export interface TaskPackage {
  readonly name: string;
  readonly version: string;
  readonly arch?: string | undefined;
}

/** A task as lists and the orchestrator read it: everything but its log. */
export interface TaskSummary {
  readonly id: string;
  readonly deploymentId: number;
  readonly hostId: number;
  readonly hostname: string;
  readonly ring: string;
  readonly status: string;
  readonly packages: TaskPackage[];
  readonly advisories: string[];
  readonly before: { name: string; version: string | null }[] | null;
  readonly after: { name: string; version: string | null }[] | null;
  readonly reboot: Record<string, unknown> | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly deadline: Date;
  readonly timeoutSeconds: number;
  readonly queuedAt: Date;
  readonly dispatchedAt: Date | null;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly rolledBackBy: string | null;
  /** The signature made at dispatch (core's JobEnvelope); null before. */
  readonly signature: unknown;
}

/** A task with its log (up to 512 KiB: read one at a time). */
export interface TaskRecord extends TaskSummary {
  readonly log: string;
}

type Row = Record<string, unknown>;
/** Task states in which the host's agent has a job to run or finish. */
const HANDED_OUT = `('dispatched', 'pre-check', 'installing', 'verifying')`;
const LOG_CAP = 512 * 1024;
const d = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

function deployment(r: Row): DeploymentRecord {
  return {
    id: Number(r.id),
    kind: r.kind as DeploymentRecord['kind'],
    parentId: r.parent_id === null ? null : Number(r.parent_id),
    policy: (r.policy as string | null) ?? null,
    policyVersion: r.policy_version === null ? null : Number(r.policy_version),
    status: r.status as string,
    rings: r.rings as unknown[],
    schedule: r.schedule ?? null,
    reboot: r.reboot as DeploymentRecord['reboot'],
    preScript: (r.pre_script as string | null) ?? null,
    postScript: (r.post_script as string | null) ?? null,
    waiting: (r.waiting as string | null) ?? null,
    createdBy: r.created_by as string,
    createdAt: new Date(r.created_at as string),
    startedAt: d(r.started_at),
    finishedAt: d(r.finished_at),
    resumedAt: d(r.resumed_at),
    updatedAt: new Date(r.updated_at as string),
    notDeployable: (r.not_deployable as NotDeployableHost[] | null) ?? [],
  };
}

/** Every task column but the log. */
const TASK_COLUMNS = `t.id, t.deployment_id, t.host_id, t.hostname, t.ring, t.status, t.packages, t.advisories, t.before,
  t.after, t.reboot, t.error_code, t.error_message, t.deadline, t.timeout_seconds, t.queued_at, t.dispatched_at,
  t.started_at, t.finished_at, t.rolled_back_by, t.signature`;

function taskSummary(r: Row): TaskSummary {
  return {
    id: r.id as string,
    deploymentId: Number(r.deployment_id),
    hostId: Number(r.host_id),
    hostname: r.hostname as string,
    ring: r.ring as string,
    status: r.status as string,
    packages: r.packages as TaskPackage[],
    advisories: (r.advisories as string[]) ?? [],
    before: (r.before as TaskRecord['before']) ?? null,
    after: (r.after as TaskRecord['after']) ?? null,
    reboot: (r.reboot as Record<string, unknown> | null) ?? null,
    errorCode: (r.error_code as string | null) ?? null,
    errorMessage: (r.error_message as string | null) ?? null,
    deadline: new Date(r.deadline as string),
    timeoutSeconds: Number(r.timeout_seconds),
    queuedAt: new Date(r.queued_at as string),
    dispatchedAt: d(r.dispatched_at),
    startedAt: d(r.started_at),
    finishedAt: d(r.finished_at),
    rolledBackBy: (r.rolled_back_by as string | null) ?? null,
    signature: r.signature ?? null,
  };
}

const task = (r: Row): TaskRecord => ({ ...taskSummary(r), log: r.log as string });

export interface NewDeployment {
  readonly kind: 'install' | 'rollback';
  readonly parentId: number | null;
  readonly policy: string | null;
  readonly policyVersion: number | null;
  readonly rings: unknown[];
  readonly schedule: unknown;
  readonly reboot: DeploymentRecord['reboot'];
  readonly preScript: string | null;
  readonly postScript: string | null;
  readonly createdBy: string;
  readonly now: Date;
  readonly notDeployable?: readonly NotDeployableHost[];
  readonly tasks: readonly {
    id: string;
    hostId: number;
    hostname: string;
    ring: string;
    packages: readonly TaskPackage[];
    advisories: readonly string[];
    deadline: Date;
    timeoutSeconds: number;
  }[];
}

export async function insertDeployment(q: Queryable, n: NewDeployment): Promise<DeploymentRecord> {
  const r = await q.query(
    `INSERT INTO deployment (kind, parent_id, policy, policy_version, status, rings, schedule, reboot, pre_script,
       post_script, created_by, created_at, updated_at, not_deployable)
     VALUES ($1, $2, $3, $4, 'planned', $5::jsonb, $6::jsonb, $7, $8, $9, $10, $11, $11, $12::jsonb) RETURNING *`,
    [
      n.kind,
      n.parentId,
      n.policy,
      n.policyVersion,
      JSON.stringify(n.rings),
      n.schedule === null ? null : JSON.stringify(n.schedule),
      n.reboot,
      n.preScript,
      n.postScript,
      n.createdBy,
      n.now,
      JSON.stringify(n.notDeployable ?? []),
    ],
  );
  const dep = deployment(r.rows[0] as Row);
  // One statement for every task: a 10,000-host deployment is one round trip, not 10,000.
  const ts = n.tasks;
  if (ts.length > 0) {
    await q.query(
      `INSERT INTO deployment_task (id, deployment_id, host_id, hostname, ring, status, packages, advisories, deadline,
         timeout_seconds, queued_at)
       SELECT u.id, $1, u.host_id, u.hostname, u.ring, 'queued', u.packages::jsonb,
         ARRAY(SELECT jsonb_array_elements_text(u.advisories::jsonb)), u.deadline, u.timeout_seconds, $2
       FROM unnest($3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[],
         $10::int[]) AS u(id, host_id, hostname, ring, packages, advisories, deadline, timeout_seconds)`,
      [
        dep.id,
        n.now,
        ts.map((t) => t.id),
        ts.map((t) => t.hostId),
        ts.map((t) => t.hostname),
        ts.map((t) => t.ring),
        ts.map((t) => JSON.stringify(t.packages)),
        ts.map((t) => JSON.stringify(t.advisories)),
        ts.map((t) => t.deadline),
        ts.map((t) => t.timeoutSeconds),
      ],
    );
  }
  return dep;
}

export async function getDeployment(
  q: Queryable,
  id: number,
  forUpdate = false,
): Promise<DeploymentRecord | null> {
  const r = await q.query(`SELECT * FROM deployment WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return r.rows[0] ? deployment(r.rows[0]) : null;
}

export async function listDeployments(
  q: Queryable,
  f: { limit: number; offset: number; status?: string | undefined },
): Promise<{ items: DeploymentRecord[]; total: number }> {
  const where = f.status ? 'WHERE status = $1' : '';
  const params: unknown[] = f.status ? [f.status] : [];
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM deployment ${where}`, params);
  const r = await q.query(
    `SELECT * FROM deployment ${where} ORDER BY id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, f.limit, f.offset],
  );
  return { items: r.rows.map(deployment), total: total.rows[0]?.n ?? 0 };
}

/** Deployments the orchestrator looks at, locked for this replica (others skip them). */
export async function claimActiveDeployments(q: Queryable): Promise<DeploymentRecord[]> {
  const r = await q.query(
    `SELECT * FROM deployment WHERE status IN ('planned', 'running', 'halted') ORDER BY id FOR UPDATE SKIP LOCKED`,
  );
  return r.rows.map(deployment);
}

export async function updateDeployment(
  q: Queryable,
  id: number,
  u: {
    status?: string;
    waiting?: string | null;
    startedAt?: Date;
    finishedAt?: Date;
    resumedAt?: Date;
    now: Date;
  },
): Promise<void> {
  await q.query(
    `UPDATE deployment SET status = coalesce($2, status), waiting = CASE WHEN $3 THEN $4 ELSE waiting END,
       started_at = coalesce(started_at, $5), finished_at = coalesce($6, finished_at), updated_at = $7,
       resumed_at = coalesce($8, resumed_at)
     WHERE id = $1`,
    [
      id,
      u.status ?? null,
      u.waiting !== undefined,
      u.waiting ?? null,
      u.startedAt ?? null,
      u.finishedAt ?? null,
      u.now,
      u.resumedAt ?? null,
    ],
  );
}

/** Every task of a deployment without logs, by (ring, hostname, id): for a rollback's plan. */
export async function listTasks(q: Queryable, deploymentId: number): Promise<TaskSummary[]> {
  const r = await q.query(
    `SELECT ${TASK_COLUMNS} FROM deployment_task t WHERE t.deployment_id = $1 ORDER BY t.ring, t.hostname, t.id`,
    [deploymentId],
  );
  return r.rows.map(taskSummary);
}

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

/** A deployment's tasks counted per ring and status, as core's RingTally (one aggregate, no task rows). */
export interface RingTallyRow {
  readonly ring: string;
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  readonly inFlight: number;
  readonly queued: number;
  readonly lastFinishedAt: Date | null;
  readonly budgetFailed: number;
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

export async function getTask(q: Queryable, id: string, forUpdate = false): Promise<TaskRecord | null> {
  const r = await q.query(`SELECT * FROM deployment_task WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [
    id,
  ]);
  return r.rows[0] ? task(r.rows[0]) : null;
}

/** Jobs for a host's agent: tasks handed out and not yet finished. */
export async function pendingTasksForHost(q: Queryable, hostId: number): Promise<TaskSummary[]> {
  // Index deployment_task_host (host_id, status): a host's handed-out tasks, never a deployment's.
  const r = await q.query(
    `SELECT ${TASK_COLUMNS} FROM deployment_task t WHERE t.host_id = $1 AND t.status IN ${HANDED_OUT}
     ORDER BY t.queued_at, t.id`,
    [hostId],
  );
  return r.rows.map(taskSummary);
}

/** Which of these hosts have jobs handed out (one query for every parked long poll). */
export async function hostsWithPendingTasks(q: Queryable, hostIds: readonly number[]): Promise<number[]> {
  if (hostIds.length === 0) return [];
  const r = await q.query<{ host_id: number }>(
    `SELECT DISTINCT host_id FROM deployment_task WHERE host_id = ANY($1::bigint[]) AND status IN ${HANDED_OUT}`,
    [[...hostIds]],
  );
  return r.rows.map((x) => Number(x.host_id));
}

export interface TaskUpdate {
  readonly status?: string;
  readonly appendLog?: string;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly reboot?: unknown;
  readonly errorCode?: string | null;
  readonly errorMessage?: string | null;
  readonly dispatchedAt?: Date;
  readonly startedAt?: Date;
  readonly finishedAt?: Date;
  readonly rolledBackBy?: string;
}

export async function updateTask(q: Queryable, id: string, u: TaskUpdate): Promise<void> {
  await q.query(
    `UPDATE deployment_task SET status = coalesce($2, status),
       log = right(log || coalesce($3, ''), ${LOG_CAP}),
       before = coalesce($4::jsonb, before), after = coalesce($5::jsonb, after), reboot = coalesce($6::jsonb, reboot),
       error_code = CASE WHEN $7 THEN $8 ELSE error_code END, error_message = CASE WHEN $7 THEN $9 ELSE error_message END,
       dispatched_at = coalesce(dispatched_at, $10), started_at = coalesce(started_at, $11),
       finished_at = coalesce(finished_at, $12), rolled_back_by = coalesce($13, rolled_back_by)
     WHERE id = $1`,
    [
      id,
      u.status ?? null,
      u.appendLog ?? null,
      u.before === undefined ? null : JSON.stringify(u.before),
      u.after === undefined ? null : JSON.stringify(u.after),
      u.reboot === undefined ? null : JSON.stringify(u.reboot),
      u.errorCode !== undefined,
      u.errorCode ?? null,
      u.errorMessage ?? null,
      u.dispatchedAt ?? null,
      u.startedAt ?? null,
      u.finishedAt ?? null,
      u.rolledBackBy ?? null,
    ],
  );
}

/** Skips queued tasks that will never run, with the reason in their log; returns how many. */
async function skipQueued(
  q: Queryable,
  column: 'deployment_id' | 'host_id',
  id: number,
  reason: string,
  now: Date,
) {
  const r = await q.query(
    `UPDATE deployment_task SET status = 'skipped', finished_at = $2, log = log || $3
     WHERE ${column} = $1 AND status = 'queued'`,
    [id, now, `${now.toISOString()} skipped: ${reason}\n`],
  );
  return r.affectedRows;
}

/** Queued tasks of a deployment that will never run (it was cancelled). */
export const skipQueuedTasks = (
  q: Queryable,
  deploymentId: number,
  reason: string,
  now: Date,
): Promise<number> => skipQueued(q, 'deployment_id', deploymentId, reason, now);

/** A host's queued deployment tasks (it was retired). */
export const skipHostQueuedTasks = (
  q: Queryable,
  hostId: number,
  reason: string,
  now: Date,
): Promise<number> => skipQueued(q, 'host_id', hostId, reason, now);

/** The tasks of a deployment on a host that succeeded (what a rollback of that deployment undoes). */
export async function succeededTaskIds(
  q: Queryable,
  deploymentId: number,
  hostId: number,
): Promise<string[]> {
  const r = await q.query<Pick<TableRow<'deployment_task'>, 'id'>>(
    "SELECT id FROM deployment_task WHERE deployment_id = $1 AND host_id = $2 AND status = 'succeeded'",
    [deploymentId, hostId],
  );
  return r.rows.map((t) => t.id);
}

/** A host's tasks across deployments, newest first (its deployment history). */
export async function tasksForHost(
  q: Queryable,
  hostId: number,
  f: { limit: number; offset: number },
): Promise<{
  items: (TaskRecord & { deploymentStatus: string; deploymentKind: string; policy: string | null })[];
  total: number;
}> {
  const total = await q.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM deployment_task WHERE host_id = $1',
    [hostId],
  );
  const r = await q.query(
    `SELECT t.*, d.status AS deployment_status, d.kind AS deployment_kind, d.policy AS deployment_policy
     FROM deployment_task t JOIN deployment d ON d.id = t.deployment_id
     WHERE t.host_id = $1 ORDER BY t.queued_at DESC, t.id LIMIT $2 OFFSET $3`,
    [hostId, f.limit, f.offset],
  );
  return {
    total: total.rows[0]?.n ?? 0,
    items: r.rows.map((row) => ({
      ...task(row),
      deploymentStatus: row.deployment_status as string,
      deploymentKind: row.deployment_kind as string,
      policy: (row.deployment_policy as string | null) ?? null,
    })),
  };
}
