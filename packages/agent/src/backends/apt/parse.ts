/**
 * Why an `apt-get install` failed, from what it printed (LC_ALL=C). apt
 * prints "E:" lines even when it succeeds ("E: Can not write log (Is
 * /dev/pts mounted?)" in a chroot), so this is only asked about a non-zero
 * exit. Examples captured in testdata/ (see its README).
 */
import { tail } from '../validate.js';
import type { JobError, PackageTarget } from '../types.js';

const VERSION_NOT_FOUND = /^E: Version '([^']*)' for '([^']*)' was not found$/;
const UNABLE_TO_LOCATE = /^E: Unable to locate package (\S+)$/;
const NO_CANDIDATE = /^E: Package '([^']*)' has no installation candidate$/;
const LOCKED = [
  /^E: Could not get lock /,
  /^E: Unable to acquire the dpkg frontend lock/,
  /^E: Unable to lock the administration directory/,
  /^E: Unable to lock directory /,
];
/** Lines that are noise, not the reason (printed on success too). */
const NOISE = [/^E: Can not write log \(Is \/dev\/pts mounted\?\)/];

const lines = (text: string) => text.split('\n').map((l) => l.replace(/\r$/, ''));

/** The package a `name` or `name:arch` in apt's message is, with the version the job asked for. */
function wanted(packages: readonly PackageTarget[], name: string): string {
  const bare = name.replace(/:[^:]*$/, '');
  const p = packages.find((x) => x.name === name || x.name === bare);
  return p === undefined ? name : `${p.name}=${p.version}`;
}

export function classifyAptFailure(
  code: number,
  stdout: string,
  stderr: string,
  packages: readonly PackageTarget[],
): JobError {
  const err = lines(stderr);
  const unavailable: string[] = [];
  for (const l of err) {
    const v = VERSION_NOT_FOUND.exec(l);
    if (v) unavailable.push(`version ${v[1]} of ${v[2]} is not in the host's repositories`);
    const u = UNABLE_TO_LOCATE.exec(l);
    if (u) unavailable.push(`package ${wanted(packages, u[1] ?? '')}: no repository of the host has ${u[1]}`);
    const n = NO_CANDIDATE.exec(l);
    if (n) unavailable.push(`package ${wanted(packages, n[1] ?? '')}: no installable version of ${n[1]}`);
  }
  if (unavailable.length > 0) return { code: 'PL_JOB_VERSION_UNAVAILABLE', message: unavailable.join('; ') };
  const locked = err.find((l) => LOCKED.some((re) => re.test(l)));
  if (locked !== undefined) {
    return {
      code: 'PL_JOB_PM_LOCKED',
      message: `the package manager is in use by another process: ${locked.replace(/^E: /, '')}`,
    };
  }
  // dpkg's own report of a failed maintainer script or unpack, with the "Errors were encountered" list.
  const dpkgStart = err.findIndex((l) => /^dpkg: error processing /.test(l) || /^dpkg: error:/.test(l));
  if (dpkgStart >= 0) {
    const block = err
      .slice(dpkgStart)
      .filter((l) => l.trim() !== '' && !NOISE.some((re) => re.test(l)))
      .join('\n');
    return { code: 'PL_JOB_INSTALL_FAILED', message: tail(block) };
  }
  const errors = err.filter((l) => /^E: /.test(l) && !NOISE.some((re) => re.test(l)));
  const message =
    errors.length > 0
      ? errors.map((l) => l.replace(/^E: /, '').trim()).join('; ')
      : tail(stderr.trim() === '' ? stdout : stderr, 1000) || `apt-get exited ${code}`;
  return { code: 'PL_JOB_INSTALL_FAILED', message: tail(`apt-get exited ${code}: ${message}`) };
}
