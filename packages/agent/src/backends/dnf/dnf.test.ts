import { describe, expect, it } from 'vitest';
import { captured } from '../testdata.js';
import { classifyDnfFailure, dnfInstallCommand, dnfRefreshCommand } from './index.js';

const classify = (name: string) => {
  const c = captured('dnf', name);
  return classifyDnfFailure(1, c.stdout, c.stderr, []);
};

describe('dnf commands', () => {
  it('installs name-version(.arch) with -y; the refresh only refreshes metadata', () => {
    const c = dnfInstallCommand(
      [
        { name: 'openssl', version: '1:3.0.7-27.el9' },
        { name: 'curl', version: '7.76.1-29.el9_4', arch: 'x86_64' },
      ],
      { allowDowngrades: true },
    );
    expect([c.command, ...c.args]).toEqual([
      'dnf',
      '-y',
      'install',
      'openssl-1:3.0.7-27.el9',
      'curl-7.76.1-29.el9_4.x86_64',
    ]);
    expect(dnfRefreshCommand().args).toEqual(['-q', '-y', 'makecache']);
    expect(() =>
      dnfInstallCommand([{ name: '--nogpgcheck', version: '1' }], { allowDowngrades: false }),
    ).toThrow();
  });
});

describe('classifyDnfFailure (published dnf output, testdata/README.md)', () => {
  it('no match is a version not available, naming the spec', () => {
    expect(classify('no-match-dnf4.0')).toEqual({
      code: 'PL_JOB_VERSION_UNAVAILABLE',
      message: "not in the host's repositories: openssl-9.9.9-1.el9",
    });
    expect(classify('no-match')).toEqual({
      code: 'PL_JOB_VERSION_UNAVAILABLE',
      message: "not in the host's repositories: curl-9.9-1.el9",
    });
  });

  it('a failing scriptlet and a held rpm lock', () => {
    const s = classify('prein-failed');
    expect(s.code).toBe('PL_JOB_INSTALL_FAILED');
    expect(s.message).toContain('Error in PREIN scriptlet in rpm package opengee-fusion');
    expect(classify('rpm-locked').code).toBe('PL_JOB_PM_LOCKED');
    expect(
      classifyDnfFailure(1, '', 'Error: Transaction test error:\n  file /x conflicts\n', []).message,
    ).toBe('dnf exited 1: Error: Transaction test error:');
  });
});
