import type { PackageManager } from '@patchloop/core';
import { apkBackend } from './apk/index.js';
import { aptBackend } from './apt/index.js';
import { dnfBackend } from './dnf/index.js';
import type { Backend } from './types.js';

export { apkBackend, aptBackend, dnfBackend };
export { installWith, isTimeout } from './install.js';
export { checkPackages } from './validate.js';
export type {
  Backend,
  BackendCommand,
  InstallOptions,
  InstallResult,
  JobError,
  PackageTarget,
} from './types.js';

/** The backend that installs into a package database: dpkg → apt, rpm → dnf, apk → apk. */
export function backendFor(manager: PackageManager): Backend {
  return manager === 'dpkg' ? aptBackend : manager === 'rpm' ? dnfBackend : apkBackend;
}
