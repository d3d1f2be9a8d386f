/**
 * What a deployment's record shows beside its tasks: the findings each task
 * closed, and the people's decisions on it from the audit log.
 */
import type { Queryable } from '../db.js';

export interface ClosedFindingRow {
  readonly taskId: string;
  readonly advisoryId: string;
}

/**
 * The advisories of the findings the given started tasks closed (a page of a deployment's
 * tasks, never all of them): findings on the task's host, of a package it installed, resolved
 * since the task started. Ordered by task, advisory.
 */
export async function closedFindingsOfDeployment(
  q: Queryable,
  deploymentId: number,
  taskIds: readonly string[],
): Promise<ClosedFindingRow[]> {
  if (taskIds.length === 0) return [];
  const r = await q.query<{ task_id: string; advisory_id: string }>(
    `SELECT DISTINCT t.id AS task_id, f.advisory_id FROM deployment_task t
     JOIN finding f ON f.host_id = t.host_id AND f.resolved_at IS NOT NULL AND f.resolved_at >= coalesce(t.started_at, t.dispatched_at)
       AND f.package IN (SELECT p->>'name' FROM jsonb_array_elements(t.packages) p)
     WHERE t.deployment_id = $1 AND t.id = ANY($2::text[]) AND t.started_at IS NOT NULL ORDER BY 1, 2`,
    [deploymentId, [...taskIds]],
  );
  return r.rows.map((x) => ({ taskId: x.task_id, advisoryId: x.advisory_id }));
}

export interface DeploymentApprovalRow {
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
}

/** The audit events on a deployment by people (not `system`), oldest first. */
export async function deploymentApprovals(
  q: Queryable,
  deploymentId: number,
): Promise<DeploymentApprovalRow[]> {
  const r = await q.query<{ at: Date | string; actor: string; action: string }>(
    `SELECT at, actor, action FROM audit_event WHERE target = $1 AND actor <> 'system' ORDER BY seq`,
    [`deployment:${deploymentId}`],
  );
  return r.rows.map((x) => ({ at: new Date(x.at), actor: x.actor, action: x.action }));
}
