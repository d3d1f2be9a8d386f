/**
 * Steering a deployment by hand: halt (nothing new is dispatched), resume,
 * cancel (its queued tasks are skipped). Each allowed only from the statuses
 * STEERING names; audited in the transaction that makes the change.
 */
import { getDeployment, skipQueuedTasks, updateDeployment } from '@patchloop/store';
import { PatchloopError } from '@patchloop/core';
import type { ServerContext } from '../context.js';
import { audit } from './deployments.js';

export type SteerAction = 'halt' | 'resume' | 'cancel';

/** From which statuses each action is allowed, and the status it leads to. */
export const STEERING: Record<SteerAction, { from: readonly string[]; to: string }> = {
  halt: { from: ['planned', 'running'], to: 'halted' },
  resume: { from: ['halted'], to: 'running' },
  cancel: { from: ['planned', 'running', 'halted'], to: 'cancelled' },
};

export async function steerDeployment(
  ctx: ServerContext,
  s: { id: number; action: SteerAction; actor: string },
): Promise<void> {
  const { action, actor } = s;
  const { from, to } = STEERING[action];
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const d = await getDeployment(tx, s.id, true);
    if (!d) throw new PatchloopError('PL_NOT_FOUND', `no deployment ${s.id}`);
    if (!from.includes(d.status))
      throw new PatchloopError('PL_CONFLICT', `deployment ${d.id} is ${d.status}: it cannot be ${action}ed`);
    await updateDeployment(tx, d.id, {
      status: to,
      waiting: action === 'halt' ? `halted by ${actor}` : action === 'cancel' ? 'cancelled' : null,
      ...(to === 'cancelled' ? { finishedAt: now } : {}),
      ...(action === 'resume' ? { resumedAt: now } : {}),
      now,
    });
    if (to === 'cancelled') {
      await skipQueuedTasks(tx, d.id, `deployment cancelled by ${actor}`, now);
    }
    await audit(tx, actor, `deployment.${action}`, d, { status: d.status }, { status: to }, now);
  });
  ctx.wakeJobs();
}
