/**
 * One collection of a host: its facts (OS, hostname, architecture, kernel,
 * reboot state), its installed packages and the updates its package manager
 * offers, through a {@link HostRunner} (this machine, a root on it, or SSH).
 *
 * The package manager is the one whose database exists under the root (dpkg
 * status, then apk's installed database, then an rpm database). No os-release
 * or no database at all is an error (PL_AGENT_OS_RELEASE_MISSING,
 * PL_AGENT_PACKAGE_DB_MISSING), as is a database that does not parse. What is
 * optional — a missing tool, a command that fails or times out, an unreadable
 * optional file — becomes a warning and a null or empty fact, never an error.
 */
import { isPatchloopError } from '@patchloop/core';
import type { PackageManager } from '@patchloop/core';
import type { HostFacts, WirePackage } from '@patchloop/contracts';
import type { HostRunner } from '../runner/runner.js';
import { collectApkUpdates } from './apk/collect.js';
import { collectAptUpdates } from './dpkg/collect.js';
import { collectKernel } from './kernel/collect.js';
import { collectArch, collectHostname, collectMachineId, collectOsRelease } from './os/collect.js';
import { collectReboot } from './reboot/collect.js';
import { collectDnfUpdates } from './rpm/collect.js';
import { readInstalled, type InstalledDatabase } from './database.js';
import { toWirePackage } from './wire-package.js';
import type { CollectedUpdate } from './wire-package.js';

export interface CollectOptions {
  /** Ask the package manager for updates (default true). */
  updates?: boolean;
  /** The hostname reported when the host names none (default "localhost"). */
  fallbackHostname?: string;
}

export interface HostCollection {
  machineId: string | null;
  facts: HostFacts;
  manager: PackageManager;
  packages: WirePackage[];
  updates: CollectedUpdate[] | null;
  warnings: string[];
}

/** Errors that cost an optional fact, not the collection. */
const OPTIONAL_FAILURES = new Set(['PL_AGENT_COMMAND_FAILED', 'PL_AGENT_FILE_UNREADABLE']);

async function optional<T>(
  warnings: string[],
  what: string,
  fallback: T,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (!isPatchloopError(e) || !OPTIONAL_FAILURES.has(e.code)) throw e;
    warnings.push(`${what}: ${e.message}`);
    return fallback;
  }
}

async function collectUpdates(
  runner: HostRunner,
  db: InstalledDatabase,
  warnings: string[],
): Promise<CollectedUpdate[] | null> {
  if (db.manager === 'dpkg') return collectAptUpdates(runner, warnings);
  if (db.manager === 'apk') return collectApkUpdates(runner, db.packages, warnings);
  return collectDnfUpdates(runner, db.packages, warnings);
}

export async function collectHost(runner: HostRunner, opts: CollectOptions = {}): Promise<HostCollection> {
  const warnings: string[] = [];
  const os = await collectOsRelease(runner);
  const db = await readInstalled(runner);
  const hostname =
    (await optional(warnings, 'hostname', null, () => collectHostname(runner, warnings))) ??
    opts.fallbackHostname ??
    'localhost';
  const machineId = await optional(warnings, 'machine id', null, () => collectMachineId(runner, warnings));
  const arch = await optional(warnings, 'architecture', null, () =>
    collectArch(runner, db.manager, db.packages, warnings),
  );
  const kernel = await optional(
    warnings,
    'kernel',
    { running: null, newestInstalled: null, rebootNeeded: false },
    () => collectKernel(runner, db.manager, db.packages, warnings),
  );
  const reboot = await optional(
    warnings,
    'reboot state',
    { required: kernel.rebootNeeded, reasons: kernel.rebootNeeded ? ['kernel'] : [], packages: [] },
    () => collectReboot(runner, db.manager, kernel.rebootNeeded, warnings),
  );
  const updates =
    opts.updates === false
      ? null
      : await optional(warnings, 'updates', null, () => collectUpdates(runner, db, warnings));
  return {
    machineId,
    facts: {
      hostname,
      os,
      arch,
      kernel: { running: kernel.running, newestInstalled: kernel.newestInstalled },
      reboot,
    },
    manager: db.manager,
    packages: db.packages.map(toWirePackage),
    updates,
    warnings,
  };
}
