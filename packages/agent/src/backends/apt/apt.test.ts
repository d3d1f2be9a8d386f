import { isPatchloopError } from '@patchloop/core';
import { describe, expect, it } from 'vitest';
import { captured } from '../testdata.js';
import { aptInstallCommand, aptRefreshCommand, classifyAptFailure } from './index.js';

const classify = (name: string, packages = [{ name: 'hello', version: '9.9' }]) => {
  const c = captured('apt', name);
  return classifyAptFailure(100, c.stdout, c.stderr, packages);
};

describe('apt commands', () => {
  it('installs exact versions non-interactively, downgrades only when asked', () => {
    const c = aptInstallCommand(
      [
        { name: 'bash', version: '5.2.15-2+b13' },
        { name: 'libc6', version: '2.36-9+deb12u4', arch: 'amd64' },
      ],
      { allowDowngrades: false },
    );
    expect(c.command).toBe('apt-get');
    expect(c.args).toEqual([
      '-y',
      '-q',
      '-o',
      'Dpkg::Options::=--force-confdef',
      '-o',
      'Dpkg::Options::=--force-confold',
      'install',
      '--',
      'bash=5.2.15-2+b13',
      'libc6:amd64=2.36-9+deb12u4',
    ]);
    expect(c.env.DEBIAN_FRONTEND).toBe('noninteractive');
    const rollback = aptInstallCommand([{ name: 'tzdata', version: '2025b-0+deb12u1' }], {
      allowDowngrades: true,
    });
    expect(rollback.args).toContain('--allow-downgrades');
    expect(rollback.args.indexOf('--allow-downgrades')).toBeLessThan(rollback.args.indexOf('install'));
    expect(aptRefreshCommand().args).toEqual(['-qq', 'update']);
    expect(aptRefreshCommand().args).not.toContain('upgrade');
  });

  it('refuses names and versions that are not package names or versions', () => {
    for (const p of [
      { name: '-o', version: '1' },
      { name: 'bash', version: '--allow-unauthenticated' },
      { name: 'bash;id', version: '1' },
      { name: 'bash', version: '1 2' },
      { name: 'bash', version: '$(id)' },
      { name: 'bash', version: '1', arch: 'amd64 x' },
    ]) {
      let code = '';
      try {
        aptInstallCommand([p], { allowDowngrades: false });
      } catch (e) {
        code = isPatchloopError(e) ? e.code : 'other';
      }
      expect(code, JSON.stringify(p)).toBe('PL_JOB_INVALID');
    }
    expect(() => aptInstallCommand([], { allowDowngrades: false })).toThrow(/no package/);
  });
});

describe('classifyAptFailure (captured apt 2.6 output)', () => {
  it('a version the repositories do not have names the package and the version', () => {
    expect(classify('version-not-found')).toEqual({
      code: 'PL_JOB_VERSION_UNAVAILABLE',
      message: "version 9.9 of hello is not in the host's repositories",
    });
    const missing = classify('unable-to-locate', [{ name: 'patchloop-no-such-pkg', version: '1.0' }]);
    expect(missing.code).toBe('PL_JOB_VERSION_UNAVAILABLE');
    expect(missing.message).toContain('patchloop-no-such-pkg=1.0');
  });

  it('a held lock is PL_JOB_PM_LOCKED', () => {
    const r = classify('locked');
    expect(r.code).toBe('PL_JOB_PM_LOCKED');
    expect(r.message).toContain('/var/lib/dpkg/lock-frontend');
  });

  it("a failing maintainer script keeps dpkg's message, without the chroot's log noise", () => {
    const r = classify('postinst-failed');
    expect(r.code).toBe('PL_JOB_INSTALL_FAILED');
    expect(r.message).toContain('dpkg: error processing package patchloop-failing (--configure):');
    expect(r.message).toContain('post-installation script subprocess returned error exit status 1');
    expect(r.message).not.toContain('/dev/pts');
  });

  it('other failures keep the E: lines', () => {
    expect(classify('downgrade-refused')).toEqual({
      code: 'PL_JOB_INSTALL_FAILED',
      message: 'apt-get exited 100: Packages were downgraded and -y was used without --allow-downgrades.',
    });
    expect(classify('dpkg-interrupted').message).toContain(
      "dpkg was interrupted, you must manually run 'dpkg --configure -a'",
    );
    expect(classifyAptFailure(100, '', '', []).message).toBe('apt-get exited 100: apt-get exited 100');
  });
});
