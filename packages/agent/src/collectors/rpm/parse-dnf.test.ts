import type { InstalledPackage } from '@patchloop/core';
import { describe, expect, it } from 'vitest';
import { testdata } from '../testdata/fake-root.js';
import { mergeDnfUpdates } from './merge-updates.js';
import { parseCheckUpdate, parseUpdateinfoList } from './parse-dnf.js';

describe('dnf check-update', () => {
  const { items, warnings } = parseCheckUpdate(testdata('rpm', 'dnf-check-update.fedora34.txt'));

  it('reads the rows, joins a wrapped row and stops at the obsoletes', () => {
    expect(warnings).toEqual([]);
    expect(items.map((r) => `${r.name}.${r.arch} ${r.candidateVersion}`)).toEqual([
      'curl.x86_64 7.76.1-7.fc34',
      'dhcp-client.x86_64 12:4.4.2-11.b1.fc34',
      'dhcp-common.noarch 12:4.4.2-11.b1.fc34',
      'glibc.x86_64 2.33-20.fc34',
      'kernel-core.x86_64 5.13.4-200.fc34',
      'libcurl.x86_64 7.76.1-7.fc34',
      'linux-firmware-whence.noarch 20210716-121.fc34',
      'python3-urllib3.noarch 1.25.10-5.fc34',
      'texlive-collection-latexrecommended.noarch 9:svn54074-36.fc34',
    ]);
    expect(items[0]?.repository).toBe('updates');
  });

  it('warns on a row it cannot read', () => {
    const parsed = parseCheckUpdate(
      'curl.x86_64 7.76.1-7.fc34 updates\nError: Failed to download metadata\n',
    );
    expect(parsed.items).toHaveLength(1);
    expect(parsed.warnings).toHaveLength(1);
    expect(parsed.warnings[0]).toMatch(/line 2/);
  });
});

describe('dnf updateinfo list', () => {
  it('reads dnf 4 rows: security with severity, bugfix, unknown severity, epochs', () => {
    const { items, warnings } = parseUpdateinfoList(testdata('rpm', 'dnf-updateinfo-list.fedora34.txt'));
    expect(warnings).toEqual([]);
    expect(items).toHaveLength(11);
    expect(items[1]).toEqual({
      advisoryId: 'FEDORA-2021-08cdb4dc34',
      type: 'security',
      severity: 'Important',
      name: 'dhcp-client',
      arch: 'x86_64',
      evr: '12:4.4.2-11.b1.fc34',
    });
    expect(items.find((a) => a.name === 'vim-minimal')).toMatchObject({
      type: 'bugfix',
      evr: '2:8.0.983-1.fc26',
    });
    expect(items.find((a) => a.name === 'xen-libs')).toMatchObject({ type: 'security', severity: null });
  });

  it('reads the dnf 5 layout', () => {
    const { items, warnings } = parseUpdateinfoList(testdata('rpm', 'dnf5-advisory-list.fedora.txt'));
    expect(warnings).toEqual([]);
    expect(items.map((a) => [a.advisoryId, a.type, a.severity, a.name, a.evr])).toEqual([
      ['FEDORA-2018-318f184112', 'enhancement', 'Moderate', 'flac', '1.4.0-1.fc29'],
      ['FEDORA-2999:002-02', 'enhancement', 'Moderate', 'flac', '1.3.3-8.fc29'],
    ]);
  });

  it('warns on malformed rows', () => {
    const { items, warnings } = parseUpdateinfoList(
      'RHSA-2024:1 Important/Sec. openssl-1:3.0.7-27.el9.x86_64\nRHSA-2024:2 Weird/Type openssl\n$(rm -rf /)\n',
    );
    expect(items).toHaveLength(1);
    expect(warnings).toHaveLength(2);
  });
});

describe('mergeDnfUpdates', () => {
  const installed = (name: string, version: string, arch: string): InstalledPackage => ({
    name,
    version,
    arch,
    sourceName: name,
    sourceVersion: version,
    vendor: 'Fedora Project',
  });

  it('joins installed versions and advisories; security wins the classification', () => {
    const rows = parseCheckUpdate(testdata('rpm', 'dnf-check-update.fedora34.txt')).items;
    const advisories = [
      ...parseUpdateinfoList(testdata('rpm', 'dnf-updateinfo-list.fedora34.txt')).items,
      ...parseUpdateinfoList('FEDORA-2021-aaaaaaaaaa bugfix       curl-7.76.1-7.fc34.x86_64\n').items,
    ];
    const updates = mergeDnfUpdates(rows, advisories, [
      installed('curl', '7.76.1-6.fc34', 'x86_64'),
      installed('kernel-core', '5.12.9-300.fc34', 'x86_64'),
      installed('kernel-core', '5.13.0-200.fc34', 'x86_64'),
    ]);
    const curl = updates.find((u) => u.name === 'curl');
    expect(curl).toEqual({
      name: 'curl',
      arch: 'x86_64',
      installedVersion: '7.76.1-6.fc34',
      candidateVersion: '7.76.1-7.fc34',
      repository: 'updates',
      security: true,
      advisoryIds: ['FEDORA-2021-83fdddca0f', 'FEDORA-2021-aaaaaaaaaa'],
      classification: 'security',
    });
    expect(updates.find((u) => u.name === 'kernel-core')).toMatchObject({
      installedVersion: '5.13.0-200.fc34',
      advisoryIds: ['FEDORA-2021-07dc0b3eb1'],
    });
    expect(updates.find((u) => u.name === 'python3-urllib3')).toMatchObject({
      installedVersion: null,
      security: false,
      advisoryIds: [],
      classification: null,
    });
  });
});
