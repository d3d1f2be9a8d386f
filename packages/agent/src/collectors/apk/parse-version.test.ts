import { parseApkInstalled } from '@patchloop/core';
import { describe, expect, it } from 'vitest';
import { ALPINE_INSTALLED, rawInventory, testdata } from '../testdata/fake-root.js';
import { parseApkVersionList, splitApkNameVersion } from './parse-version.js';

describe('apk version -l "<"', () => {
  it('reads the rows of the captured output', () => {
    const { items, warnings } = parseApkVersionList(testdata('apk', 'apk-version-l-lt.alpine.txt'), []);
    expect(warnings).toEqual([]);
    expect(items.map((u) => [u.name, u.installedVersion, u.candidateVersion])).toEqual([
      ['libcrypto1.0', '1.0.1q-r0', '1.0.2m-r0'],
      ['libssl1.0', '1.0.1q-r0', '1.0.2m-r0'],
      ['nrpe', '2.14-r2', '2.15-r5'],
    ]);
    expect(items[0]).toMatchObject({ arch: '', repository: null, security: false, classification: null });
  });

  it('takes the arch from the installed database', () => {
    const installed = parseApkInstalled(rawInventory(ALPINE_INSTALLED));
    const musl = installed.find((p) => p.name === 'musl');
    expect(musl).toBeDefined();
    const { items } = parseApkVersionList(`musl-${musl?.version} < 9.9.9-r0\n`, installed);
    expect(items).toEqual([
      {
        name: 'musl',
        arch: musl?.arch,
        installedVersion: musl?.version,
        candidateVersion: '9.9.9-r0',
        repository: null,
        security: false,
        advisoryIds: [],
        classification: null,
      },
    ]);
  });

  it('splits names that hold digits and dashes', () => {
    expect(splitApkNameVersion('font-misc-75dpi-1.0.4-r0', new Set())).toEqual({
      name: 'font-misc-75dpi',
      version: '1.0.4-r0',
    });
    expect(splitApkNameVersion('py3-foo-2-1.2-r0', new Set(['py3-foo-2']))).toEqual({
      name: 'py3-foo-2',
      version: '1.2-r0',
    });
    expect(splitApkNameVersion('noversion', new Set())).toBeNull();
  });

  it('warns on rows it cannot read', () => {
    const { items, warnings } = parseApkVersionList(
      'Installed: Available:\nbusybox < \ngarbage-line\nzlib-1.2.13-r1 < 1.3-r0\n',
      [],
    );
    expect(items.map((u) => u.name)).toEqual(['zlib']);
    expect(warnings).toHaveLength(2);
  });
});
