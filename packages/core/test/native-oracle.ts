/**
 * Test support: the native version comparators of this machine, called in
 * batches (one process for many pairs) so that differential tests are fast.
 *   dpkg: Debian's python3-apt, apt_pkg.version_compare (also spot-checked
 *         against `dpkg --compare-versions` by the debian test)
 *   rpm:  `rpm --eval` running a Lua loop over rpm.vercmp (rpm 4.18)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Pair = readonly [string, string];

const SYSTEM_PYTHON = '/usr/bin/python3';

function withPairsFile<T>(pairs: readonly Pair[], fn: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'pl-oracle-'));
  try {
    const file = join(dir, 'pairs.txt');
    for (const [a, b] of pairs) {
      if (/\s/.test(a) || /\s/.test(b)) throw new Error(`oracle pair has whitespace: ${a} ${b}`);
    }
    writeFileSync(file, pairs.map(([a, b]) => `${a} ${b}\n`).join(''));
    return fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function toOrderings(out: string, expected: number): (-1 | 0 | 1)[] {
  const lines = out.trim() === '' ? [] : out.trim().split('\n');
  if (lines.length !== expected)
    throw new Error(`oracle returned ${lines.length} results for ${expected} pairs`);
  return lines.map((l) => {
    const n = Number(l);
    if (!Number.isFinite(n)) throw new Error(`oracle printed ${JSON.stringify(l)}`);
    return n < 0 ? -1 : n > 0 ? 1 : 0;
  });
}

export function dpkgOracleAvailable(): boolean {
  try {
    execFileSync(SYSTEM_PYTHON, ['-c', 'import apt_pkg'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function aptCompare(pairs: readonly Pair[]): (-1 | 0 | 1)[] {
  const script = [
    'import sys, apt_pkg',
    'apt_pkg.init_system()',
    'out = []',
    'for line in open(sys.argv[1]):',
    '    a, b = line.split()',
    '    out.append(str(apt_pkg.version_compare(a, b)))',
    'sys.stdout.write("\\n".join(out) + "\\n")',
  ].join('\n');
  return withPairsFile(pairs, (file) =>
    toOrderings(
      execFileSync(SYSTEM_PYTHON, ['-c', script, file], { encoding: 'utf8', maxBuffer: 64 << 20 }),
      pairs.length,
    ),
  );
}

/** One `dpkg --compare-versions` call per pair: slow, used on small samples. */
export function dpkgCompare(a: string, b: string): -1 | 0 | 1 {
  const run = (op: string): boolean => {
    try {
      execFileSync('dpkg', ['--compare-versions', a, op, b], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (run('lt')) return -1;
  return run('eq') ? 0 : 1;
}

export function rpmOracleAvailable(): boolean {
  return existsSync('/usr/bin/rpm');
}

export function rpmCompare(pairs: readonly Pair[]): (-1 | 0 | 1)[] {
  return withPairsFile(pairs, (file) => {
    const lua =
      `%{lua: for line in io.lines("${file}") do ` +
      `local a, b = line:match("^(%S+) (%S+)$") ` +
      `print(rpm.vercmp(a, b) .. "\\n") end}`;
    const out = execFileSync('rpm', ['--eval', lua], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return toOrderings(out, pairs.length);
  });
}
