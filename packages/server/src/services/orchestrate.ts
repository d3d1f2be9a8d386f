/**
 * The orchestrator: on every worker tick each active deployment (locked for
 * this replica with SKIP LOCKED) goes through core/deploy's `tick`, and its
 * decisions are applied: tasks dispatched to agents, timed out, skipped; the
 * deployment's status and what it waits for. Agents' reports move tasks.
 */
import type { JobReport, JobReportResponse } from '@patchloop/contracts';
import {
  isFinal,
  notDeployableReason,
  schemeFor,
  schemeOfManager,
  tickTallied,
  PatchloopError,
} from '@patchloop/core';
import {
  claimActiveDeployments,
  finishTasks,
  markDispatched,
  nextJobSequences,
  queueAssessHost,
  queuedForDispatch,
  getDeployment,
  getHost,
  getTask,
  skipQueuedTasks,
  updateDeployment,
  updateTask,
  type DeploymentRecord,
  type DispatchCandidate,
  type Queryable,
  succeededTaskIds,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';
import type { SigningKey } from '../signing/keys.js';
import { audit, talliedStateOf } from './deployments.js';
import { activeSigningKey, dispatchEnvelope } from './job-signing.js';

/** Why a task's host cannot run it now (it may have changed since the plan), or its machine id. */
function hostNotDeployable(host: DispatchCandidate['host']): { reason: string } | { machineId: string } {
  if (host === null) return { reason: 'the host no longer exists' };
  const reason = notDeployableReason({
    transport: host.transport as 'agent' | 'ssh' | 'import',
    packageManager: host.packageManager,
    updatesKnown: host.updatesKnown,
  });
  if (reason !== null) return { reason };
  // Signed jobs name the machine they are for: a host without a machine id has no agent.
  return host.machineId === null
    ? { reason: 'the host has no agent (no machine id)' }
    : { machineId: host.machineId };
}

/**
 * Hands `count` queued tasks of `ring` to their agents: read in one query with their hosts,
 * signed with each host's next sequence number, marked dispatched in one statement; tasks
 * whose host cannot run them are skipped. Returns the hosts that have a job now.
 */
async function dispatch(
  ctx: ServerContext,
  tx: Queryable,
  key: () => Promise<SigningKey>,
  d: DeploymentRecord,
  pick: { ring: string; count: number },
  now: Date,
): Promise<{ hostIds: number[]; skipped: number }> {
  const stamp = now.toISOString();
  const ready: { c: DispatchCandidate; machineId: string }[] = [];
  const refused: { id: string; status: string; logLine: string }[] = [];
  for (const c of await queuedForDispatch(tx, d.id, pick.ring, pick.count, now)) {
    const host = hostNotDeployable(c.host);
    if ('machineId' in host) ready.push({ c, machineId: host.machineId });
    else
      refused.push({
        id: c.id,
        status: 'skipped',
        logLine: `${stamp} skipped: not deployable: ${host.reason}\n`,
      });
  }
  if (ready.length > 0) {
    // Signed as it leaves: the agent runs nothing this server's key did not sign.
    const k = await key();
    const seqs = await nextJobSequences(
      tx,
      ready.map((r) => r.c.hostId),
    );
    const signed = ready.map(({ c, machineId }) => {
      const seq = seqs.get(c.hostId);
      if (seq === undefined) throw new Error(`host ${c.hostId} does not exist`);
      return { id: c.id, signature: dispatchEnvelope(ctx, k, d, c, machineId, seq, now) };
    });
    await markDispatched(tx, signed, now);
  }
  await finishTasks(tx, refused, now);
  return { hostIds: ready.map((r) => r.c.hostId), skipped: refused.length };
}

export async function orchestrate(ctx: ServerContext): Promise<number> {
  const now = ctx.now();
  const stamp = now.toISOString();
  const dispatchedTo = new Set<number>();
  const changes = await ctx.db.transaction(async (tx) => {
    let changed = 0;
    let signingKey: SigningKey | undefined;
    const key = async () => (signingKey ??= await activeSigningKey(ctx, tx));
    for (const d of await claimActiveDeployments(tx)) {
      // Counts per ring and status, and the tasks due to time out: never the deployment's task rows.
      const decision = tickTallied(await talliedStateOf(tx, d, now), now);
      await finishTasks(
        tx,
        decision.timeOut.map((t) => ({
          id: t.id,
          status: 'timed-out',
          logLine: `${stamp} timed out: ${t.reason}\n`,
          errorCode: 'PL_JOB_TIMEOUT',
          errorMessage: t.reason,
        })),
        now,
      );
      let handedOut = 0;
      if (decision.dispatch !== null) {
        const sent = await dispatch(ctx, tx, key, d, decision.dispatch, now);
        for (const h of sent.hostIds) dispatchedTo.add(h);
        handedOut = sent.hostIds.length + sent.skipped;
      }
      const skipped =
        decision.skipQueued === null ? 0 : await skipQueuedTasks(tx, d.id, decision.skipQueued, now);
      const ended =
        ['completed', 'failed', 'cancelled'].includes(decision.status) && decision.status !== d.status;
      if (decision.status !== d.status || decision.waiting !== d.waiting || handedOut > 0) {
        await updateDeployment(tx, d.id, {
          status: decision.status,
          waiting: decision.waiting,
          ...(decision.status === 'running' ? { startedAt: now } : {}),
          ...(ended ? { finishedAt: now } : {}),
          now,
        });
      }
      if (decision.status !== d.status) {
        await audit(
          tx,
          'system',
          `deployment.${decision.status}`,
          d,
          { status: d.status },
          { status: decision.status, reason: decision.waiting },
          now,
        );
        changed++;
        // A finished rollback marks what it undid.
        if (d.kind === 'rollback' && d.parentId !== null && decision.status === 'completed') {
          await updateDeployment(tx, d.parentId, { status: 'rolled-back', now });
          const parent = await getDeployment(tx, d.parentId);
          if (parent)
            await audit(
              tx,
              'system',
              'deployment.rolled-back',
              parent,
              { status: parent.status },
              { status: 'rolled-back', by: d.id },
              now,
            );
        }
      }
      changed += handedOut + decision.timeOut.length + skipped;
    }
    return changed;
  });
  // Committed: the agents' parked polls pick their jobs up now.
  ctx.agentJobs.wake(dispatchedTo);
  return changes;
}

const ORDER = ['queued', 'dispatched', 'pre-check', 'installing', 'verifying'];

/** An agent's report on one of its jobs. */
export async function reportJob(
  ctx: ServerContext,
  hostId: number,
  taskId: string,
  r: JobReport,
): Promise<JobReportResponse> {
  const now = ctx.now();
  const out = await ctx.db.transaction(async (tx) => {
    const t = await getTask(tx, taskId, true);
    if (!t || t.hostId !== hostId) throw new PatchloopError('PL_NOT_FOUND', `no job ${taskId} for this host`);
    const host = await getHost(tx, hostId);
    if (!host || host.machineId !== r.machineId) {
      throw new PatchloopError(
        'PL_AGENT_HOST_MISMATCH',
        `machine ${r.machineId} is not the host of job ${taskId}`,
      );
    }
    const d = await getDeployment(tx, t.deploymentId);
    if (!d) throw new PatchloopError('PL_NOT_FOUND', `no deployment for job ${taskId}`);
    const cancel = d.status === 'halted' || d.status === 'cancelled';
    // A final task never changes again (a duplicated or late report is acknowledged, not applied).
    if (isFinal(t.status as never)) return { status: t.status, cancel };
    const recovered = r.recovered
      ? `${now.toISOString()} reported from the agent's journal after a restart: the job was interrupted and is not run again; versions read afresh\n`
      : '';
    const log = `${r.log === '' ? '' : r.log.endsWith('\n') ? r.log : `${r.log}\n`}${recovered}`;
    let status: string = r.state;
    let errorCode = r.error?.code ?? null;
    let errorMessage = r.error?.message ?? null;
    if (r.state === 'succeeded') {
      // The server checks too: every target version must be what is installed now.
      const scheme = schemeFor(schemeOfManager(host.packageManager) ?? 'debian');
      const after = new Map((r.after ?? []).map((p) => [p.name, p.version]));
      const missing = t.packages.filter((p) => {
        const v = after.get(p.name);
        return v === undefined || v === null || scheme.compare(v, p.version) !== 0;
      });
      if (missing.length > 0) {
        status = 'failed';
        errorCode = 'PL_JOB_VERIFY_FAILED';
        errorMessage = `not installed afterwards: ${missing.map((p) => `${p.name}=${p.version} (have ${after.get(p.name) ?? 'none'})`).join(', ')}`;
      }
    } else if (
      !['failed', 'timed-out'].includes(r.state) &&
      ORDER.indexOf(r.state) < ORDER.indexOf(t.status)
    ) {
      // Steps only move forward.
      status = t.status;
    }
    const final = ['succeeded', 'failed', 'timed-out'].includes(status);
    await updateTask(tx, t.id, {
      status,
      appendLog: `${log}${final ? `${now.toISOString()} ${status}${errorCode ? ` (${errorCode}: ${errorMessage})` : ''}\n` : ''}`,
      ...(r.before ? { before: r.before } : {}),
      ...(r.after ? { after: r.after } : {}),
      ...(r.reboot ? { reboot: r.reboot } : {}),
      ...(errorCode !== null ? { errorCode, errorMessage } : {}),
      ...(status === 'pre-check' || status === 'installing' ? { startedAt: now } : {}),
      ...(final ? { finishedAt: now } : {}),
    });
    if (final) {
      await audit(
        tx,
        `agent:${hostId}`,
        `task.${status}`,
        d,
        { task: t.id, status: t.status },
        { task: t.id, status, before: r.before ?? null, after: r.after ?? null, error: errorCode },
        now,
      );
      // A finished rollback task marks the task it undid.
      if (d.kind === 'rollback' && status === 'succeeded' && d.parentId !== null) {
        for (const id of await succeededTaskIds(tx, d.parentId, hostId))
          await updateTask(tx, id, { status: 'rolled-back', rolledBackBy: t.id });
      }
      // Re-assess from the inventory the agent sends next; queue it now in case the inventory did not change.
      await queueAssessHost(tx, hostId, now);
    }
    return { status, cancel };
  });
  ctx.wakeJobs();
  return out;
}
