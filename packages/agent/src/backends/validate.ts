/**
 * Package names, versions and architectures are checked against the job
 * protocol's patterns before they reach a command line: they start with a
 * letter or digit (never an option) and hold no space, quote or shell
 * character. They are passed as separate argument-vector entries anyway.
 */
import { JobPackage } from '@patchloop/contracts';
import { PatchloopError } from '@patchloop/core';
import type { PackageTarget } from './types.js';

/** The contract's own patterns (JSON Schema), so the two never drift apart. */
const patternOf = (schema: unknown, fallback: string): RegExp =>
  new RegExp((schema as { pattern?: string }).pattern ?? fallback);
const NAME = patternOf(JobPackage.properties.name, '^[A-Za-z0-9][A-Za-z0-9+._:~-]*$');
const VERSION = patternOf(JobPackage.properties.version, '^[A-Za-z0-9][A-Za-z0-9+._:~^-]*$');
const ARCH = /^[A-Za-z0-9][A-Za-z0-9_]{0,63}$/;

/** Why a package does not fit the patterns, or null when it does. */
export function packageProblem(p: PackageTarget): string | null {
  return typeof p.name !== 'string' || p.name.length > 256 || !NAME.test(p.name)
    ? `package name ${JSON.stringify(p.name)}`
    : typeof p.version !== 'string' || p.version.length > 256 || !VERSION.test(p.version)
      ? `version ${JSON.stringify(p.version)} of ${p.name}`
      : p.arch !== undefined && (typeof p.arch !== 'string' || !ARCH.test(p.arch))
        ? `architecture ${JSON.stringify(p.arch)} of ${p.name}`
        : null;
}

/** Throws PL_JOB_INVALID naming the first package that does not fit. */
export function checkPackages(packages: readonly PackageTarget[]): void {
  if (packages.length === 0) throw new PatchloopError('PL_JOB_INVALID', 'the job names no package');
  for (const p of packages) {
    const bad = packageProblem(p);
    if (bad !== null) throw new PatchloopError('PL_JOB_INVALID', `invalid ${bad}`, { package: p.name });
  }
}

/**
 * The packages that fit and the ones that do not (with why): one hostile
 * name must not cost a host the job's legitimate updates, so the job runs
 * on the others and reports the refused ones.
 */
export function splitPackages<P extends PackageTarget>(
  packages: readonly P[],
): { valid: P[]; refused: { name: string; why: string }[] } {
  const valid: P[] = [];
  const refused: { name: string; why: string }[] = [];
  for (const p of packages) {
    const bad = packageProblem(p);
    if (bad === null) valid.push(p);
    else refused.push({ name: String(p.name).slice(0, 80), why: `invalid ${bad}`.slice(0, 300) });
  }
  return { valid, refused };
}

/** The last `max` characters of `text`, marked when cut (error messages are capped at 4,096). */
export function tail(text: string, max = 2000): string {
  const t = text.trim();
  return t.length <= max ? t : `…${t.slice(t.length - max + 1)}`;
}
