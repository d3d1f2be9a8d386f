/**
 * The decision function that drives a ring deployment. The server calls
 * `tick(state, now)` on every scheduler pass (and after each task report),
 * applies the decision (status, time-outs, skips, dispatches) and calls it
 * again later; tick itself changes nothing. Pure: the instant is a parameter.
 * The rules are listed in docs/deployments.md, "The orchestration rules".
 */
import { PatchloopError } from '../error/codes.js';
import { isConcurrency, parseDuration } from '../policy/values.js';
import { windowState } from '../policy/window.js';
import type { WindowState } from '../policy/window.js';
import { FAILED_TASK_STATES, isFinal, isInFlight } from './model.js';
import type {
  DeployRing,
  DeployTask,
  DeploymentState,
  DeploymentStatus,
  RingProgress,
  RingStatus,
  TaskReason,
  TaskStatus,
  TickDecision,
} from './model.js';

/** Added to a task's timeoutSeconds before an in-flight task without a report is timed out. */
export const TASK_GRACE_SECONDS = 120;

/** Deployment states in which queued tasks will never run: tick skips them. */
const ENDED: readonly DeploymentStatus[] = ['completed', 'failed', 'cancelled', 'rolled-back'];

/** A task as it stands after this tick's time-outs and skips. */
interface Current {
  readonly task: DeployTask;
  readonly status: TaskStatus;
  readonly finishedAt: Date | null;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

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

function invalid(problems: string[]): never {
  throw new PatchloopError('PL_DEPLOYMENT_INVALID', `invalid deployment state: ${problems.join('; ')}`, {
    problems,
  });
}

const validDate = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());

