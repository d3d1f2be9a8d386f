/**
 * The rules `tick` checks a deployment's state against before deciding: its
 * validation (PL_DEPLOYMENT_INVALID), ring concurrency, and when a task times
 * out. Pure, like tick.
 */
import { PatchloopError } from '../error/codes.js';
import { isConcurrency, parseDuration } from '../policy/values.js';
import { isInFlight } from './model.js';
import type { DeployTask, DeploymentState, DeploymentStatus } from './model.js';

/** Added to a task's timeoutSeconds before an in-flight task without a report is timed out. */
export const TASK_GRACE_SECONDS = 120;

/** Deployment states in which queued tasks will never run: tick skips them. */
export const ENDED: readonly DeploymentStatus[] = ['completed', 'failed', 'cancelled', 'rolled-back'];

export const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * How many tasks of a ring of `size` may be in flight at once: a count, or a
 * percentage of the ring rounded up (at least 1); Infinity without a limit.
 * (core/policy's concurrencyLimit rounds a percentage down, for display of a
 * plan; a deployment rounds up so "20%" of 6 hosts runs 2 at a time.)
 */
export function ringConcurrency(max: number | string | null, size: number): number {
  if (max === null) return Infinity;
  if (typeof max === 'number') return max;
  const pct = Number(/^(\d{1,3})%$/.exec(max)?.[1] ?? 100);
  return Math.max(1, Math.ceil((size * pct) / 100));
}

export function invalid(problems: string[]): never {
  throw new PatchloopError('PL_DEPLOYMENT_INVALID', `invalid deployment state: ${problems.join('; ')}`, {
    problems,
  });
}

const validDate = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());

export function validate(state: DeploymentState, now: Date): void {
  const problems: string[] = [];
  if (!validDate(now)) problems.push('now is not a valid date');
  const names = new Set<string>();
  state.rings.forEach((ring, i) => {
    const at = `rings[${i}]`;
    if (ring.name === '') problems.push(`${at}.name is empty`);
    if (names.has(ring.name)) problems.push(`${at}.name ${JSON.stringify(ring.name)} is used twice`);
    names.add(ring.name);
    if (ring.bake !== null && parseDuration(ring.bake) === null)
      problems.push(`${at}.bake ${JSON.stringify(ring.bake)} is not a duration`);
    if (!Number.isFinite(ring.minSuccess) || ring.minSuccess < 0 || ring.minSuccess > 1)
      problems.push(`${at}.minSuccess ${ring.minSuccess} is not between 0 and 1`);
    if (ring.maxConcurrency !== null && !isConcurrency(ring.maxConcurrency))
      problems.push(`${at}.maxConcurrency ${JSON.stringify(ring.maxConcurrency)} is not a count or "N%"`);
    if (!Number.isInteger(ring.errorBudget) || ring.errorBudget < 0)
      problems.push(`${at}.errorBudget ${ring.errorBudget} is not a whole number ≥ 0`);
  });
  const ids = new Set<string>();
  for (const task of state.tasks) {
    const at = `task ${JSON.stringify(task.id)}`;
    if (ids.has(task.id)) problems.push(`${at} is listed twice`);
    ids.add(task.id);
    if (!names.has(task.ring))
      problems.push(`${at} names ring ${JSON.stringify(task.ring)}, not in the deployment`);
    if (!validDate(task.deadline)) problems.push(`${at} has no valid deadline`);
    if (!Number.isFinite(task.timeoutSeconds) || task.timeoutSeconds < 0)
      problems.push(`${at} has an invalid timeoutSeconds ${task.timeoutSeconds}`);
    if (isInFlight(task.status) && !validDate(task.dispatchedAt))
      problems.push(`${at} is ${task.status} without a dispatchedAt`);
  }
  if (problems.length > 0) invalid(problems);
}

/** Why a task is timed out at `now`, or null: queued past its deadline, in flight past timeout + grace. */
export function timeOutReason(
  task: Pick<DeployTask, 'status' | 'deadline' | 'dispatchedAt' | 'timeoutSeconds'>,
  now: Date,
): string | null {
  const t = now.getTime();
  if (task.status === 'queued' && task.deadline.getTime() <= t)
    return 'deadline passed before it could start';
  if (isInFlight(task.status) && task.dispatchedAt !== null) {
    const limit = task.dispatchedAt.getTime() + (task.timeoutSeconds + TASK_GRACE_SECONDS) * 1000;
    if (limit <= t)
      return `no report from the agent within ${task.timeoutSeconds} s + ${TASK_GRACE_SECONDS} s grace of its dispatch`;
  }
  return null;
}
