/**
 * The decision function that drives a ring deployment. The server calls
 * `tick(state, now)` on every scheduler pass (and after each task report),
 * applies the decision (status, time-outs, skips, dispatches) and calls it
 * again later; tick itself changes nothing. Pure: the instant is a parameter.
 * The rules are listed in docs/deployments.md, "The orchestration rules".
 */
import { parseDuration } from '../policy/values.js';
import { windowState } from '../policy/window.js';
import type { WindowState } from '../policy/window.js';
import { FAILED_TASK_STATES, isInFlight } from './model.js';
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
import { byId, ENDED, invalid, ringConcurrency, timeOutReason, validate } from './tick-rules.js';

export { TASK_GRACE_SECONDS, ringConcurrency, timeOutReason } from './tick-rules.js';

/** Rounded down to 3 decimals, so a rate just under minSuccess never prints as equal to it. */
const rate3 = (r: number) => Math.floor(r * 1000 + 1e-9) / 1000;

/**
 * A ring's tasks counted by status: all `tick` needs of them besides the
 * queued ids it dispatches. The server counts them in SQL, so a tick over a
 * deployment of 10,000 hosts reads no task rows.
 */
export interface RingTally {
  readonly total: number;
  readonly succeeded: number;
  /** failed + rolled-back + timed-out. */
  readonly failed: number;
  readonly skipped: number;
  readonly inFlight: number;
  readonly queued: number;
  /** The last finishedAt of the ring's tasks (null: none has one). */
  readonly lastFinishedAt: Date | null;
  /** Failed tasks that count against the error budget: finished after `resumedAt` (or with no finishedAt). */
  readonly budgetFailed: number;
}

/** A task `tick` times out now, with its ring and its status before. */
export interface TimeOutTask extends TaskReason {
  readonly ring: string;
  readonly status: TaskStatus;
}

/** A deployment as counted: its rings' tallies and the tasks due to time out at `now`. */
export interface TalliedDeployment extends Omit<DeploymentState, 'tasks'> {
  /** Per ring name; a ring without tasks may be missing. */
  readonly tallies: ReadonlyMap<string, RingTally>;
  /** The tasks timed out at `now` (timeOutReason), in any order. */
  readonly timeOut: readonly TimeOutTask[];
}

/** What `tickTallied` decides: as TickDecision, with how many of a ring's queued tasks to dispatch instead of ids. */
export interface TalliedDecision extends Omit<TickDecision, 'dispatch' | 'skip'> {
  /** Dispatch the first `count` queued tasks (by id) of `ring` that are not timed out; null: none. */
  readonly dispatch: { readonly ring: string; readonly count: number } | null;
  /** Skip every queued task not timed out, with this reason; null: none. */
  readonly skipQueued: string | null;
}

const ZERO: RingTally = {
  total: 0,
  succeeded: 0,
  failed: 0,
  skipped: 0,
  inFlight: 0,
  queued: 0,
  lastFinishedAt: null,
  budgetFailed: 0,
};

const later = (a: Date | null, b: Date) => (a === null || a.getTime() < b.getTime() ? b : a);

/** Counts tasks into their rings' tallies. */
export function tallyTasks(
  tasks: readonly DeployTask[],
  resumedAt: Date | null = null,
): Map<string, RingTally> {
  const out = new Map<string, RingTally>();
  for (const t of tasks) {
    const c = out.get(t.ring) ?? ZERO;
    const failed = FAILED_TASK_STATES.includes(t.status);
    out.set(t.ring, {
      total: c.total + 1,
      succeeded: c.succeeded + (t.status === 'succeeded' ? 1 : 0),
      failed: c.failed + (failed ? 1 : 0),
      skipped: c.skipped + (t.status === 'skipped' ? 1 : 0),
      inFlight: c.inFlight + (isInFlight(t.status) ? 1 : 0),
      queued: c.queued + (t.status === 'queued' ? 1 : 0),
      lastFinishedAt: t.finishedAt === null ? c.lastFinishedAt : later(c.lastFinishedAt, t.finishedAt),
      budgetFailed:
        c.budgetFailed +
        (failed &&
        (resumedAt === null || t.finishedAt === null || t.finishedAt.getTime() > resumedAt.getTime())
          ? 1
          : 0),
    });
  }
  return out;
}

