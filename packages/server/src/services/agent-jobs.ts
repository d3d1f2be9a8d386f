/**
 * The agent's job long poll, apart from HTTP: the jobs due to a host now, or
 * parked until one is dispatched to it (ctx.agentJobs), the time is up, or
 * the caller gives up (`gone`: the agent hung up, the server shuts down).
 */
import type { AgentJob } from '@patchloop/contracts';
import { getDeployment, getHost, pendingTasksForHost } from '@patchloop/store';
import type { Static } from 'typebox';
import { PatchloopError } from '@patchloop/core';
import type { ServerContext } from '../context.js';
import { signedJobOf } from './deployments.js';
import { hostRetired } from './host-lifecycle.js';

type Job = Static<typeof AgentJob>;

/** The signed jobs due to a host, in signing order (the agent refuses a sequence number below one it accepted). */
async function jobsNow(ctx: ServerContext, hostId: number): Promise<Job[]> {
  const now = ctx.now();
  const jobs: Job[] = [];
  for (const t of await pendingTasksForHost(ctx.db, hostId)) {
    const d = await getDeployment(ctx.db, t.deploymentId);
    // Never hand out a job past its deadline (the orchestrator times it out).
    if (d && t.deadline.getTime() > now.getTime()) jobs.push(signedJobOf(d, t));
  }
  return jobs.sort((a, b) => (a.signature?.seq ?? 0) - (b.signature?.seq ?? 0));
}

export async function pollJobs(
  ctx: ServerContext,
  p: { hostId: number; machineId: string; waitSeconds: number; gone: AbortSignal },
): Promise<{ jobs: Job[] }> {
  const host = await getHost(ctx.db, p.hostId);
  if (host?.retired) throw hostRetired(host);
  if (host?.machineId !== p.machineId) {
    throw new PatchloopError(
      'PL_AGENT_HOST_MISMATCH',
      `machine ${p.machineId} is not this credential's host`,
    );
  }
  const until = Date.now() + p.waitSeconds * 1000;
  let jobs = await jobsNow(ctx, p.hostId);
  while (jobs.length === 0) {
    const outcome = await ctx.agentJobs.wait(p.hostId, until - Date.now(), p.gone);
    if (outcome !== 'woken') break;
    jobs = await jobsNow(ctx, p.hostId);
  }
  return { jobs };
}
