/**
 * Test support: filesystem roots built in a temporary directory from the
 * shared fixture inventories (../shared/fixtures, or PATCHLOOP_FIXTURES) and
 * from the captured files beside each collector, and rpm databases built with
 * this machine's rpm and rpmbuild.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturesDir } from '@patchloop/test-support';

const here = dirname(fileURLToPath(import.meta.url));

export function rawInventory(name: string): string {
  return readFileSync(join(fixturesDir(), 'inventories', 'raw', name), 'utf8');
}

/** A captured file beside a collector: testdata('os', 'os-release.debian12'). */
export function testdata(collector: string, name: string): string {
  return readFileSync(join(here, '..', collector, 'testdata', name), 'utf8');
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `patchloop-agent-${prefix}-`));
}

/** Writes `files` (path inside the root → content) under a new temporary root. */
export function makeRoot(prefix: string, files: Record<string, string>): string {
  const root = tempDir(prefix);
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

export const DEBIAN_STATUS = 'debian12-bookworm-host.dpkg-status';
export const ALPINE_INSTALLED = 'alpine-3.18-osv-scalibr-installed.apkdb';

export function debianRoot(): string {
  return makeRoot('debian', {
    'etc/os-release': testdata('os', 'os-release.debian12'),
    'etc/hostname': 'bookworm-host\n',
    'etc/machine-id': '0123456789abcdef0123456789abcdef\n',
    'var/lib/dpkg/status': rawInventory(DEBIAN_STATUS),
  });
}

export function alpineRoot(): string {
  return makeRoot('alpine', {
    'etc/os-release': testdata('os', 'os-release.alpine318'),
    'etc/hostname': 'alpine-318\n',
    'etc/apk/arch': 'x86_64\n',
    'lib/apk/db/installed': rawInventory(ALPINE_INSTALLED),
  });
}

export interface RpmSpec {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  arch: string;
}

/** Builds empty rpm packages with rpmbuild and records them in a new rpm database at ROOT/var/lib/rpm. */
export function installRpms(root: string, specs: readonly RpmSpec[]): void {
  const top = tempDir('rpmbuild');
  const rpms: string[] = [];
  for (const s of specs) {
    const spec = join(top, `${s.name}.spec`);
    writeFileSync(
      spec,
      [
        `Name: ${s.name}`,
        `Version: ${s.version}`,
        `Release: ${s.release}`,
        ...(s.epoch !== undefined ? [`Epoch: ${s.epoch}`] : []),
        'Summary: test package',
        'License: MIT',
        'Vendor: Patchloop Test',
        `BuildArch: ${s.arch}`,
        '%description',
        'test package',
        '%files',
        '',
      ].join('\n'),
    );
    execFileSync(
      'rpmbuild',
      ['--quiet', '--define', `_topdir ${top}`, '--define', '_build_id_links none', '-bb', spec],
      { stdio: 'pipe' },
    );
    rpms.push(join(top, 'RPMS', s.arch, `${s.name}-${s.version}-${s.release}.${s.arch}.rpm`));
  }
  const db = ['--root', root, '--dbpath', '/var/lib/rpm'];
  execFileSync('rpm', [...db, '--initdb'], { stdio: 'pipe' });
  execFileSync('rpm', [...db, '-i', '--nodeps', '--justdb', '--noscripts', '--ignorearch', ...rpms], {
    stdio: 'pipe',
  });
}
