/**
 * Rolling a deployment back: per host, the packages to reinstall at the
 * versions they had before the deployment's task changed them. Pure: the
 * server builds the input from the task reports (each package's version
 * before and after) and hands the plan to the agents as rollback jobs.
 */
import type { TaskStatus } from './model.js';

export interface PackageChange {
  readonly package: string;
  /** The installed version before the task; null when the package was not installed. */
  readonly before: string | null;
  /** The installed version after the task; null when removed or not known (a task that never reported). */
  readonly after: string | null;
}

export interface RollbackTask {
  readonly id: string;
  readonly hostId: number;
  readonly status: TaskStatus;
  /** The packages the task meant to change, with what its report says about them. */
  readonly packages: readonly PackageChange[];
}

export interface Reinstall {
  readonly package: string;
  /** The version to reinstall (the version before the deployment). */
  readonly version: string;
  /** The version the deployment left, when known. */
  readonly from: string | null;
}

export interface LeftInPlace {
  readonly package: string;
  readonly version: string | null;
  readonly reason: string;
}

export interface HostRollback {
  readonly hostId: number;
  /** The tasks whose changes this host's rollback undoes. */
  readonly taskIds: readonly string[];
  /** Sorted by package name. */
  readonly reinstall: readonly Reinstall[];
  readonly leftInPlace: readonly LeftInPlace[];
}

export interface RollbackPlan {
  /** Hosts with something to reinstall or report, by host id. */
  readonly hosts: readonly HostRollback[];
  /** Tasks with nothing to undo, and why. */
  readonly skipped: readonly { readonly id: string; readonly hostId: number; readonly reason: string }[];
}

/** Task states in which nothing was installed yet. */
const NOTHING_INSTALLED: readonly TaskStatus[] = ['queued', 'dispatched', 'pre-check', 'skipped'];

export const NOT_INSTALLED_BEFORE = 'cannot remove a package that was not installed before; left in place';

/**
 * Which packages to reinstall, per host, to undo a deployment. A task that
 * never reached installing (queued, dispatched, pre-check, skipped), that the
 * agent already rolled back, or whose report changed no package is skipped.
 * Otherwise every package whose `after` differs from `before` (an unknown
 * `after` counts as changed) is reinstalled at `before`; a package that was
 * not installed before is not removed but listed in `leftInPlace`. When
 * several tasks changed the same package on a host, the first task (in the
 * order given: oldest first) supplies the version to return to and the last
 * the version found there.
 */
export function rollbackPlan(tasks: readonly RollbackTask[]): RollbackPlan {
  const skipped: { id: string; hostId: number; reason: string }[] = [];
  const hosts = new Map<
    number,
    { taskIds: string[]; reinstall: Map<string, Reinstall>; left: Map<string, LeftInPlace> }
  >();
  for (const task of tasks) {
    const skip = (reason: string) => skipped.push({ id: task.id, hostId: task.hostId, reason });
    if (NOTHING_INSTALLED.includes(task.status)) {
      skip(`${task.status}: never installed anything`);
      continue;
    }
    if (task.status === 'rolled-back') {
      skip('already rolled back by the agent');
      continue;
    }
    const changed = task.packages.filter((p) => p.after !== p.before);
    if (changed.length === 0) {
      skip('changed no package');
      continue;
    }
    let host = hosts.get(task.hostId);
    if (host === undefined) {
      host = { taskIds: [], reinstall: new Map(), left: new Map() };
      hosts.set(task.hostId, host);
    }
    host.taskIds.push(task.id);
    for (const p of changed) {
      // A later task on the same host changed it again: return to the first before, from the last after.
      const earlier = host.reinstall.get(p.package);
      const leftEarlier = host.left.get(p.package);
      if (earlier !== undefined) host.reinstall.set(p.package, { ...earlier, from: p.after });
      else if (leftEarlier !== undefined) host.left.set(p.package, { ...leftEarlier, version: p.after });
      else if (p.before === null) {
        host.left.set(p.package, { package: p.package, version: p.after, reason: NOT_INSTALLED_BEFORE });
      } else {
        host.reinstall.set(p.package, { package: p.package, version: p.before, from: p.after });
      }
    }
  }
  const byName = (a: { package: string }, b: { package: string }) =>
    a.package < b.package ? -1 : a.package > b.package ? 1 : 0;
  const plan = [...hosts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([hostId, h]) => ({
      hostId,
      taskIds: h.taskIds,
      reinstall: [...h.reinstall.values()].sort(byName),
      leftInPlace: [...h.left.values()].sort(byName),
    }));
  return { hosts: plan, skipped };
}
