/**
 * Whether a deployment can run on a host at all: a job needs an agent that
 * polls for it and a package manager it can run. Pure; the reason speaks to
 * the operator. A host that is not deployable is listed, never planned or
 * dispatched.
 */
export interface DeployTarget {
  readonly transport: 'agent' | 'ssh' | 'import';
  /** The package database found on the host (dpkg, rpm, apk), null when none. */
  readonly packageManager: string | null;
  /** Whether the last check-in could ask the package manager for updates. */
  readonly updatesKnown: boolean;
}

/** Null when the host can be deployed to, else why not. */
export function notDeployableReason(h: DeployTarget): string | null {
  if (h.transport === 'import')
    return 'imported from an inventory file: no agent runs on it to install updates';
  if (h.packageManager === null)
    return 'no package database (dpkg, rpm or apk) on the host: nothing to install with';
  if (!h.updatesKnown) {
    return `its package manager (${h.packageManager}) could not be run at the last check-in (no apt-get, dnf or apk in the managed root, or it failed): the agent cannot install there`;
  }
  return null;
}
