/** A deployment as the API shows it (its tasks a page at a time), one task with its log, and its change record as CSV. */
import { tickTallied, type RingProgress, PatchloopError } from '@patchloop/core';
import {
  closedFindingsOfDeployment,
  countTasksWithStatus,
  deploymentApprovals,
  getDeployment,
  getTask,
  taskPage,
  type DeploymentRecord,
  type Queryable,
  type TaskCursor,
  type TaskSummary,
} from '@patchloop/store';
import type {
  DeploymentTask,
  DeploymentTaskDetail,
  DeploymentView,
  DeploymentViewQuery,
} from '@patchloop/contracts';
import type { ServerContext } from '../context.js';
import { csvLine } from './csv.js';
import { talliedStateOf } from './deployments.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The `after` of a page: the last task's (ring, hostname, id), opaque to clients. */
const encodeCursor = (c: TaskCursor) =>
  Buffer.from(JSON.stringify([c.ring, c.hostname, c.id])).toString('base64url');

function decodeCursor(after: string | undefined): TaskCursor | null {
  if (after === undefined || after === '') return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'string')) {
      const [ring, hostname, id] = v as [string, string, string];
      return { ring, hostname, id };
    }
  } catch {
    // Not JSON: refused below.
  }
  throw new PatchloopError('PL_REQUEST_INVALID', 'after is not a page position this server gave out');
}

function taskView(t: TaskSummary, closedFindings: string[]): DeploymentTask {
  return {
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
    queuedAt: t.queuedAt.toISOString(),
    dispatchedAt: iso(t.dispatchedAt),
    startedAt: iso(t.startedAt),
    finishedAt: iso(t.finishedAt),
    closedFindings,
    rolledBackBy: t.rolledBackBy,
  };
}

/** Tasks as the view lists them, with the findings each closed (one query for the page). */
async function taskViews(q: Queryable, deploymentId: number, tasks: readonly TaskSummary[]) {
  const byTask = new Map<string, string[]>();
  for (const r of await closedFindingsOfDeployment(
    q,
    deploymentId,
    tasks.map((t) => t.id),
  )) {
    byTask.set(r.taskId, [...(byTask.get(r.taskId) ?? []), r.advisoryId]);
  }
  return tasks.map((t) => taskView(t, byTask.get(t.id) ?? []));
}

async function viewOf(
  q: Queryable,
  d: DeploymentRecord,
  rings: readonly RingProgress[],
  hosts: { items: DeploymentTask[]; total: number; next: string | null },
): Promise<DeploymentView> {
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
    hosts: hosts.items,
    hostsTotal: hosts.total,
    hostsNext: hosts.next,
    approvals: approvals.map((a) => ({
      at: a.at.toISOString(),
      actor: a.actor,
      action: a.action,
    })),
  };
}

/** A deployment and its rings' progress at ctx.now(), counted in SQL. */
async function deploymentNow(ctx: ServerContext, id: number) {
  const d = await getDeployment(ctx.db, id);
  if (!d) throw new PatchloopError('PL_NOT_FOUND', `no deployment ${id}`);
  const now = ctx.now();
  return { d, rings: tickTallied(await talliedStateOf(ctx.db, d, now), now).rings };
}

/** Deployment `id` as the API shows it now: its rings, and one page of its tasks (no logs). */
export async function deploymentDetail(
  ctx: ServerContext,
  id: number,
  page: DeploymentViewQuery = {},
): Promise<DeploymentView> {
  const { d, rings } = await deploymentNow(ctx, id);
  const r = await taskPage(ctx.db, id, {
    limit: page.limit ?? 200,
    after: decodeCursor(page.after),
    status: page.status,
  });
  const total =
    page.status === undefined
      ? rings.reduce((n, x) => n + x.total, 0)
      : await countTasksWithStatus(ctx.db, id, page.status);
  return viewOf(ctx.db, d, rings, {
    items: await taskViews(ctx.db, id, r.items),
    total,
    next: r.next === null ? null : encodeCursor(r.next),
  });
}

const RECORD_PAGE = 1000;

/** The change record: the view with every task (no logs), read a page at a time. */
export async function deploymentRecord(ctx: ServerContext, id: number): Promise<DeploymentView> {
  const { d, rings } = await deploymentNow(ctx, id);
  const items: DeploymentTask[] = [];
  let after: TaskCursor | null = null;
  do {
    const r = await taskPage(ctx.db, id, { limit: RECORD_PAGE, after });
    items.push(...(await taskViews(ctx.db, id, r.items)));
    after = r.next;
  } while (after !== null);
  return viewOf(ctx.db, d, rings, { items, total: items.length, next: null });
}

/** One task of a deployment with its log. */
export async function deploymentTask(
  ctx: ServerContext,
  id: number,
  taskId: string,
): Promise<DeploymentTaskDetail> {
  const t = await getTask(ctx.db, taskId);
  if (!t || t.deploymentId !== id)
    throw new PatchloopError('PL_NOT_FOUND', `no task ${taskId} in deployment ${id}`);
  const [view] = await taskViews(ctx.db, id, [t]);
  return { ...(view as DeploymentTask), log: t.log };
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
