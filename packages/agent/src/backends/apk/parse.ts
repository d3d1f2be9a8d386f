/**
 * Why an `apk add` failed, from what it printed. Examples in testdata/ (see
 * its README for where each comes from; no Alpine host to capture on).
 */
import { tail } from '../validate.js';
import type { JobError, PackageTarget } from '../types.js';

/** `world[name=version]` or `world[name]` in the solver's report. */
const WORLD = /world\[([^\]=<>~]+)(?:[=<>~]+([^\]]+))?\]/g;
const NO_SUCH = /^\s+(\S+) \(no such package\):/;
const LOCKED = /^ERROR: Unable to lock database: (.+)$/;
const SCRIPT = /^ERROR: (\S+): script exited with error \d+/;

const lines = (text: string) => text.split('\n').map((l) => l.replace(/\r$/, ''));

export function classifyApkFailure(
  code: number,
  stdout: string,
  stderr: string,
  packages: readonly PackageTarget[],
): JobError {
  const all = [...lines(stderr), ...lines(stdout)];
  const start = all.findIndex((l) => /^ERROR: unable to select packages:/.test(l));
  if (start >= 0) {
    const block = all.slice(start + 1).filter((l) => /^\s/.test(l));
    const missing = new Set<string>();
    for (const l of block) {
      const n = NO_SUCH.exec(l);
      if (n?.[1]) {
        const p = packages.find((x) => x.name === n[1]);
        missing.add(
          p === undefined ? `${n[1]} (no such package)` : `${p.name}=${p.version} (no such package)`,
        );
      }
      if (/^\s+breaks: /.test(l)) {
        for (const m of l.matchAll(WORLD)) if (m[2] !== undefined) missing.add(`${m[1]}=${m[2]}`);
      }
    }
    if (missing.size > 0) {
      return {
        code: 'PL_JOB_VERSION_UNAVAILABLE',
        message: `not in the host's repositories: ${[...missing].join(', ')}`,
      };
    }
    return {
      code: 'PL_JOB_INSTALL_FAILED',
      message: tail(['unable to select packages', ...block].join('\n')),
    };
  }
  const locked = all.map((l) => LOCKED.exec(l)).find((m) => m !== null);
  if (locked) return { code: 'PL_JOB_PM_LOCKED', message: `apk cannot lock its database: ${locked[1]}` };
  const scripts = all.filter((l) => SCRIPT.test(l));
  if (scripts.length > 0) {
    return {
      code: 'PL_JOB_INSTALL_FAILED',
      message: tail(scripts.map((l) => l.replace(/^ERROR: /, '')).join('\n')),
    };
  }
  const errors = all.filter((l) => /^ERROR: /.test(l));
  const message = errors.length > 0 ? errors.join('\n') : tail(stderr.trim() === '' ? stdout : stderr, 1000);
  return { code: 'PL_JOB_INSTALL_FAILED', message: tail(`apk exited ${code}: ${message}`) };
}
