import { describe, expect, it } from 'vitest';
import { canonicalInventory, packageKey } from './canonical.js';
import type { InstalledPackage } from './model.js';

const pkg = (name: string, version: string, arch: string | null = 'amd64'): InstalledPackage => ({
  name,
  version,
  arch,
  sourceName: name,
  sourceVersion: version,
  vendor: null,
});

describe('canonicalInventory', () => {
  it('does not depend on the order packages were collected in', () => {
    const a = [pkg('zlib1g', '1:1.2.13'), pkg('bash', '5.2.15-2+b2'), pkg('bash', '5.2.15-2+b2', 'i386')];
    expect(canonicalInventory('dpkg', a, [])).toBe(canonicalInventory('dpkg', [...a].reverse(), []));
  });

  it('changes when any field of any package changes', () => {
    const base = canonicalInventory('dpkg', [pkg('bash', '5.2.15-2')], []);
    expect(canonicalInventory('dpkg', [pkg('bash', '5.2.15-3')], [])).not.toBe(base);
    expect(canonicalInventory('dpkg', [pkg('bash', '5.2.15-2', 'i386')], [])).not.toBe(base);
    expect(canonicalInventory('dpkg', [{ ...pkg('bash', '5.2.15-2'), sourceName: 'bash2' }], [])).not.toBe(
      base,
    );
    expect(canonicalInventory('rpm', [pkg('bash', '5.2.15-2')], [])).not.toBe(base);
  });

  it('tells unknown updates from no updates', () => {
    expect(canonicalInventory('apk', [], null)).not.toBe(canonicalInventory('apk', [], []));
  });

  it('cannot be fooled by separators inside names', () => {
    const one = canonicalInventory('dpkg', [pkg('a b', '1')], []);
    const two = canonicalInventory('dpkg', [pkg('a', 'b 1')], []);
    expect(one).not.toBe(two);
  });

  it('keys packages by name and arch', () => {
    expect(packageKey({ name: 'libc6', arch: 'amd64' })).not.toBe(
      packageKey({ name: 'libc6', arch: 'i386' }),
    );
    expect(packageKey({ name: 'x', arch: null })).toBe(packageKey({ name: 'x', arch: '' }));
  });
});
