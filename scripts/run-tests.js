#!/usr/bin/env node
// Runs the whole test suite (every workspace package, one vitest run) and ends
// with the plain line "N passed, N failed[, N skipped]". Fails when no test
// ran. First makes sure the native tools the tests prove us against are here
// (Debian packages; installed with apt-get when running as root).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';

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

const outDir = '.test-results';
mkdirSync(outDir, { recursive: true });
const jsonFile = `${outDir}/vitest.json`;
const extra = process.argv.slice(2);
const res = spawnSync(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${jsonFile}`,
    ...extra,
  ],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const r = JSON.parse(readFileSync(jsonFile, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  skipped = r.numPendingTests + r.numTodoTests;
  // A test file that failed to load counts as a failure even though it ran no test.
  const brokenFiles = r.testResults.filter(
    (f) => f.status === 'failed' && f.assertionResults.length === 0,
  ).length;
  failed += brokenFiles;
} catch (e) {
  console.error(`could not read vitest results (${jsonFile}): ${e.message}`);
  failed += 1;
}
const summary = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
writeFileSync(`${outDir}/summary.txt`, `${summary}\n`);
if (passed + failed === 0) console.error('No test ran: that is a failure.');
console.log(summary);
process.exit(res.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