function validate(state: DeploymentState, now: Date): void {
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

/** Time-outs first: queued past the deadline, in flight past timeout + grace. */
function timeOuts(tasks: readonly DeployTask[], now: Date): TaskReason[] {
  const t = now.getTime();
  const out: TaskReason[] = [];
  for (const task of tasks) {
    if (task.status === 'queued' && task.deadline.getTime() <= t) {
      out.push({ id: task.id, reason: 'deadline passed before it could start' });
    } else if (isInFlight(task.status) && task.dispatchedAt !== null) {
      const limit = task.dispatchedAt.getTime() + (task.timeoutSeconds + TASK_GRACE_SECONDS) * 1000;
      if (limit <= t)
        out.push({
          id: task.id,
          reason: `no report from the agent within ${task.timeoutSeconds} s + ${TASK_GRACE_SECONDS} s grace of its dispatch`,
        });
    }
  }
  return out.sort(byId);
}

function apply(
  tasks: readonly Current[],
  changes: readonly TaskReason[],
  to: TaskStatus,
  now: Date,
): Current[] {
  const ids = new Set(changes.map((c) => c.id));
  return tasks.map((c) => (ids.has(c.task.id) ? { ...c, status: to, finishedAt: now } : c));
}

/** Rounded down to 3 decimals, so a rate just under minSuccess never prints as equal to it. */
const rate3 = (r: number) => Math.floor(r * 1000 + 1e-9) / 1000;

interface Ring {
  readonly def: DeployRing;
  readonly tasks: readonly Current[];
  readonly progress: RingProgress;
  /** Why the ring failed, when it did. */
  readonly failure: string | null;
}

function ringsOf(state: DeploymentState, tasks: readonly Current[], now: Date): Ring[] {
  let reached = true;
  return state.rings.map((def) => {
    const mine = tasks.filter((c) => c.task.ring === def.name).sort((a, b) => byId(a.task, b.task));
    const count = (pred: (s: TaskStatus) => boolean) => mine.filter((c) => pred(c.status)).length;
    const total = mine.length;
    const succeeded = count((s) => s === 'succeeded');
    const failed = count((s) => FAILED_TASK_STATES.includes(s));
    const skipped = count((s) => s === 'skipped');
    const inFlight = count(isInFlight);
    const queued = count((s) => s === 'queued');
    const allFinal = mine.every((c) => isFinal(c.status));
    let status: RingStatus;
    let successRate: number | null = null;
    let finishedAt: Date | null = null;
    let bakeUntil: Date | null = null;
    let failure: string | null = null;
    if (allFinal && total > skipped) {
      successRate = succeeded / (total - skipped);
      const last = mine.reduce((m, c) => Math.max(m, c.finishedAt?.getTime() ?? -Infinity), -Infinity);
      if (last > -Infinity) finishedAt = new Date(last);
      if (finishedAt !== null && def.bake !== null)
        bakeUntil = new Date(finishedAt.getTime() + (parseDuration(def.bake) ?? 0));
    }
    if (total === skipped) status = 'skipped';
    else if (!reached) status = 'pending';
    else if (!allFinal) status = 'running';
    else if ((successRate ?? 0) + 1e-12 < def.minSuccess) {
      status = 'failed';
      failure = `ring ${def.name}: ${rate3(successRate ?? 0)} < minSuccess ${def.minSuccess} (${succeeded} of ${total - skipped} succeeded)`;
    } else if (bakeUntil !== null && bakeUntil.getTime() > now.getTime()) status = 'baking';
    else status = 'passed';
    if (status !== 'passed' && status !== 'skipped') reached = false;
    const progress: RingProgress = {
      name: def.name,
      status,
      total,
      succeeded,
      failed,
      inFlight,
      queued,
      successRate,
      finishedAt,
      bakeUntil,
    };
    return { def, tasks: mine, progress, failure };
  });
}

/** Why the ring's error budget is exceeded, or null. Failures finished by `resumedAt` no longer count. */
function budgetExceeded(ring: Ring, resumedAt: Date | null): string | null {
  const counted = ring.tasks.filter(
    (c) =>
      FAILED_TASK_STATES.includes(c.status) &&
      (resumedAt === null || c.finishedAt === null || c.finishedAt.getTime() > resumedAt.getTime()),
  ).length;
  if (counted <= ring.def.errorBudget) return null;
  return `error budget of ring ${ring.def.name} exceeded: ${counted} failed > ${ring.def.errorBudget}`;
}

function windowWaiting(w: WindowState): string {
  return w.next === null ? 'window closed; no opening found' : `window closed until ${w.next.toISOString()}`;
}

/**
 * What happens next in a deployment at `now`: the status after this tick,
 * the queued tasks to dispatch, the tasks to time out or skip, each ring's
 * progress, and why nothing (more) is dispatched. Throws PL_DEPLOYMENT_INVALID
 * when the state is inconsistent (a task naming an unknown ring, a ring with
 * an invalid bake, minSuccess, maxConcurrency or errorBudget, …).
 */
export function tick(state: DeploymentState, now: Date): TickDecision {
  validate(state, now);
  const timeOut = timeOuts(state.tasks, now);
  let tasks = apply(
    state.tasks.map((task) => ({ task, status: task.status, finishedAt: task.finishedAt })),
    timeOut,
    'timed-out',
    now,
  );
  let rings = ringsOf(state, tasks, now);
  const resumedAt = state.resumedAt ?? null;
  // A ring whose last tasks failed past its error budget does not pass (even with minSuccess met): it halts.
  const current = rings.find(
    (r) =>
      (r.progress.status !== 'passed' && r.progress.status !== 'skipped') ||
      budgetExceeded(r, resumedAt) !== null,
  );

  let status: DeploymentStatus = state.status;
  let dispatch: string[] = [];
  let waiting: string | null;
  const failedN = tasks.filter((c) => FAILED_TASK_STATES.includes(c.status)).length;
  const succeededN = tasks.filter((c) => c.status === 'succeeded').length;
  const nothingSucceeded = failedN > 0 && succeededN === 0;
  if (ENDED.includes(status)) {
    waiting =
      status === 'failed' && current !== undefined && current.failure !== null
        ? `failed: ${current.failure}`
        : status === 'failed' && current === undefined && nothingSucceeded
          ? `failed: every task failed (${failedN})`
          : `deployment ${status}`;
  } else if (status === 'halted') {
    const budget = current === undefined ? null : budgetExceeded(current, resumedAt);
    waiting = `halted${budget === null ? '' : `: ${budget}`}`;
  } else if (current === undefined) {
    // Every ring passed, but a deployment in which no host succeeded did not do its job: it failed.
    if (nothingSucceeded) {
      status = 'failed';
      waiting = `failed: every task failed (${failedN})`;
    } else {
      status = 'completed';
      waiting =
        failedN === 0
          ? 'completed: every ring passed or was skipped'
          : `completed: every ring passed or was skipped; ${failedN} of ${failedN + succeededN} tasks failed`;
    }
  } else if (current.failure !== null) {
    status = 'failed';
    waiting = `failed: ${current.failure}`;
  } else {
    const budget = budgetExceeded(current, resumedAt);
    let window: WindowState | undefined;
    const open = () => (window ??= windowState(state.schedule, now));
    if (budget !== null) {
      status = 'halted';
      waiting = `halted: ${budget}`;
    } else {
      if (status === 'planned' && open().open) status = 'running';
      const { name } = current.def;
      const queued = current.tasks.filter((c) => c.status === 'queued');
      const inFlight = current.progress.inFlight;
      if (current.progress.status === 'baking') {
        waiting = `ring ${name} baking until ${current.progress.bakeUntil?.toISOString() ?? '?'}`;
      } else if (queued.length === 0) {
        waiting = `ring ${name}: waiting for ${inFlight} task${inFlight === 1 ? '' : 's'} in flight`;
      } else if (!open().open) {
        waiting = windowWaiting(open());
      } else {
        const limit = ringConcurrency(current.def.maxConcurrency, current.progress.total);
        const room = Math.max(0, limit - inFlight);
        dispatch = queued.slice(0, room).map((c) => c.task.id);
        waiting = room > 0 ? null : `ring ${name}: ${inFlight} in flight, maxConcurrency ${limit}`;
      }
    }
  }

  let skip: TaskReason[] = [];
  if (ENDED.includes(status)) {
    skip = tasks
      .filter((c) => c.status === 'queued')
      .map((c) => ({ id: c.task.id, reason: `deployment ${status}` }))
      .sort(byId);
    if (skip.length > 0) {
      tasks = apply(tasks, skip, 'skipped', now);
      rings = ringsOf(state, tasks, now);
    }
  }
  return { status, dispatch, timeOut, skip, rings: rings.map((r) => r.progress), waiting };
}
