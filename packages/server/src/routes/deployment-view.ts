/** A deployment as the API shows it, and its change record as CSV. */
import type { RingProgress } from '@patchloop/core';
import type { DeploymentRecord, Queryable, TaskRecord } from '@patchloop/store';
import type { DeploymentView } from '@patchloop/contracts';
import { csvLine } from '../services/csv.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export async function deploymentView(
  q: Queryable,
  d: DeploymentRecord,
  tasks: readonly TaskRecord[],
  rings: readonly RingProgress[],
): Promise<DeploymentView> {
  const closed = await q.query<{ task_id: string; advisory_id: string }>(
    `SELECT DISTINCT t.id AS task_id, f.advisory_id FROM deployment_task t
     JOIN finding f ON f.host_id = t.host_id AND f.resolved_at IS NOT NULL AND f.resolved_at >= coalesce(t.started_at, t.dispatched_at)
       AND f.package IN (SELECT p->>'name' FROM jsonb_array_elements(t.packages) p)
     WHERE t.deployment_id = $1 AND t.started_at IS NOT NULL ORDER BY 1, 2`,
    [d.id],
  );
  const byTask = new Map<string, string[]>();
  for (const r of closed.rows) byTask.set(r.task_id, [...(byTask.get(r.task_id) ?? []), r.advisory_id]);
  const audit = await q.query<{ at: string; actor: string; action: string }>(
    `SELECT at, actor, action FROM audit_event WHERE target = $1 AND actor <> 'system' ORDER BY seq`,
    [`deployment:${d.id}`],
  );
  return {
    id: d.id,
    kind: d.kind,
    parentId: d.parentId,
    status: d.status,
    policy: d.policy,
    policyVersion: d.policyVersion,
    reboot: d.reboot,
    waiting: d.waiting,
    createdBy: d.createdBy,
    createdAt: d.createdAt.toISOString(),
    startedAt: iso(d.startedAt),
    finishedAt: iso(d.finishedAt),
    notDeployable: [...d.notDeployable],
    rings: rings.map((r) => ({
      name: r.name,
      status: r.status,
      total: r.total,
      succeeded: r.succeeded,
      failed: r.failed,
      inFlight: r.inFlight,
      queued: r.queued,
      successRate: r.successRate,
      bakeUntil: iso(r.bakeUntil),
    })),
    hosts: tasks.map((t) => ({
      taskId: t.id,
      hostId: t.hostId,
      hostname: t.hostname,
      ring: t.ring,
      status: t.status,
      packages: t.packages.map((p) => ({ name: p.name, version: p.version })),
      advisories: t.advisories,
      before: t.before,
      after: t.after,
      reboot: t.reboot,
      error: t.errorCode === null ? null : { code: t.errorCode, message: t.errorMessage ?? '' },
      log: t.log,
      queuedAt: t.queuedAt.toISOString(),
      dispatchedAt: iso(t.dispatchedAt),
      startedAt: iso(t.startedAt),
      finishedAt: iso(t.finishedAt),
      closedFindings: byTask.get(t.id) ?? [],
      rolledBackBy: t.rolledBackBy,
    })),
    approvals: audit.rows.map((a) => ({
      at: new Date(a.at).toISOString(),
      actor: a.actor,
      action: a.action,
    })),
  };
}

/** One row per host and package: before → target → after, with the task's outcome and timing. */
export function changeRecordCsv(v: DeploymentView): string {
  const rows = [
    [
      'deployment',
      'policy',
      'created_by',
      'host',
      'ring',
      'status',
      'package',
      'before',
      'target',
      'after',
      'advisories',
      'closed',
      'started_at',
      'finished_at',
      'error',
    ],
  ];
  for (const h of v.hosts) {
    for (const p of h.packages) {
      rows.push([
        String(v.id),
        v.policy ?? '',
        v.createdBy,
        h.hostname,
        h.ring,
        h.status,
        p.name,
        h.before?.find((b) => b.name === p.name)?.version ?? '',
        p.version,
        h.after?.find((a) => a.name === p.name)?.version ?? '',
        h.advisories.join(' '),
        h.closedFindings.join(' '),
        h.startedAt ?? '',
        h.finishedAt ?? '',
        h.error ? `${h.error.code}: ${h.error.message}` : '',
      ]);
    }
  }
  return rows.map(csvLine).join('');
}
