/** A deployment task's row as the store reads it: its types, columns and mapping (internal to fleet/). */
export interface TaskPackage {
  readonly name: string;
  readonly version: string;
  readonly arch?: string | undefined;
}

/** A task as lists and the orchestrator read it: everything but its log. */
export interface TaskSummary {
  readonly id: string;
  readonly deploymentId: number;
  readonly hostId: number;
  readonly hostname: string;
  readonly ring: string;
  readonly status: string;
  readonly packages: TaskPackage[];
  readonly advisories: string[];
  readonly before: { name: string; version: string | null }[] | null;
  readonly after: { name: string; version: string | null }[] | null;
  readonly reboot: Record<string, unknown> | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly deadline: Date;
  readonly timeoutSeconds: number;
  readonly queuedAt: Date;
  readonly dispatchedAt: Date | null;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly rolledBackBy: string | null;
  /** The signature made at dispatch (core's JobEnvelope); null before. */
  readonly signature: unknown;
}

/** A task with its log (up to 512 KiB: read one at a time). */
export interface TaskRecord extends TaskSummary {
  readonly log: string;
}

export type Row = Record<string, unknown>;
/** Task states in which the host's agent has a job to run or finish. */
export const HANDED_OUT = `('dispatched', 'pre-check', 'installing', 'verifying')`;
export const LOG_CAP = 512 * 1024;
export const d = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

/** Every task column but the log. */
export const TASK_COLUMNS = `t.id, t.deployment_id, t.host_id, t.hostname, t.ring, t.status, t.packages, t.advisories, t.before,
  t.after, t.reboot, t.error_code, t.error_message, t.deadline, t.timeout_seconds, t.queued_at, t.dispatched_at,
  t.started_at, t.finished_at, t.rolled_back_by, t.signature`;

export function taskSummary(r: Row): TaskSummary {
  return {
    id: r.id as string,
    deploymentId: Number(r.deployment_id),
    hostId: Number(r.host_id),
    hostname: r.hostname as string,
    ring: r.ring as string,
    status: r.status as string,
    packages: r.packages as TaskPackage[],
    advisories: (r.advisories as string[]) ?? [],
    before: (r.before as TaskRecord['before']) ?? null,
    after: (r.after as TaskRecord['after']) ?? null,
    reboot: (r.reboot as Record<string, unknown> | null) ?? null,
    errorCode: (r.error_code as string | null) ?? null,
    errorMessage: (r.error_message as string | null) ?? null,
    deadline: new Date(r.deadline as string),
    timeoutSeconds: Number(r.timeout_seconds),
    queuedAt: new Date(r.queued_at as string),
    dispatchedAt: d(r.dispatched_at),
    startedAt: d(r.started_at),
    finishedAt: d(r.finished_at),
    rolledBackBy: (r.rolled_back_by as string | null) ?? null,
    signature: r.signature ?? null,
  };
}

export const task = (r: Row): TaskRecord => ({ ...taskSummary(r), log: r.log as string });
