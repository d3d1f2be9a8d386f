import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { isPatchloopError, parseApkInstalled, parseDpkgStatus } from '@patchloop/core';
import { describe, expect, it } from 'vitest';
import { localRunner } from '../runner/local.js';
import { collectHost } from './collect.js';
import {
  ALPINE_INSTALLED,
  alpineRoot,
  DEBIAN_STATUS,
  debianRoot,
  installRpms,
  makeRoot,
  rawInventory,
  testdata,
} from './testdata/fake-root.js';

async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isPatchloopError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe('collectHost on a Debian root', () => {
  it('reads the packages core reads, and the facts, without running anything', async () => {
    const root = debianRoot();
    writeFileSync(join(root, 'var/lib/dpkg/arch'), 'amd64\n');
    mkdirSync(join(root, 'var/run'), { recursive: true });
    writeFileSync(join(root, 'var/run/reboot-required'), testdata('reboot', 'reboot-required.ubuntu.txt'));
    writeFileSync(join(root, 'var/run/reboot-required.pkgs'), 'libc6\nlibc6\n');
    const got = await collectHost(localRunner({ root }));
    const expected = parseDpkgStatus(rawInventory(DEBIAN_STATUS));
    expect(got.manager).toBe('dpkg');
    expect(got.packages).toHaveLength(expected.length);
    expect(got.packages.map((p) => `${p.name} ${p.version} ${p.arch}`)).toEqual(
      expected.map((p) => `${p.name} ${p.version} ${p.arch ?? ''}`),
    );
    expect(got.packages.find((p) => p.name === 'libc6')).toMatchObject({ sourceName: 'glibc' });
    expect(got.machineId).toBe('0123456789abcdef0123456789abcdef');
    expect(got.facts).toEqual({
      hostname: 'bookworm-host',
      os: {
        id: 'debian',
        versionId: '12',
        codename: 'bookworm',
        prettyName: 'Debian GNU/Linux 12 (bookworm)',
      },
      arch: 'x86_64',
      // An image: its running kernel is not its own; the fixture has no linux-image package and no /boot.
      kernel: { running: null, newestInstalled: null },
      reboot: { required: true, reasons: ['reboot-required-file'], packages: ['libc6'] },
    });
    // No apt-get inside the fake root (and no chroot without it): updates unknown, with a warning.
    expect(got.updates).toBeNull();
    expect(got.warnings.some((w) => w.includes('apt-get is not available'))).toBe(true);
  });

  it('takes the arch from the dpkg package, kernels from /boot, and reports what is missing', async () => {
    const root = debianRoot();
    rmSync(join(root, 'etc/hostname'));
    rmSync(join(root, 'etc/machine-id'));
    mkdirSync(join(root, 'boot'));
    for (const f of ['vmlinuz-6.1.0-18-amd64', 'vmlinuz-6.1.0-21-amd64'])
      writeFileSync(join(root, 'boot', f), '');
    const got = await collectHost(localRunner({ root }), { updates: false, fallbackHostname: 'h1' });
    expect(got.facts.hostname).toBe('h1');
    expect(got.machineId).toBeNull();
    expect(got.facts.arch).toBe(
      parseDpkgStatus(rawInventory(DEBIAN_STATUS)).find((p) => p.name === 'dpkg')?.arch === 'amd64'
        ? 'x86_64'
        : null,
    );
    expect(got.facts.kernel).toEqual({ running: null, newestInstalled: '6.1.0-21-amd64' });
    expect(got.updates).toBeNull();
    expect(got.warnings).toEqual(
      expect.arrayContaining([expect.stringMatching(/hostname/), expect.stringMatching(/machine id/)]),
    );
  });
});

describe('collectHost on an Alpine root', () => {
  it('reads the packages core reads', async () => {
    const got = await collectHost(localRunner({ root: alpineRoot() }));
    const expected = parseApkInstalled(rawInventory(ALPINE_INSTALLED));
    expect(got.manager).toBe('apk');
    expect(got.packages.map((p) => [p.name, p.version, p.sourceName])).toEqual(
      expected.map((p) => [p.name, p.version, p.sourceName]),
    );
    expect(got.facts.os).toMatchObject({ id: 'alpine', versionId: '3.18.4' });
    expect(got.facts.arch).toBe('x86_64');
    expect(got.facts.hostname).toBe('alpine-318');
    expect(got.updates).toBeNull();
  });
});

