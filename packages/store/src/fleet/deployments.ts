/**
 * Deployments and their per-host tasks. The orchestration rules live in
 * core/deploy; this is storage: create, read, move tasks along, append logs.
 */
import type { Queryable } from '../db.js';
import type { Row as TableRow } from '../row.js';
import { HANDED_OUT, LOG_CAP, TASK_COLUMNS, d, task, taskSummary, type Row } from './deployment-rows.js';
import type { TaskPackage, TaskRecord, TaskSummary } from './deployment-rows.js';

export type { TaskPackage, TaskRecord, TaskSummary } from './deployment-rows.js';

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
