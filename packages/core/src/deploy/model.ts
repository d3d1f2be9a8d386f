/**
 * Deployments: a policy's updates rolled out ring by ring, one task per host.
 * The server keeps the state; `tick` (tick.ts) decides, from the state and
 * the instant, what happens next. These are the types both sides share.
 */
import type { Schedule } from '../policy/model.js';

export const DEPLOYMENT_STATUSES = [
  'planned',
  'running',
  'halted',
  'completed',
  'failed',
  'cancelled',
  'rolled-back',
] as const;
/** `planned → running → (halted | completed | failed | cancelled) → rolled-back`; `halted → running` on resume. */
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const TASK_STATUSES = [
  'queued',
  'dispatched',
  'pre-check',
  'installing',
  'verifying',
  'succeeded',
  'failed',
  'rolled-back',
  'timed-out',
  'skipped',
] as const;
/** `queued → dispatched → pre-check → installing → verifying → succeeded | failed | rolled-back | timed-out | skipped`. */
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A task in one of these states never changes again. */
export const FINAL_TASK_STATES: readonly TaskStatus[] = [
  'succeeded',
  'failed',
  'rolled-back',
  'timed-out',
  'skipped',
];
/** Handed to an agent and not reported finished: these count against maxConcurrency. */
export const IN_FLIGHT_TASK_STATES: readonly TaskStatus[] = [
  'dispatched',
  'pre-check',
  'installing',
  'verifying',
];
/** Final states that count as a failure (error budget, success rate). */
export const FAILED_TASK_STATES: readonly TaskStatus[] = ['failed', 'rolled-back', 'timed-out'];

export function isFinal(s: TaskStatus): boolean {
  return FINAL_TASK_STATES.includes(s);
}

export function isInFlight(s: TaskStatus): boolean {
  return IN_FLIGHT_TASK_STATES.includes(s);
}

/** A ring as the deployment runs it (a policy Ring without its selector: hosts are already assigned). */
export interface DeployRing {
  readonly name: string;
  /** How long the finished ring is watched before the next starts ("24h"); null = not at all. */
  readonly bake: string | null;
  /** Share (0–1) of the ring's tasks (skipped ones left out) that must succeed. */
  readonly minSuccess: number;
  /** At most this many tasks in flight: a count, or "20%" of the ring's tasks (rounded up); null = no limit. */
  readonly maxConcurrency: number | string | null;
  /** Failed or timed-out tasks tolerated in the ring; one more halts the deployment. */
  readonly errorBudget: number;
}

export interface DeployTask {
  readonly id: string;
  readonly hostId: number;
  /** The name of one of the deployment's rings. */
  readonly ring: string;
  readonly status: TaskStatus;
  /** When the task was handed to an agent; set for every in-flight task. */
  readonly dispatchedAt: Date | null;
  /** When the task reached a final state. */
  readonly finishedAt: Date | null;
  /** A queued task not started by then is timed out and never runs. */
  readonly deadline: Date;
  /** How long the agent may take once dispatched (a 120 s grace is added before it is timed out). */
  readonly timeoutSeconds: number;
}

export interface DeploymentState {
  readonly status: DeploymentStatus;
  /** In rollout order; names are unique. */
  readonly rings: readonly DeployRing[];
  readonly tasks: readonly DeployTask[];
  /** null: deploy at any time. */
  readonly schedule: Schedule | null;
  /**
   * When an operator last resumed the deployment after a halt: failures that
   * finished at or before it no longer count against the error budget (they
   * still count in the success rate). Without it a resumed deployment would
   * halt again on the same failures.
   */
  readonly resumedAt?: Date | null;
}

export type RingStatus = 'pending' | 'running' | 'baking' | 'passed' | 'failed' | 'skipped';

export interface RingProgress {
  readonly name: string;
  readonly status: RingStatus;
  readonly total: number;
  readonly succeeded: number;
  /** failed + rolled-back + timed-out. */
  readonly failed: number;
  readonly inFlight: number;
  readonly queued: number;
  /** succeeded / (total − skipped) once every task is final; null before, or when all are skipped. */
  readonly successRate: number | null;
  /** The last finishedAt of the ring's tasks once every task is final. */
  readonly finishedAt: Date | null;
  /** finishedAt + bake; null without a bake or before the ring is finished. */
  readonly bakeUntil: Date | null;
}

export interface TaskReason {
  readonly id: string;
  readonly reason: string;
}

export interface TickDecision {
  /** The deployment's status after this tick. */
  readonly status: DeploymentStatus;
  /** Queued task ids to hand to agents now, in dispatch order. */
  readonly dispatch: readonly string[];
  /** Tasks to mark timed-out now. */
  readonly timeOut: readonly TaskReason[];
  /** Queued tasks that will never run (the deployment ended); a halted deployment leaves them queued. */
  readonly skip: readonly TaskReason[];
  /** Every ring, in order, as it stands after this tick's time-outs and skips. */
  readonly rings: readonly RingProgress[];
  /** Why nothing (more) is dispatched, for the UI; null when tasks are dispatched. */
  readonly waiting: string | null;
}
