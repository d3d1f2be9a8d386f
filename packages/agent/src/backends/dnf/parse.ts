/**
 * Why a `dnf install` failed, from what it printed. Examples in testdata/
 * (see its README for where each comes from; no dnf host to capture on).
 */
import { tail } from '../validate.js';
import type { JobError, PackageTarget } from '../types.js';

const NO_MATCH = /^No match for argument: (\S+)/;
const UNABLE_TO_FIND = /^Error: Unable to find a match: (.+)$/;
const NO_PACKAGE = /^No package (\S+) available\.?$/;
const LOCKED = [/can't create transaction lock on /, /^Waiting for process with pid \d+ to finish/];
const SCRIPTLET = [/^Error in \S+ scriptlet in rpm package /, /scriptlet failed, exit status \d+/];

const lines = (text: string) => text.split('\n').map((l) => l.replace(/\r$/, ''));

export function classifyDnfFailure(
  code: number,
  stdout: string,
  stderr: string,
  _packages: readonly PackageTarget[],
): JobError {
  const all = [...lines(stdout), ...lines(stderr)];
  const missing = new Set<string>();
  for (const l of all) {
    const m = NO_MATCH.exec(l) ?? NO_PACKAGE.exec(l);
    if (m?.[1]) missing.add(m[1]);
    const u = UNABLE_TO_FIND.exec(l);
    if (u?.[1]) for (const spec of u[1].trim().split(/\s+/)) missing.add(spec);
  }
  if (missing.size > 0) {
    return {
      code: 'PL_JOB_VERSION_UNAVAILABLE',
      message: `not in the host's repositories: ${[...missing].join(', ')}`,
    };
  }
  const locked = all.find((l) => LOCKED.some((re) => re.test(l)));
  if (locked !== undefined) {
    return { code: 'PL_JOB_PM_LOCKED', message: `the package manager is in use: ${locked.trim()}` };
  }
  const scriptlet = all.filter((l) => SCRIPTLET.some((re) => re.test(l)));
  if (scriptlet.length > 0) {
    return { code: 'PL_JOB_INSTALL_FAILED', message: tail(scriptlet.join('\n')) };
  }
  const errors = all.filter((l) => /^(Error|error):/.test(l));
  const message = errors.length > 0 ? errors.join('\n') : tail(stderr.trim() === '' ? stdout : stderr, 1000);
  return { code: 'PL_JOB_INSTALL_FAILED', message: tail(`dnf exited ${code}: ${message}`) };
}