/** The tallies after time-outs: each timed-out task failed, finished now. */
function applyTimeOuts(
  tallies: ReadonlyMap<string, RingTally>,
  timeOut: readonly TimeOutTask[],
  resumedAt: Date | null,
  now: Date,
): Map<string, RingTally> {
  const out = new Map(tallies);
  const counts = resumedAt === null || now.getTime() > resumedAt.getTime() ? 1 : 0;
  for (const t of timeOut) {
    const c = out.get(t.ring) ?? ZERO;
    out.set(t.ring, {
      ...c,
      queued: c.queued - (t.status === 'queued' ? 1 : 0),
      inFlight: c.inFlight - (isInFlight(t.status) ? 1 : 0),
      failed: c.failed + 1,
      budgetFailed: c.budgetFailed + counts,
      lastFinishedAt: later(c.lastFinishedAt, now),
    });
  }
  return out;
}

/** The tallies after every queued task is skipped now. */
function skipAll(tallies: ReadonlyMap<string, RingTally>, now: Date): Map<string, RingTally> {
  const out = new Map<string, RingTally>();
  for (const [ring, c] of tallies) {
    out.set(
      ring,
      c.queued === 0
        ? c
        : { ...c, skipped: c.skipped + c.queued, queued: 0, lastFinishedAt: later(c.lastFinishedAt, now) },
    );
  }
  return out;
}

interface Ring {
  readonly def: DeployRing;
  readonly tally: RingTally;
  readonly progress: RingProgress;
  /** Why the ring failed, when it did. */
  readonly failure: string | null;
}

