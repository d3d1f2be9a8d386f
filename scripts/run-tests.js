#!/usr/bin/env node
// Runs the whole test suite (every workspace package, in two stages: the pure
// unit tests first, then the rest) and ends with the plain line
// "N passed, N failed[, N skipped]" counting both. Fails when no test ran.
// First makes sure the native tools the tests prove us against are here
// (Debian packages; installed with apt-get when running as root).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

const SYSTEM_TOOLS = [
  { pkg: 'python3-apt', present: () => run('/usr/bin/python3', ['-c', 'import apt_pkg']) },
  { pkg: 'rpm', present: () => run('rpm', ['--version']) },
  { pkg: 'dpkg', present: () => run('dpkg', ['--version']) },
  // The store tests start a throwaway PostgreSQL cluster with these binaries.
  { pkg: 'postgresql', present: () => pgServerInstalled() },
  // The agent's SSH runner tests start a real sshd and connect with ssh.
  { pkg: 'openssh-server', present: () => existsSync('/usr/sbin/sshd') },
  { pkg: 'openssh-client', present: () => existsSync('/usr/bin/ssh') },
  // The lab (packages/agent/src/testing/lab) builds Debian roots, packages and an apt repository.
  { pkg: 'debootstrap', present: () => existsSync('/usr/sbin/debootstrap') },
  { pkg: 'dpkg-dev', present: () => existsSync('/usr/bin/dpkg-scanpackages') },
  // The console's browser tests drive Debian's Chromium through playwright-core.
  { pkg: 'chromium', present: () => existsSync('/usr/bin/chromium') },
];

function pgServerInstalled() {
  if (process.env.PATCHLOOP_PG_BIN) return existsSync(`${process.env.PATCHLOOP_PG_BIN}/initdb`);
  const base = '/usr/lib/postgresql';
  return existsSync(base) && readdirSync(base).some((v) => existsSync(`${base}/${v}/bin/initdb`));
}

function run(cmd, args) {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function ensureSystemTools() {
  const missing = SYSTEM_TOOLS.filter((t) => !t.present()).map((t) => t.pkg);
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    console.error(`The tests need these Debian packages: ${missing.join(' ')}`);
    console.error(`Install them with: sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
  console.log(`Installing Debian packages the tests need: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
}

ensureSystemTools();

/**
 * Two stages. `unit` first: the pure, in-memory tests (whole projects, and the pure parsers of
 * feeds, which picks them by PATCHLOOP_TEST_STAGE in its vitest config), about a minute, so a
 * unit failure is reported before the slow stage starts. Then `integration`: every other project
 * (the store on both backends, the server, the agent, the CLI's end-to-end tests) and the rest
 * of the split ones. The last line counts both stages.
 */
const UNIT_PROJECTS = ['core', 'contracts', 'test-support', 'web'];
const SPLIT_PROJECTS = ['feeds'];
const allProjects = readdirSync('packages').filter((p) =>
  ['vitest.config.ts', 'vitest.config.js'].some((f) => existsSync(`packages/${p}/${f}`)),
);
const STAGES = [
  { name: 'unit', projects: [...UNIT_PROJECTS, ...SPLIT_PROJECTS] },
  { name: 'integration', projects: allProjects.filter((p) => !UNIT_PROJECTS.includes(p)) },
];

const outDir = '.test-results';
mkdirSync(outDir, { recursive: true });
const extra = process.argv.slice(2);

/** Runs one stage; returns its counts (a file that failed to load counts as a failure). */
function runStage({ name, projects }) {
  const jsonFile = `${outDir}/vitest-${name}.json`;
  rmSync(jsonFile, { force: true });
  console.log(`\n== ${name} tests: ${projects.join(', ')}\n`);
  const res = spawnSync(
    process.execPath,
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      ...projects.flatMap((p) => ['--project', p]),
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${jsonFile}`,
      // A stage whose filters (extra arguments) match none of its files is not a failure.
      '--passWithNoTests',
      ...extra,
    ],
    { stdio: 'inherit', env: { ...process.env, PATCHLOOP_TEST_STAGE: name } },
  );
  const counts = { passed: 0, failed: 0, skipped: 0, ok: res.status === 0 };
  try {
    const r = JSON.parse(readFileSync(jsonFile, 'utf8'));
    counts.passed = r.numPassedTests;
    counts.failed = r.numFailedTests;
    counts.skipped = r.numPendingTests + r.numTodoTests;
    // A test file that failed to load counts as a failure even though it ran no test.
    counts.failed += r.testResults.filter(
      (f) => f.status === 'failed' && f.assertionResults.length === 0,
    ).length;
  } catch (e) {
    console.error(`could not read vitest results (${jsonFile}): ${e.message}`);
    counts.failed += 1;
  }
  console.log(`\n== ${name} tests: ${line(counts)}`);
  return counts;
}

const line = ({ passed, failed, skipped }) =>
  `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;

const results = STAGES.map(runStage);
const total = {
  passed: results.reduce((n, r) => n + r.passed, 0),
  failed: results.reduce((n, r) => n + r.failed, 0),
  skipped: results.reduce((n, r) => n + r.skipped, 0),
};
const summary = line(total);
writeFileSync(`${outDir}/summary.txt`, `${summary}\n`);
if (total.passed + total.failed === 0) console.error('No test ran: that is a failure.');
console.log(summary);
process.exit(results.every((r) => r.ok) && total.failed === 0 && total.passed > 0 ? 0 : 1);
