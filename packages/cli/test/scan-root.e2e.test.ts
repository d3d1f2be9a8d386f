/**
 * `patchloop scan --root` on real image roots: an RPM image built here with
 * rpmbuild and rpm (the `rpm` Debian package; CI installs it), matched against
 * the AlmaLinux 9 OSV fixtures, and roots whose links or special files try to
 * lead the scan outside the root.
 *
 * The two packages are empty noarch builds named after real AlmaLinux 9
 * packages, so the errata apply to them:
 * - zlib 1.2.11-1.el9 < 1.2.11-32.el9_0 (ALSA-2022:7314, CVE-2022-37434);
 * - openssl 1:3.0.7-27.el9, Epoch 1 as in AlmaLinux: below 1:3.0.7-28.el9_4
 *   and later fixes, not below 1:3.0.1-41.el9_0 … 1:3.0.7-27.el9. Were the
 *   epoch lost, 3.0.7-27.el9 would sort below every one of those.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '@patchloop/test-support';
import { patchloop, type Run } from './run.js';

let dir: string;
let dataDir: string;
let rpms: string[];

const ALMALINUX_9 =
  'NAME="AlmaLinux"\nID=almalinux\nVERSION_ID="9.4"\nPRETTY_NAME="AlmaLinux 9.4 (Seafoam Ocelot)"\n';

function spec(name: string, epoch: number | null, version: string, release: string): string {
  return [
    `Name: ${name}`,
    ...(epoch === null ? [] : [`Epoch: ${epoch}`]),
    `Version: ${version}`,
    `Release: ${release}`,
    'Summary: an empty package for the patchloop tests',
    'License: MIT',
    'BuildArch: noarch',
    '%description',
    'An empty package for the patchloop tests.',
    '%files',
    '',
  ].join('\n');
}

/** Runs a command without a shell; its output is returned, its stderr (rpm's notices) dropped. */
function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${String((e as { stderr?: unknown }).stderr ?? e)}`, {
      cause: e,
    });
  }
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function link(root: string, path: string, target: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  symlinkSync(target, join(root, path));
}

/** A new image root with the two packages installed (database only) at `dbpath` inside it. */
function rpmRoot(name: string, dbpath: string): string {
  const root = join(dir, name);
  mkdirSync(join(root, dbpath), { recursive: true });
  run('rpm', ['--root', root, '--dbpath', dbpath, '--initdb']);
  run('rpm', ['--root', root, '--dbpath', dbpath, '-i', '--nodeps', '--justdb', '--noscripts', ...rpms]);
  return root;
}

interface JsonReport {
  host: { os: { id: string; versionId: string }; matchedAs: { ecosystem: string; releases: string[] } };
  summary: { packages: number; findings: number };
  findings: {
    package: string;
    installedVersion: string;
    fixedVersion: string | null;
    advisory: { id: string };
  }[];
}

function scan(root: string): Run {
  return patchloop(['scan', '--root', root, '--data-dir', dataDir, '--format', 'json']);
}

function scanJson(root: string): JsonReport {
  const r = scan(root);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as JsonReport;
}

function expectRefused(r: Run, message: string | RegExp): void {
  expect(r.stdout).toBe('');
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^error PL_SCAN_INPUT_INVALID: /);
  if (typeof message === 'string') expect(r.stderr).toContain(message);
  else expect(r.stderr).toMatch(message);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pl-scan-root-'));
  dataDir = join(dir, 'data');
  const top = join(dir, 'rpmbuild');
  for (const [name, epoch, version, release] of [
    ['zlib', null, '1.2.11', '1.el9'],
    ['openssl', 1, '3.0.7', '27.el9'],
  ] as const) {
    const file = join(dir, `${name}.spec`);
    writeFileSync(file, spec(name, epoch, version, release));
    run('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, file]);
  }
  const out = join(top, 'RPMS', 'noarch');
  rpms = readdirSync(out).map((f) => join(out, f));
  expect(rpms).toHaveLength(2);
  const r = patchloop([
    'feeds',
    'import',
    'osv',
    fixturePath('osv-almalinux', 'almalinux9'),
    '--data-dir',
    dataDir,
  ]);
  expect(r.status, r.stderr).toBe(0);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('patchloop scan --root: an RPM image', () => {
  it('reads the rpm database inside the root (not the host rpm default), epochs kept', () => {
    const root = rpmRoot('alma9', '/var/lib/rpm');
    write(root, 'etc/os-release', ALMALINUX_9);
    const r = scanJson(root);
    expect(r.host.os).toMatchObject({ id: 'almalinux', versionId: '9.4' });
    expect(r.host.matchedAs).toEqual({ ecosystem: 'AlmaLinux', releases: ['9'] });
    expect(r.summary.packages).toBe(2);

    expect(r.findings.filter((f) => f.package === 'zlib')).toEqual([
      expect.objectContaining({
        installedVersion: '1.2.11-1.el9',
        fixedVersion: '1.2.11-32.el9_0',
        advisory: expect.objectContaining({ id: 'ALSA-2022:7314' }),
      }),
    ]);

    const openssl = r.findings.filter((f) => f.package === 'openssl');
    expect(openssl.length).toBeGreaterThan(0);
    expect(new Set(openssl.map((f) => f.installedVersion))).toEqual(new Set(['1:3.0.7-27.el9']));
    const fixed = openssl.map((f) => f.fixedVersion);
    expect(fixed).toContain('1:3.0.7-28.el9_4');
    for (const notAbove of ['1:3.0.1-41.el9_0', '1:3.0.7-6.el9_2', '1:3.0.7-25.el9_3', '1:3.0.7-27.el9']) {
      expect(fixed).not.toContain(notAbove);
    }
  });

  it('follows absolute links inside the root: os-release and the database directory', () => {
    // etc/os-release -> /usr/lib/os-release and usr/lib/sysimage/rpm -> /var/lib/rpm: on the
    // host these would be Debian's os-release and the host's (empty) /var/lib/rpm.
    const root = rpmRoot('alma9-links', '/var/lib/rpm');
    write(root, 'usr/lib/os-release', ALMALINUX_9);
    link(root, 'etc/os-release', '/usr/lib/os-release');
    link(root, 'usr/lib/sysimage/rpm', '/var/lib/rpm');
    const r = scanJson(root);
    expect(r.host.os).toMatchObject({ id: 'almalinux', versionId: '9.4' });
    expect(r.summary.packages).toBe(2);
    expect(r.findings.some((f) => f.advisory.id === 'ALSA-2022:7314')).toBe(true);
  });

  it('reads the newer /usr/lib/sysimage/rpm location first', () => {
    const root = rpmRoot('alma9-sysimage', '/usr/lib/sysimage/rpm');
    link(root, 'var/lib/rpm', '../../usr/lib/sysimage/rpm');
    write(root, 'etc/os-release', ALMALINUX_9);
    expect(scanJson(root).summary.packages).toBe(2);
  });
});

describe('patchloop scan --root: what may not leave the root', () => {
  it('refuses a FIFO as the dpkg database without hanging', () => {
    const root = join(dir, 'fifo');
    write(root, 'etc/os-release', 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
    mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
    run('mkfifo', [join(root, 'var/lib/dpkg/status')]);
    const started = Date.now();
    expectRefused(
      scan(root),
      `cannot read var/lib/dpkg/status under ${root}: it is a FIFO (named pipe), not a regular file`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses an os-release link loop', () => {
    const root = join(dir, 'loop');
    link(root, 'etc/os-release', '/etc/os-release');
    write(root, 'var/lib/dpkg/status', '');
    expectRefused(scan(root), `cannot read etc/os-release under ${root}: more than 40 symbolic links`);
  });

  it('a dpkg database that links to /dev/zero is looked for inside the root', () => {
    const root = join(dir, 'devzero');
    link(root, 'var/lib/dpkg/status', '/dev/zero');
    expectRefused(scan(root), `no dpkg, rpm or apk package database under ${root}`);
  });

  it('refuses a link in the rpm database directory, and a directory with no database', () => {
    const root = rpmRoot('rpm-link', '/var/lib/rpm');
    rmSync(join(root, 'var/lib/rpm/rpmdb.sqlite'));
    link(root, 'var/lib/rpm/rpmdb.sqlite', '/etc/shadow');
    write(root, 'etc/shadow', '');
    expectRefused(
      scan(root),
      `cannot read the rpm database under ${root}: /var/lib/rpm/rpmdb.sqlite is a symbolic link, not a regular file`,
    );
    const empty = join(dir, 'rpm-empty');
    mkdirSync(join(empty, 'var/lib/rpm'), { recursive: true });
    expectRefused(
      scan(empty),
      `cannot read the rpm database under ${empty}: /var/lib/rpm holds no rpm database (rpmdb.sqlite, Packages.db, Packages)`,
    );
    expect(readdirSync(join(empty, 'var/lib/rpm'))).toEqual([]); // rpm was not run: it would have created one
  });
});
