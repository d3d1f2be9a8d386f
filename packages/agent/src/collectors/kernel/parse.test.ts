import { parseDpkgStatus } from '@patchloop/core';
import type { InstalledPackage } from '@patchloop/core';
import { describe, expect, it } from 'vitest';
import { testdata } from '../testdata/fake-root.js';
import { installedKernels, kernelRebootNeeded, kernelsFromBoot, newestKernel } from './parse.js';

const pkg = (name: string, version: string, arch: string | null = 'x86_64'): InstalledPackage => ({
  name,
  version,
  arch,
  sourceName: name,
  sourceVersion: version,
  vendor: null,
});

describe('kernels', () => {
  it('names Debian kernel packages by release and picks the newest (captured apt-cache records)', () => {
    const packages = parseDpkgStatus(testdata('kernel', 'dpkg-status-linux-images.txt'));
    const kernels = installedKernels('dpkg', packages);
    expect(kernels).toEqual([
      { release: '6.1.0-47-amd64', version: '6.1.170-3' },
      { release: '6.1.0-50-amd64', version: '6.1.176-1' },
    ]);
    expect(newestKernel('dpkg', kernels)).toBe('6.1.0-50-amd64');
    expect(newestKernel('dpkg', [...kernels].reverse())).toBe('6.1.0-50-amd64');
    expect(kernelRebootNeeded('6.1.0-47-amd64', '6.1.0-50-amd64')).toBe(true);
    expect(kernelRebootNeeded('6.1.0-50-amd64', '6.1.0-50-amd64')).toBe(false);
  });

  it('reads Ubuntu unsigned images, rpm kernel-core and apk flavors', () => {
    expect(
      installedKernels('dpkg', [pkg('linux-image-unsigned-5.15.0-91-generic', '5.15.0-91.101')]),
    ).toEqual([{ release: '5.15.0-91-generic', version: '5.15.0-91.101' }]);
    const rpmKernels = installedKernels('rpm', [
      pkg('kernel-core', '5.14.0-362.8.1.el9_3'),
      pkg('kernel-core', '5.14.0-427.13.1.el9_4'),
      pkg('kernel-headers', '5.14.0-500.el9'),
    ]);
    expect(rpmKernels.map((k) => k.release)).toEqual([
      '5.14.0-362.8.1.el9_3.x86_64',
      '5.14.0-427.13.1.el9_4.x86_64',
    ]);
    expect(newestKernel('rpm', rpmKernels)).toBe('5.14.0-427.13.1.el9_4.x86_64');
    expect(
      installedKernels('apk', [pkg('linux-lts', '6.6.16-r0'), pkg('linux-firmware', '20240115-r0')]),
    ).toEqual([{ release: '6.6.16-0-lts', version: '6.6.16-r0' }]);
  });

  it('orders by package version, not by the release string, when they disagree', () => {
    const kernels = [
      { release: '6.1.0-10-amd64', version: '6.1.27-1' },
      { release: '6.1.0-9-amd64', version: '6.1.38-1' },
    ];
    expect(newestKernel('dpkg', kernels)).toBe('6.1.0-9-amd64');
    const tie = [
      { release: '6.1.0-21-cloud-amd64', version: '6.1.90-1' },
      { release: '6.1.0-21-amd64', version: '6.1.90-1' },
    ];
    expect(newestKernel('dpkg', tie)).toBe('6.1.0-21-cloud-amd64');
  });

  it('falls back to /boot file names', () => {
    const kernels = kernelsFromBoot([
      'System.map-6.1.0-18-amd64',
      'vmlinuz-6.1.0-18-amd64',
      'vmlinuz-6.1.0-21-amd64',
      'vmlinuz-0-rescue-abc',
      'vmlinuz-lts',
    ]);
    expect(kernels.map((k) => k.release)).toEqual(['6.1.0-18-amd64', '6.1.0-21-amd64']);
    expect(newestKernel('dpkg', kernels)).toBe('6.1.0-21-amd64');
  });

  it('needs no reboot when the running kernel is unknown, not installed-newer, or nothing is installed', () => {
    const running = testdata('kernel', 'uname-r.txt').trim();
    expect(kernelRebootNeeded(running, null)).toBe(false);
    expect(kernelRebootNeeded(null, '6.1.0-50-amd64')).toBe(false);
    expect(kernelRebootNeeded('6.1.0-50-amd64', '6.1.0-47-amd64')).toBe(false);
  });
});