describe('collectHost on an rpm root (database built with this machine’s rpm)', () => {
  it('reads it with rpm --root --dbpath', async () => {
    const root = makeRoot('rpm', {
      'etc/os-release': 'ID="almalinux"\nVERSION_ID="9.4"\nPRETTY_NAME="AlmaLinux 9.4 (Seafoam Ocelot)"\n',
    });
    installRpms(root, [
      { name: 'glibc', version: '2.34', release: '100.el9_4.2', arch: 'x86_64' },
      {
        name: 'kernel-core',
        version: '5.14.0-362.8.1'.replace(/-.*/, ''),
        release: '362.8.1.el9_3',
        arch: 'x86_64',
      },
      { name: 'kernel-core', version: '5.14.0', release: '427.13.1.el9_4', arch: 'x86_64' },
      { name: 'shadow-utils', epoch: 2, version: '4.9', release: '8.el9', arch: 'x86_64' },
    ]);
    const got = await collectHost(localRunner({ root }));
    expect(got.manager).toBe('rpm');
    expect(got.packages.map((p) => `${p.name}-${p.version}.${p.arch}`).sort()).toEqual([
      'glibc-2.34-100.el9_4.2.x86_64',
      'kernel-core-5.14.0-362.8.1.el9_3.x86_64',
      'kernel-core-5.14.0-427.13.1.el9_4.x86_64',
      'shadow-utils-2:4.9-8.el9.x86_64',
    ]);
    expect(got.packages.find((p) => p.name === 'glibc')).toMatchObject({
      sourceName: 'glibc',
      sourceVersion: '2.34-100.el9_4.2',
      vendor: 'Patchloop Test',
    });
    expect(got.facts.arch).toBe('x86_64');
    expect(got.facts.kernel).toEqual({ running: null, newestInstalled: '5.14.0-427.13.1.el9_4.x86_64' });
    expect(got.updates).toBeNull();
    expect(got.warnings.some((w) => w.includes('dnf is not available'))).toBe(true);
  });
});

describe('collectHost refuses', () => {
  it('a root without os-release', async () => {
    const root = makeRoot('no-os', { 'var/lib/dpkg/status': rawInventory(DEBIAN_STATUS) });
    expect(await errorCode(collectHost(localRunner({ root })))).toBe('PL_AGENT_OS_RELEASE_MISSING');
  });

  it('a root without a package database', async () => {
    const root = makeRoot('no-db', { 'usr/lib/os-release': testdata('os', 'os-release.debian12') });
    expect(await errorCode(collectHost(localRunner({ root })))).toBe('PL_AGENT_PACKAGE_DB_MISSING');
  });

  it('a database that does not parse', async () => {
    const root = makeRoot('bad-db', {
      'etc/os-release': testdata('os', 'os-release.debian12'),
      'var/lib/dpkg/status': 'Package: x\nthis line is not a field\n',
    });
    expect(await errorCode(collectHost(localRunner({ root })))).toBe('PL_INVENTORY_INVALID');
  });
});

describe('collectHost on this machine (/)', () => {
  const hasDpkg = existsSync('/var/lib/dpkg/status');
  it.runIf(hasDpkg)('reads the live host: running kernel, packages, apt simulation', async () => {
    const got = await collectHost(localRunner());
    expect(got.manager).toBe('dpkg');
    expect(got.facts.kernel.running).toBe(release());
    expect(got.packages.length).toBeGreaterThan(10);
    expect(got.packages.some((p) => p.name === 'dpkg')).toBe(true);
    expect(got.facts.arch).not.toBeNull();
    // apt-get is there on a dpkg host; with package lists it gives a list (maybe empty), never null.
    if (existsSync('/usr/bin/apt-get') && existsSync('/var/lib/apt/lists')) {
      expect(got.updates).not.toBeNull();
      const installed = new Map(got.packages.map((p) => [`${p.name}:${p.arch}`, p.version]));
      for (const u of got.updates ?? []) {
        if (u.installedVersion !== null)
          expect(installed.get(`${u.name}:${u.arch}`)).toBe(u.installedVersion);
      }
    }
  });
});
