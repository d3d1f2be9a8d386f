import { describe, expect, it } from 'vitest';
import { captured } from '../testdata.js';
import { apkInstallCommand, apkRefreshCommand, classifyApkFailure } from './index.js';

const classify = (name: string, packages = [{ name: 'fastfetch', version: '2.30.1-r0' }]) => {
  const c = captured('apk', name);
  return classifyApkFailure(1, c.stdout, c.stderr, packages);
};

describe('apk commands', () => {
  it('adds name=version; the refresh is apk update', () => {
    const c = apkInstallCommand([{ name: 'busybox', version: '1.36.1-r7', arch: 'x86_64' }], {
      allowDowngrades: false,
    });
    expect([c.command, ...c.args]).toEqual(['apk', 'add', '--no-progress', 'busybox=1.36.1-r7']);
    expect(apkRefreshCommand().args).toEqual(['-q', 'update']);
  });
});

describe('classifyApkFailure (published apk-tools 2.x output, testdata/README.md)', () => {
  it('a package or version the repositories do not have', () => {
    expect(classify('no-such-package')).toEqual({
      code: 'PL_JOB_VERSION_UNAVAILABLE',
      message: "not in the host's repositories: fastfetch=2.30.1-r0 (no such package), feh (no such package)",
    });
    expect(classify('version-breaks-world')).toEqual({
      code: 'PL_JOB_VERSION_UNAVAILABLE',
      message: "not in the host's repositories: nodejs=20.12.1-r0",
    });
  });

  it('a held lock and a failing script', () => {
    expect(classify('locked')).toEqual({
      code: 'PL_JOB_PM_LOCKED',
      message: 'apk cannot lock its database: Resource temporarily unavailable',
    });
    expect(classify('script-failed')).toEqual({
      code: 'PL_JOB_INSTALL_FAILED',
      message: 'busybox-1.36.1-r7.post-upgrade: script exited with error 127',
    });
  });
});
