/**
 * Deployments on a policy's schedule: a policy with `schedule.autoDeploy`
 * gets one deployment each time its maintenance window opens (the opening
 * is claimed once across replicas), of what it approves at that moment.
 */
import { windowState, PatchloopError } from '@patchloop/core';
import { claimScheduleSlot, listPolicies } from '@patchloop/store';
import type { ServerContext } from '../context.js';
import { createFromPolicy } from './deployments.js';

export async function autoDeploy(ctx: ServerContext, worker: string): Promise<number[]> {
  const now = ctx.now();
  const created: number[] = [];
  for (const p of await listPolicies(ctx.db)) {
    const policy = p.document;
    if (!policy.schedule?.autoDeploy) continue;
    const w = windowState(policy.schedule, now);
    if (!w.open || w.start === null) continue;
    if (!(await claimScheduleSlot(ctx.db, `deploy:${p.name}`, w.start, worker, now))) continue;
    try {
      created.push((await createFromPolicy(ctx, p.name, 'system:schedule')).id);
    } catch (e) {
      // Nothing approved right now is not an error: the next opening tries again.
      if (e instanceof PatchloopError && e.code === 'PL_DEPLOYMENT_EMPTY') continue;
      throw e;
    }
  }
  if (created.length > 0) ctx.wakeJobs();
  return created;
}
