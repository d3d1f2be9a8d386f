import { describe, expect, it } from 'vitest';
import { PatchloopError } from '../error/codes.js';
import { SCHEME_NAMES, SCHEMES, schemeFor, schemeOfManager } from './list.js';

describe('version scheme registry', () => {
  it('lists the four schemes, each under its own name', () => {
    expect(SCHEME_NAMES).toEqual(['debian', 'rpm', 'apk', 'semver']);
    for (const name of SCHEME_NAMES) expect(SCHEMES[name].name).toBe(name);
  });

  it.each([
    ['Ubuntu', 'debian'],
    ['debian', 'debian'],
    ['AlmaLinux', 'rpm'],
    ['Rocky Linux', 'rpm'],
    ['fedora', 'rpm'],
    ['Alpine', 'apk'],
    ['npm', 'semver'],
  ])('maps the ecosystem %s to the %s scheme', (eco, scheme) => {
    expect(schemeFor(eco).name).toBe(scheme);
  });

  it('rejects an unknown ecosystem with PL_VERSION_SCHEME_UNKNOWN', () => {
    expect(() => schemeFor('gentoo')).toThrowError(PatchloopError);
    try {
      schemeFor('gentoo');
    } catch (e) {
      expect((e as PatchloopError).code).toBe('PL_VERSION_SCHEME_UNKNOWN');
    }
  });
});

describe('schemeOfManager', () => {
  it('names the scheme of each package manager, and nothing for others', () => {
    expect(['dpkg', 'rpm', 'apk', 'pacman', null].map((m) => schemeOfManager(m))).toEqual([
      'debian',
      'rpm',
      'apk',
      null,
      null,
    ]);
  });
});
