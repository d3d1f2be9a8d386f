/** Starting a deployment by request: from a policy, or by hand (hosts with packages or advisories). */
import type { DeploymentCreate } from '@patchloop/contracts';
import type { DeploymentRecord } from '@patchloop/store';
import { PatchloopError } from '@patchloop/core';
import type { ServerContext } from '../context.js';
import { createFromPolicy, createManual } from './deployments.js';

export async function startDeployment(
  ctx: ServerContext,
  b: DeploymentCreate,
  actor: string,
): Promise<DeploymentRecord> {
  const opts = { deadlineHours: b.deadlineHours, timeoutSeconds: b.timeoutSeconds };
  let d: DeploymentRecord;
  if (b.policy !== undefined) {
    if (b.hosts || b.packages || b.advisories) {
      throw new PatchloopError(
        'PL_REQUEST_INVALID',
        'give either a policy, or hosts with packages or advisories',
      );
    }
    d = await createFromPolicy(ctx, b.policy, actor, opts);
  } else {
    if (!b.hosts || (!b.packages && !b.advisories)) {
      throw new PatchloopError('PL_REQUEST_INVALID', 'give a policy, or hosts with packages or advisories');
    }
    d = await createManual(
      ctx,
      { hostIds: b.hosts, packages: b.packages, advisories: b.advisories, reboot: b.reboot },
      actor,
      opts,
    );
  }
  ctx.wakeJobs();
  return d;
}
