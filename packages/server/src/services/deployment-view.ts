/** A deployment as the API shows it, and its change record as CSV. */
import { tick, type RingProgress, PatchloopError } from '@patchloop/core';
import {
  closedFindingsOfDeployment,
  deploymentApprovals,
  getDeployment,
  listTasks,
  type DeploymentRecord,
  type Queryable,
  type TaskRecord,
} from '@patchloop/store';
import type { DeploymentView } from '@patchloop/contracts';
import type { ServerContext } from '../context.js';
import { csvLine } from './csv.js';
import { stateOf } from './deployments.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export async function deploymentView(
  q: Queryable,
  d: DeploymentRecord,
  tasks: readonly TaskRecord[],
  rings: readonly RingProgress[],
): Promise<DeploymentView> {
  const byTask = new Map<string, string[]>();
  for (const r of await closedFindingsOfDeployment(q, d.id)) {
    byTask.set(r.taskId, [...(byTask.get(r.taskId) ?? []), r.advisoryId]);
  }
  const approvals = await deploymentApprovals(q, d.id);
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
    approvals: approvals.map((a) => ({
      at: a.at.toISOString(),
      actor: a.actor,
      action: a.action,
    })),
  };
}

/** Deployment `id` as the API shows it now (its rings' progress at ctx.now()). */
export async function deploymentDetail(ctx: ServerContext, id: number): Promise<DeploymentView> {
  const d = await getDeployment(ctx.db, id);
  if (!d) throw new PatchloopError('PL_NOT_FOUND', `no deployment ${id}`);
  const tasks = await listTasks(ctx.db, id);
  const rings = tick(stateOf(d, tasks), ctx.now()).rings;
  return deploymentView(ctx.db, d, tasks, rings);
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
