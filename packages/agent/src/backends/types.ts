/**
 * A package manager backend: pure command builders and pure output parsers.
 * Running them goes through a HostRunner (install.ts), so the same backend
 * serves this machine, a root on it (`chroot ROOT …`) and a host over SSH.
 */
import type { PackageManager } from '@patchloop/core';

/** A failure with a stable code (docs/ERRORS.md) and a sentence for the deployment's log. */
export interface JobError {
  readonly code: string;
  readonly message: string;
}

/** One package at one exact version (the job's `packages`). */
export interface PackageTarget {
  readonly name: string;
  readonly version: string;
  readonly arch?: string | undefined;
}

/** A command as an argument vector: never a shell line. */
export interface BackendCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export interface InstallOptions {
  /** Rollback: versions lower than the installed ones are allowed. */
  readonly allowDowngrades: boolean;
  /** The whole install (metadata refresh included) is killed after this long. */
  readonly timeoutMs: number;
  /** Refresh the package lists first (default true). */
  readonly refresh?: boolean;
}

export interface InstallResult {
  /** Null when the package manager exited 0. */
  readonly error: JobError | null;
  /** What was run and what it printed (for the task's log). */
  readonly log: string;
}

export interface Backend {
  /** The package database this backend installs into. */
  readonly manager: PackageManager;
  /** Refreshes the repositories' metadata quietly; never upgrades anything. */
  refreshCommand(): BackendCommand;
  /** Installs exactly `packages` (validated first: throws PL_JOB_INVALID). */
  installCommand(
    packages: readonly PackageTarget[],
    opts: Pick<InstallOptions, 'allowDowngrades'>,
  ): BackendCommand;
  /** Why an install that exited `code` failed, from what it printed. */
  classifyFailure(code: number, stdout: string, stderr: string, packages: readonly PackageTarget[]): JobError;
}
