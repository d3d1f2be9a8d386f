/**
 * Deployments: created from a policy (its simulation's updates per host,
 * in its rings, within its window), by hand (hosts × packages or
 * advisories) or as the rollback of another; driven by core/deploy's tick;
 * their tasks handed to agents as jobs and moved along by the agents'
 * reports. Every state change is audited.
 */
import { randomBytes } from 'node:crypto';
import type { AgentJob, JobReport } from '@patchloop/contracts';
import {
  notDeployableReason,
  schemeFor,
  schemeOfManager,
  timeOutReason,
  TASK_GRACE_SECONDS,
  type DeployRing,
  type DeploymentStatus,
  type PolicyDocument,
  type TalliedDeployment,
  type TaskStatus,
  type TimeOutTask,
  PatchloopError,
} from '@patchloop/core';
import {
  appendAudit,
  getDeployment,
  deployTargets,
  getPolicy,
  insertDeployment,
  type NewDeployment,
  type NotDeployableHost,
  listPolicies,
  listTasks,
  type DeploymentRecord,
  type Queryable,
  type TaskPackage,
  type TaskSummary,
  openFixesForAdvisories,
  ringTallies,
  timeOutCandidates,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';
import { simulateInBatches } from './policies.js';

const HOUR = 3_600_000;

export interface DeployOptions {
  /** Tasks not started by then never run (timed-out). Default 72 h. */
  readonly deadlineHours?: number | undefined;
  /** The package manager is stopped after this long. Default 30 min. */
  readonly timeoutSeconds?: number | undefined;
}

export const newTaskId = () => `t${randomBytes(12).toString('hex')}`;

function ringsOf(policy: PolicyDocument): DeployRing[] {
  return policy.rings.map((r) => ({
    name: r.name,
    bake: r.bake,
    minSuccess: r.minSuccess,
    maxConcurrency: r.maxConcurrency,
    errorBudget: r.errorBudget,
  }));
}

export async function createFromPolicy(
  ctx: ServerContext,
  name: string,
  actor: string,
  opts: DeployOptions = {},
): Promise<DeploymentRecord> {
  const stored = await getPolicy(ctx.db, name);
  if (!stored) throw new PatchloopError('PL_NOT_FOUND', `no policy ${name}`);
  const policy = stored.document;
  const now = ctx.now();
  const all = (await listPolicies(ctx.db)).map((p) => p.document);
  // What the policy approves now, whatever the window and rings say (the orchestrator waits for those),
  // simulated a batch of hosts at a time: only what the deployment needs is kept.
  // Every simulated host is a live host, addressed by its id (hostnames need not be unique).
  const deadline = new Date(now.getTime() + (opts.deadlineHours ?? 72) * HOUR);
  const notDeployable: NotDeployableHost[] = [];
  const tasks: NewDeployment['tasks'][number][] = [];
  await simulateInBatches(ctx.db, { policy, at: now, policies: all }, (hosts) => {
    for (const h of hosts) {
      if (h.action === 'not-deployable') {
        notDeployable.push({ hostId: h.hostId, hostname: h.hostname, reason: h.notDeployable ?? '' });
      } else if (h.updates.length > 0) {
        tasks.push({
          id: newTaskId(),
          hostId: h.hostId,
          hostname: h.hostname,
          ring: h.ring,
          packages: h.updates.map((u) => ({ name: u.package, version: u.toVersion })),
          advisories: [...new Set(h.updates.flatMap((u) => u.advisories))].sort(),
          deadline,
          timeoutSeconds: opts.timeoutSeconds ?? 1800,
        });
      }
    }
  });
  if (tasks.length === 0) {
    throw new PatchloopError(
      'PL_DEPLOYMENT_EMPTY',
      `policy ${name} approves no update on any host right now`,
    );
  }
  return ctx.db.transaction(async (tx) => {
    const d = await insertDeployment(tx, {
      kind: 'install',
      parentId: null,
      policy: name,
      policyVersion: stored.version,
      rings: ringsOf(policy),
      schedule: policy.schedule,
      reboot: policy.reboot,
      preScript: policy.scripts?.pre ?? null,
      postScript: policy.scripts?.post ?? null,
      createdBy: actor,
      now,
      notDeployable,
      tasks,
    });
    await audit(
      tx,
      actor,
      'deployment.create',
      d,
      null,
      { policy: name, version: stored.version, hosts: tasks.length, notDeployable: notDeployable.length },
      now,
    );
    return d;
  });
}

export interface ManualRequest {
  readonly hostIds: readonly number[];
  readonly packages?: readonly TaskPackage[] | undefined;
  readonly advisories?: readonly string[] | undefined;
  readonly reboot?: 'never' | 'if-required' | 'always' | undefined;
}

/** A deployment by hand: given packages at given versions, or the fixes of given advisories, on given hosts. */
export async function createManual(
  ctx: ServerContext,
  req: ManualRequest,
  actor: string,
  opts: DeployOptions = {},
): Promise<DeploymentRecord> {
  const now = ctx.now();
  const deadline = new Date(now.getTime() + (opts.deadlineHours ?? 72) * HOUR);
  const tasks: NewDeployment['tasks'][number][] = [];
  const notDeployable: NotDeployableHost[] = [];
  const hostIds = [...new Set(req.hostIds)];
  const targets = await deployTargets(ctx.db, hostIds);
  for (const hostId of hostIds) {
    const host = targets.get(hostId);
    if (!host) throw new PatchloopError('PL_REQUEST_INVALID', `no host ${hostId}`);
    if (host.retired) throw new PatchloopError('PL_HOST_RETIRED', `host ${host.hostname} is retired`);
    const reason = notDeployableReason({
      transport: host.transport,
      packageManager: host.packageManager,
      updatesKnown: host.updatesKnown,
    });
    if (reason !== null) {
      notDeployable.push({ hostId, hostname: host.hostname, reason });
      continue;
    }
    let packages: TaskPackage[] = [...(req.packages ?? [])];
    let advisories: string[] = [];
    if (req.advisories && req.advisories.length > 0) {
      const scheme = schemeOfManager(host.packageManager);
      if (!scheme)
        throw new PatchloopError('PL_REQUEST_INVALID', `host ${host.hostname} has no inventory yet`);
      const fixes = await openFixesForAdvisories(ctx.db, hostId, req.advisories);
      const s = schemeFor(scheme);
      const best = new Map<string, string>();
      for (const r of fixes) {
        const cur = best.get(r.package);
        if (cur === undefined || s.compare(r.fixedVersion, cur) > 0) best.set(r.package, r.fixedVersion);
      }
      packages = [...packages, ...[...best].map(([name, version]) => ({ name, version }))];
      advisories = [...new Set(fixes.map((r) => r.advisoryId))].sort();
    }
    if (packages.length === 0) continue;
    tasks.push({
      id: newTaskId(),
      hostId,
      hostname: host.hostname,
      ring: 'all',
      packages,
      advisories,
      deadline,
      timeoutSeconds: opts.timeoutSeconds ?? 1800,
    });
  }
  if (tasks.length === 0) {
    const why = notDeployable.map((h) => `${h.hostname}: ${h.reason}`).join('; ');
    throw new PatchloopError(
      'PL_DEPLOYMENT_EMPTY',
      why === '' ? 'nothing to install on the hosts given' : `no host given can run a deployment (${why})`,
    );
  }
  return ctx.db.transaction(async (tx) => {
    const d = await insertDeployment(tx, {
      kind: 'install',
      parentId: null,
      policy: null,
      policyVersion: null,
      rings: [{ name: 'all', bake: null, minSuccess: 0, maxConcurrency: null, errorBudget: 1_000_000 }],
      schedule: null,
      reboot: req.reboot ?? 'if-required',
      preScript: null,
      postScript: null,
      createdBy: actor,
      now,
      notDeployable,
      tasks,
    });
    await audit(tx, actor, 'deployment.create', d, null, { manual: true, hosts: tasks.length }, now);
    return d;
  });
}

/** Reinstalls the versions a deployment replaced, on all its hosts or one. */
export async function createRollback(
  ctx: ServerContext,
  deploymentId: number,
  actor: string,
  hostId: number | null,
  opts: DeployOptions = {},
): Promise<DeploymentRecord> {
  const parent = await getDeployment(ctx.db, deploymentId);
  if (!parent) throw new PatchloopError('PL_NOT_FOUND', `no deployment ${deploymentId}`);
  if (parent.kind !== 'install')
    throw new PatchloopError('PL_CONFLICT', 'a rollback cannot be rolled back; deploy again');
  const now = ctx.now();
  const deadline = new Date(now.getTime() + (opts.deadlineHours ?? 72) * HOUR);
  const tasks: NewDeployment['tasks'][number][] = [];
  for (const t of await listTasks(ctx.db, deploymentId)) {
    if (hostId !== null && t.hostId !== hostId) continue;
    if (t.before === null || t.after === null || t.rolledBackBy !== null) continue;
    const after = new Map(t.after.map((p) => [p.name, p.version]));
    // Packages the deployment changed and that were installed before (a package it newly installed stays).
    const packages = t.before
      .filter((b) => b.version !== null && after.get(b.name) !== b.version)
      .map((b) => ({ name: b.name, version: b.version as string }));
    if (packages.length === 0) continue;
    tasks.push({
      id: newTaskId(),
      hostId: t.hostId,
      hostname: t.hostname,
      ring: 'all',
      packages,
      advisories: [],
      deadline,
      timeoutSeconds: opts.timeoutSeconds ?? 1800,
    });
  }
  if (tasks.length === 0)
    throw new PatchloopError(
      'PL_DEPLOYMENT_EMPTY',
      `deployment ${deploymentId} changed nothing that can be rolled back`,
    );
  return ctx.db.transaction(async (tx) => {
    const d = await insertDeployment(tx, {
      kind: 'rollback',
      parentId: deploymentId,
      policy: parent.policy,
      policyVersion: parent.policyVersion,
      rings: [{ name: 'all', bake: null, minSuccess: 0, maxConcurrency: null, errorBudget: 1_000_000 }],
      schedule: null,
      reboot: parent.reboot,
      preScript: null,
      postScript: null,
      createdBy: actor,
      now,
      tasks,
    });
    await audit(
      tx,
      actor,
      'deployment.rollback',
      d,
      null,
      { of: deploymentId, hostId, hosts: tasks.length },
      now,
    );
    return d;
  });
}

export async function audit(
  q: Queryable,
  actor: string,
  action: string,
  d: DeploymentRecord,
  before: unknown,
  after: unknown,
  at: Date,
): Promise<void> {
  await appendAudit(q, { actor, action, target: `deployment:${d.id}`, before, after, at });
}

/**
 * A deployment as core's tickTallied reads it: its tasks counted per ring and status in SQL,
 * and the tasks due to time out at `now` (by status, through an index): no task rows besides those.
 */
export async function talliedStateOf(
  q: Queryable,
  d: DeploymentRecord,
  now: Date,
): Promise<TalliedDeployment> {
  const tallies = new Map(
    (await ringTallies(q, d.id, d.resumedAt)).map(({ ring, ...t }) => [ring, t] as const),
  );
  const timeOut: TimeOutTask[] = [];
  for (const c of await timeOutCandidates(q, d.id, now, TASK_GRACE_SECONDS)) {
    const status = c.status as TaskStatus;
    const reason = timeOutReason({ ...c, status }, now);
    if (reason !== null) timeOut.push({ id: c.id, ring: c.ring, status, reason });
  }
  return {
    status: d.status as DeploymentStatus,
    rings: d.rings as DeployRing[],
    schedule: d.schedule as TalliedDeployment['schedule'],
    resumedAt: d.resumedAt,
    tallies,
    timeOut,
  };
}

/** What a job is made of: the task's id, packages and timing. */
export type JobTask = Pick<TaskSummary, 'id' | 'packages' | 'deadline' | 'timeoutSeconds'>;

export function jobOf(d: DeploymentRecord, t: JobTask): AgentJob {
  return {
    id: t.id,
    deploymentId: d.id,
    kind: d.kind,
    packages: t.packages.map((p) => ({
      name: p.name,
      version: p.version,
      ...(p.arch ? { arch: p.arch } : {}),
    })),
    preScript: d.preScript,
    postScript: d.postScript,
    reboot: d.reboot,
    deadline: t.deadline.toISOString(),
    timeoutSeconds: t.timeoutSeconds,
  };
}

/** The job as handed to the agent: with the signature made when it was dispatched. */
export function signedJobOf(d: DeploymentRecord, t: TaskSummary): AgentJob {
  const job = jobOf(d, t);
  return t.signature ? { ...job, signature: t.signature as NonNullable<AgentJob['signature']> } : job;
}

export type { JobReport };