function ringsOf(rings: readonly DeployRing[], tallies: ReadonlyMap<string, RingTally>, now: Date): Ring[] {
  let reached = true;
  return rings.map((def) => {
    const tally = tallies.get(def.name) ?? ZERO;
    const { total, succeeded, failed, skipped, inFlight, queued } = tally;
    const allFinal = inFlight === 0 && queued === 0;
    let status: RingStatus;
    let successRate: number | null = null;
    let finishedAt: Date | null = null;
    let bakeUntil: Date | null = null;
    let failure: string | null = null;
    if (allFinal && total > skipped) {
      successRate = succeeded / (total - skipped);
      finishedAt = tally.lastFinishedAt;
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
    return { def, tally, progress, failure };
  });
}

/** Why the ring's error budget is exceeded, or null. Failures finished by `resumedAt` no longer count. */
function budgetExceeded(ring: Ring): string | null {
  const counted = ring.tally.budgetFailed;
  if (counted <= ring.def.errorBudget) return null;
  return `error budget of ring ${ring.def.name} exceeded: ${counted} failed > ${ring.def.errorBudget}`;
}

function windowWaiting(w: WindowState): string {
  return w.next === null ? 'window closed; no opening found' : `window closed until ${w.next.toISOString()}`;
}

function validateTallied(state: TalliedDeployment, now: Date): void {
  validate({ ...state, tasks: [] }, now);
  const names = new Set(state.rings.map((r) => r.name));
  const problems = [...state.tallies.keys(), ...state.timeOut.map((t) => t.ring)]
    .filter((ring) => !names.has(ring))
    .map((ring) => `tasks name ring ${JSON.stringify(ring)}, not in the deployment`);
  if (problems.length > 0) invalid([...new Set(problems)]);
}

/**
 * `tick` over counts: the same decision from the rings' tallies and the tasks
 * timed out now, naming how many queued tasks of which ring to dispatch
 * rather than which. Throws PL_DEPLOYMENT_INVALID as `tick` does.
 */
export function tickTallied(state: TalliedDeployment, now: Date): TalliedDecision {
  validateTallied(state, now);
  const resumedAt = state.resumedAt ?? null;
  let tallies = applyTimeOuts(state.tallies, state.timeOut, resumedAt, now);
  let rings = ringsOf(state.rings, tallies, now);
  // A ring whose last tasks failed past its error budget does not pass (even with minSuccess met): it halts.
  const current = rings.find(
    (r) => (r.progress.status !== 'passed' && r.progress.status !== 'skipped') || budgetExceeded(r) !== null,
  );

  let status: DeploymentStatus = state.status;
  let dispatch: TalliedDecision['dispatch'] = null;
  let waiting: string | null;
  const sum = (f: (c: RingTally) => number) => [...tallies.values()].reduce((n, c) => n + f(c), 0);
  const failedN = sum((c) => c.failed);
  const succeededN = sum((c) => c.succeeded);
  const nothingSucceeded = failedN > 0 && succeededN === 0;
  if (ENDED.includes(status)) {
    waiting =
      status === 'failed' && current !== undefined && current.failure !== null
        ? `failed: ${current.failure}`
        : status === 'failed' && current === undefined && nothingSucceeded
          ? `failed: every task failed (${failedN})`
          : `deployment ${status}`;
  } else if (status === 'halted') {
    const budget = current === undefined ? null : budgetExceeded(current);
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
    const budget = budgetExceeded(current);
    let window: WindowState | undefined;
    const open = () => (window ??= windowState(state.schedule, now));
    if (budget !== null) {
      status = 'halted';
      waiting = `halted: ${budget}`;
    } else {
      if (status === 'planned' && open().open) status = 'running';
      const { name } = current.def;
      const { queued, inFlight } = current.progress;
      if (current.progress.status === 'baking') {
        waiting = `ring ${name} baking until ${current.progress.bakeUntil?.toISOString() ?? '?'}`;
      } else if (queued === 0) {
        waiting = `ring ${name}: waiting for ${inFlight} task${inFlight === 1 ? '' : 's'} in flight`;
      } else if (!open().open) {
        waiting = windowWaiting(open());
      } else {
        const limit = ringConcurrency(current.def.maxConcurrency, current.progress.total);
        const room = Math.max(0, limit - inFlight);
        const count = Math.min(room, queued);
        dispatch = count > 0 ? { ring: name, count } : null;
        waiting = room > 0 ? null : `ring ${name}: ${inFlight} in flight, maxConcurrency ${limit}`;
      }
    }
  }

  let skipQueued: string | null = null;
  if (ENDED.includes(status) && sum((c) => c.queued) > 0) {
    skipQueued = `deployment ${status}`;
    tallies = skipAll(tallies, now);
    rings = ringsOf(state.rings, tallies, now);
  }
  const timeOut = state.timeOut.map((t) => ({ id: t.id, reason: t.reason })).sort(byId);
  return { status, dispatch, timeOut, skipQueued, rings: rings.map((r) => r.progress), waiting };
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
  const timeOut: TimeOutTask[] = [];
  for (const t of state.tasks) {
    const reason = timeOutReason(t, now);
    if (reason !== null) timeOut.push({ id: t.id, ring: t.ring, status: t.status, reason });
  }
  const d = tickTallied(
    { ...state, tallies: tallyTasks(state.tasks, state.resumedAt ?? null), timeOut },
    now,
  );
  const timedOut = new Set(timeOut.map((t) => t.id));
  const queued = state.tasks.filter((t) => t.status === 'queued' && !timedOut.has(t.id)).sort(byId);
  const { dispatch: pick, skipQueued, ...rest } = d;
  const dispatch =
    pick === null
      ? []
      : queued
          .filter((t) => t.ring === pick.ring)
          .slice(0, pick.count)
          .map((t) => t.id);
  const skip = skipQueued === null ? [] : queued.map((t) => ({ id: t.id, reason: skipQueued }));
  return { ...rest, dispatch, skip };
}
